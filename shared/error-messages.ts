/**
 * The words of every error the server can give, in both languages. An AppError carries a `key`
 * into this catalogue and its `params`; the screen words it in the chosen language (the renderer
 * registers this catalogue in i18next under `srv.`), while the Spanish text also travels as
 * `message` for logs and scripts. Templates use i18next's `{{name}}` interpolation.
 *
 * `rule.*` words one field problem found by an input schema (zod): the screen puts the field's
 * label in front ("Correo: no es un correo válido").
 */
import { formatLongDateTime } from './format';

export const errorText = {
  es: {
    /** How an `at` param (an ISO instant) is worded: a Mexico-Central date and time in this locale. */
    meta: { locale: 'es-MX' },
    generic: {
      VALIDATION: 'Revise los datos: hay valores que no se pueden aceptar.',
      UNAUTHENTICATED: 'Su sesión no es válida o venció. Inicie sesión de nuevo.',
      FORBIDDEN: 'Su rol no permite esta operación.',
      NOT_FOUND: 'Lo que busca ya no existe.',
      CONFLICT: 'La operación no se puede hacer en el estado actual de los datos.',
      PERIOD_CLOSED: 'El periodo está cerrado: sus datos ya no se modifican.',
      INSUFFICIENT_FUNDS: 'Saldo disponible insuficiente.',
      INTERNAL: 'Error interno. El detalle quedó en el registro del sistema.',
    },
    validation: { invalid: 'Revise los datos marcados.', field: '{{label}}: {{problem}}' },
    rule: {
      required: 'es obligatorio',
      invalid: 'valor no válido',
      type: 'valor no válido',
      tooLongString: 'como máximo {{maximum}} caracteres',
      tooShortString: 'al menos {{minimum}} caracteres',
      tooBigNumber: 'no puede ser mayor que {{maximum}}',
      tooSmallNumber: 'debe ser al menos {{minimum}}',
      tooBigArray: 'como máximo {{maximum}} elementos',
      tooSmallArray: 'al menos {{minimum}} elementos',
      integer: 'debe ser un número entero',
      email: 'no es un correo válido (ejemplo: nombre@dominio.com)',
      datetime: 'fecha u hora no válida',
      format: 'formato no válido',
      oneOf: 'elija uno de los valores ofrecidos',
      unknownField: 'campo no reconocido',
      money: 'use un importe con a lo más 2 decimales, con punto (ejemplo: 1250.50)',
      moneyPositive: 'el importe debe ser mayor que cero',
      moneyNonNegative: 'el importe no puede ser negativo',
      decimal: 'use un número con punto decimal (ejemplo: 12.5)',
      points: 'use un número no negativo con a lo más 2 decimales',
      rate: 'use un número positivo con a lo más 6 decimales',
      positiveDecimal: 'use un número decimal positivo (hasta 4 decimales)',
      periodKey: 'use un periodo AAAA-MM (ejemplo: 2026-11)',
      username: 'solo letras, números, punto, guion y guion bajo',
      phone: 'use solo dígitos, espacios, +, guiones y paréntesis (7 a 15 dígitos)',
      name: 'no puede quedar vacío',
      baseCurrency: 'solo USD, COP o DOP: el MXN es la moneda base',
      requestId: 'identificador de solicitud no válido',
      cursor: 'posición no válida',
      periodOrder: 'el periodo final no puede ser anterior al inicial',
      promoOrder: 'la promoción termina antes de empezar',
      promoInside: 'la promoción debe quedar dentro de la campaña',
      promoOverlap: 'las promociones no pueden traslaparse',
      wrongPassword: 'no es correcta',
      confirmKey: 'escriba {{expected}}',
      nulChar: 'contiene un carácter nulo (U+0000), que no se puede guardar',
      instantRange: 'la fecha debe estar entre el año 2000 y el 2199',
      commonPassword: 'es una de las contraseñas más comunes; elija otra',
      repeatedChar: 'no puede ser un mismo carácter repetido',
      passwordIsUsername: 'no puede ser el nombre de usuario',
      clabeLength: 'la CLABE debe tener 18 dígitos',
      clabeBank: 'la CLABE empieza con {{bank}}, que no es la clave de ningún banco',
      clabeCheck: 'el dígito verificador no corresponde (debería ser {{expected}}); revise el número',
      rfcShape: 'el RFC debe tener 13 caracteres (persona física, AAAA000000XXX) o 12 (persona moral, AAA000000XXX)',
      rfcDate: 'la fecha del RFC ({{date}}) no es una fecha válida',
      abaLength: 'el número de ruta (ABA) debe tener 9 dígitos',
      abaCheck: 'el número de ruta (ABA) no es válido: su dígito verificador no corresponde',
      taxIdUS: 'debe tener 9 dígitos (SSN, ITIN o EIN)',
      taxIdCO: 'el NIT o la cédula debe tener de 5 a 11 dígitos',
      taxIdDO: 'la cédula (11 dígitos) o el RNC (9 dígitos) no tiene la forma correcta',
      accountDigits: 'debe tener de {{min}} a {{max}} dígitos',
      accountType: 'elija corriente o ahorros',
    },
    transport: {
      unreachable: 'No se pudo contactar al servicio local.',
      badAnswer: 'Respuesta inválida del servidor ({{status}}).',
    },
    router: {
      unknownProcedure: 'Procedimiento desconocido: {{name}}',
      session: 'Sesión inválida o vencida. Inicie sesión de nuevo.',
      role: 'Su rol no permite esta operación.',
      mustChangePassword: 'Debe cambiar su contraseña antes de continuar.',
      outputContract: 'Error interno: respuesta fuera de contrato.',
    },
    db: {
      duplicate: 'Ya existe un registro con esos datos.',
      missingReference: 'Referencia a un registro que no existe.',
      rule: 'Un valor no cumple las reglas.',
      concurrent: 'Otra operación cambió los mismos datos; intente de nuevo.',
      format: 'Valor con formato inválido.',
    },
    auth: {
      badLogin: 'Usuario o contraseña incorrectos. Tras 5 intentos fallidos la cuenta se bloquea 15 minutos.',
      wrongCurrent: 'La contraseña actual no es correcta.',
      samePassword: 'La nueva contraseña debe ser distinta de la actual.',
    },
    staff: {
      taken: 'El usuario «{{username}}» ya existe.',
      notFound: 'La cuenta no existe.',
      lastAdmin: 'Debe quedar al menos un administrador activo.',
      notSelf: 'No puede quitarse el rol de administrador ni desactivar su propia cuenta: pídalo a otro administrador.',
    },
    member: {
      notFound: 'El socio no existe.',
      notFoundCode: 'No hay ningún socio con el número {{code}}.',
      emailTaken: 'Otro socio ({{code}}) ya usa el correo {{email}}.',
      nothingChanged: 'No cambió ningún dato.',
      alreadySuspended: 'El socio ya está suspendido.',
      notSuspended: 'El socio no está suspendido.',
      noteNotFound: 'La nota no existe.',
    },
    period: {
      notFound: 'El periodo {{period}} no existe.',
      noneOpen: 'No hay un periodo abierto.',
      closed: 'El periodo {{period}} está cerrado: sus datos ya no se modifican.',
      closing: 'El periodo {{period}} se está cerrando: espere a que termine.',
      alreadyClosed: 'El periodo {{period}} ya está cerrado.',
      notClosing: 'El periodo {{period}} ya no está en cierre.',
      runBusy: 'Ya hay un proceso en curso para el periodo {{period}}.',
      finishOther: 'Primero termine el cierre del periodo {{period}}.',
      nextExists: 'El periodo siguiente {{period}} ya existe.',
      confirmKey: 'Escriba la clave del periodo para confirmar el cierre.',
      runNotFound: 'El proceso no existe.',
      notEnded:
        'El periodo {{period}} aún no termina: solo se cierra un periodo ya terminado. Se podrá cerrar a partir del {{at}} (hora del centro de México).',
      notStarted:
        'El periodo {{period}} aún no empieza: un periodo futuro no se puede cerrar. Se podrá cerrar cuando termine, a partir del {{at}} (hora del centro de México).',
    },
    withdrawal: {
      notFound: 'El retiro no existe.',
      someMissing: 'Algunos retiros ya no existen: {{ids}}.',
      wrongState: 'El retiro {{id}} no admite esa acción: está {{status}}.',
      onlyPending: 'Solo se aprueban retiros pendientes ({{list}}). No se aprobó ninguno.',
      onlyApproved: 'Solo van al archivo bancario retiros aprobados ({{list}}).',
      amountFormat: 'Importe inválido: use un decimal con a lo más 2 decimales.',
      amountPositive: 'El importe debe ser mayor que cero.',
      currency: 'Moneda equivocada: el monedero del socio está en {{currency}}.',
      belowMinimum: 'El mínimo para retirar es {{minimum}} {{currency}}.',
      noRule: 'El plan no define retiros en {{currency}}.',
      feeTooBig: 'La comisión ({{fee}}) no deja importe neto.',
      registering: 'La solicitud se está registrando; intente de nuevo.',
      noStripe: 'Los pagos por Stripe no están activados en este equipo. Use el archivo bancario.',
      noConnectedAccount: 'El socio {{code}} no tiene cuenta conectada de Stripe; use el archivo bancario.',
      payoutRunning: 'El pago del retiro {{id}} está en curso; espere su resultado.',
      alreadyPaid: 'El retiro {{id}} ya está pagado.',
      attemptNotFound: 'El intento de pago no existe.',
      stripeOwned: 'El retiro {{id}} se paga por Stripe; su resultado lo da Stripe.',
      awaitingSecond: 'El retiro {{id}} espera la segunda aprobación de otra persona; todavía no se puede pagar.',
      awaitingSecondMany: 'Estos retiros esperan la segunda aprobación de otra persona: {{list}}. No se generó el archivo.',
      enteredByYou: 'No puede aprobar el retiro {{id}}: usted lo registró a nombre del socio. Debe aprobarlo otra persona.',
      firstApprovalByYou: 'Usted ya dio la primera aprobación del retiro {{id}}; la segunda debe darla otra persona.',
      noneForYou: 'Ninguno de los retiros seleccionados puede aprobarlo usted; necesitan a otra persona: {{list}}.',
      soleApproverMarksPaid: 'Usted aprobó solo el retiro {{id}}; otra persona debe registrar que el banco lo pagó.',
      sameDestination: 'Esa cuenta ya es la registrada para ese país; no hay nada que cambiar.',
      noDestination: 'Sin cuenta bancaria al aprobarse, no pueden ir al archivo bancario: {{list}}. Páguelos por Stripe o quítelos de la selección.',
    },
    ledger: {
      insufficient: 'Saldo disponible insuficiente.',
      idempotency: 'La clave de idempotencia ya se usó para un movimiento distinto.',
      holdDone: 'El movimiento retenido ya se aplicó o se anuló.',
      wrongCurrency: 'Moneda equivocada: el monedero del socio está en {{currency}}.',
      missingAccount: 'El asiento menciona una cuenta o un socio que no existe.',
      drift:
        'El saldo guardado de este monedero no coincide con la suma de sus movimientos: no se toma dinero de él hasta que finanzas lo revise (revisión del libro en el tablero).',
    },
    stripe: {
      notConfigured: 'Los pagos con Stripe no están activados en este equipo: pida a quien administra el sistema que los configure.',
      refused: 'Stripe rechazó la operación: {{reason}}',
      noAnswer: 'Stripe no respondió: intente de nuevo; repetir la misma solicitud no actúa dos veces.',
      notFound: 'Stripe no encuentra la suscripción.',
      syncFailed: 'Stripe no respondió a la sincronización.',
    },
    autoship: {
      notFound: 'La suscripción de autoenvío no existe.',
      canceled: 'La suscripción está cancelada: ya no se puede cambiar.',
      alreadyPaused: 'La suscripción ya está pausada.',
      notPaused: 'Solo se reanuda una suscripción pausada.',
      sameDay: 'La suscripción ya se cobra el día {{day}}.',
      requestReused: 'Ese identificador de solicitud ya se usó para otra acción.',
    },
    order: {
      notFound: 'El pedido no existe.',
      cannotConfirm: 'El pedido no se puede confirmar en su estado actual.',
      cannotRefund: 'Solo se reembolsa un pedido pagado.',
      noRate: 'No hay tipo de cambio de {{currency}} vigente.',
    },
    plan: {
      notFound: 'La versión del plan no existe.',
      noneInForce: 'No hay una versión del plan publicada vigente en {{period}}.',
      inconsistent: 'Las cifras del plan no son coherentes.',
      published: 'Una versión publicada no se edita: cree un borrador nuevo.',
      clash: 'Ya hay una versión publicada desde {{period}}.',
    },
    economics: {
      yearAndRange: 'Indique un año o un rango de periodos, no ambos.',
      rangeMissing: 'Indique un año, o el primer y el último periodo del rango.',
      rangeOrder: 'El rango empieza en {{from}}, después de terminar en {{to}}.',
      rangeTooLong: 'El rango abarca {{periods}} periodos; el máximo es {{max}}. Acórtelo.',
      noClosedPeriod: 'No hay periodos cerrados entre {{from}} y {{to}}: la declaración solo usa periodos cerrados.',
      simNotFound: 'La prueba del borrador no existe.',
      simPublished: 'Solo se prueban borradores: esta versión ya está publicada.',
      simClosing: 'El periodo {{period}} se está cerrando: pruebe el borrador cuando termine.',
      simBusy: 'Ya tiene una prueba de borrador en curso: espere a que termine o cancélela.',
      simEnded: 'La prueba ya terminó.',
      draftInconsistent: 'Las cifras del borrador no son coherentes: corríjalas antes de probarlo.',
    },
    genealogy: {
      cycle: 'No se puede mover un socio debajo de sí mismo ni de alguien de su propia red.',
      sameSponsor: 'El socio ya tiene a ese patrocinador.',
      noMembers: 'Todavía no hay socios.',
      volumesIncomplete: 'Los volúmenes del periodo están incompletos: recalcule el periodo antes de corregir la genealogía.',
    },
    catalogue: { rows: 'El archivo tiene {{count}} error(es); no se aplicó nada.', productNotFound: 'El producto no existe.' },
    /** Words for a `status` param (a state's code travels, the screen words it). */
    state: {
      pending: 'pendiente',
      approved: 'aprobado',
      processing: 'en proceso de pago',
      paid: 'pagado',
      rejected: 'rechazado',
      failed: 'fallido',
      active: 'activa',
      paused: 'pausada',
      canceled: 'cancelada',
      past_due: 'con pago vencido',
      open: 'abierto',
      closing: 'en cierre',
      closed: 'cerrado',
      refunded: 'reembolsado',
      cancelled: 'cancelado',
      suspended: 'suspendido',
      inactive: 'inactivo',
    },
  },
  en: {
    meta: { locale: 'en' },
    generic: {
      VALIDATION: 'Please check the data: some values cannot be accepted.',
      UNAUTHENTICATED: 'Your session is not valid or has expired. Please sign in again.',
      FORBIDDEN: 'Your role does not allow this operation.',
      NOT_FOUND: 'What you are looking for no longer exists.',
      CONFLICT: 'This cannot be done in the current state of the data.',
      PERIOD_CLOSED: 'The period is closed: its data no longer changes.',
      INSUFFICIENT_FUNDS: 'Insufficient available balance.',
      INTERNAL: 'Internal error. The details were written to the system log.',
    },
    validation: { invalid: 'Please check the marked fields.', field: '{{label}}: {{problem}}' },
    rule: {
      required: 'is required',
      invalid: 'is not a valid value',
      type: 'is not a valid value',
      tooLongString: 'at most {{maximum}} characters',
      tooShortString: 'at least {{minimum}} characters',
      tooBigNumber: 'cannot be greater than {{maximum}}',
      tooSmallNumber: 'must be at least {{minimum}}',
      tooBigArray: 'at most {{maximum}} items',
      tooSmallArray: 'at least {{minimum}} items',
      integer: 'must be a whole number',
      email: 'is not a valid e-mail (example: name@domain.com)',
      datetime: 'is not a valid date or time',
      format: 'has an invalid format',
      oneOf: 'choose one of the offered values',
      unknownField: 'unknown field',
      money: 'use an amount with at most 2 decimals and a decimal point (example: 1250.50)',
      moneyPositive: 'the amount must be greater than zero',
      moneyNonNegative: 'the amount cannot be negative',
      decimal: 'use a number with a decimal point (example: 12.5)',
      points: 'use a non-negative number with at most 2 decimals',
      rate: 'use a positive number with at most 6 decimals',
      positiveDecimal: 'use a positive decimal number (up to 4 decimals)',
      periodKey: 'use a period YYYY-MM (example: 2026-11)',
      username: 'only letters, digits, dot, hyphen and underscore',
      phone: 'use only digits, spaces, +, hyphens and parentheses (7 to 15 digits)',
      name: 'cannot be empty',
      baseCurrency: 'only USD, COP or DOP: MXN is the base currency',
      requestId: 'invalid request identifier',
      cursor: 'invalid position',
      periodOrder: 'the end period cannot be before the start period',
      promoOrder: 'the promotion ends before it starts',
      promoInside: 'the promotion must fall within the campaign',
      promoOverlap: 'promotions cannot overlap',
      wrongPassword: 'is not correct',
      confirmKey: 'type {{expected}}',
      nulChar: 'contains a NUL character (U+0000), which cannot be stored',
      instantRange: 'the date must be between the years 2000 and 2199',
      commonPassword: 'is one of the most common passwords; choose another',
      repeatedChar: 'cannot be one character repeated',
      passwordIsUsername: 'cannot be the username',
      clabeLength: 'the CLABE must have 18 digits',
      clabeBank: 'the CLABE starts with {{bank}}, which is no bank’s code',
      clabeCheck: 'the check digit does not match (it should be {{expected}}); check the number',
      rfcShape: 'the RFC must have 13 characters (individual, AAAA000000XXX) or 12 (company, AAA000000XXX)',
      rfcDate: 'the date in the RFC ({{date}}) is not a valid date',
      abaLength: 'the routing number (ABA) must have 9 digits',
      abaCheck: 'the routing number (ABA) is not valid: its check digit does not match',
      taxIdUS: 'must have 9 digits (SSN, ITIN or EIN)',
      taxIdCO: 'the NIT or ID number must have 5 to 11 digits',
      taxIdDO: 'the cédula (11 digits) or RNC (9 digits) does not have the right shape',
      accountDigits: 'must have {{min}} to {{max}} digits',
      accountType: 'choose checking or savings',
    },
    transport: {
      unreachable: 'Could not reach the local service.',
      badAnswer: 'Invalid answer from the server ({{status}}).',
    },
    router: {
      unknownProcedure: 'Unknown procedure: {{name}}',
      session: 'Invalid or expired session. Please sign in again.',
      role: 'Your role does not allow this operation.',
      mustChangePassword: 'You must change your password before you continue.',
      outputContract: 'Internal error: answer outside the contract.',
    },
    db: {
      duplicate: 'A record with that data already exists.',
      missingReference: 'It refers to a record that does not exist.',
      rule: 'A value breaks the rules.',
      concurrent: 'Another operation changed the same data; please try again.',
      format: 'A value has an invalid format.',
    },
    auth: {
      badLogin: 'Wrong username or password. After 5 failed attempts the account is locked for 15 minutes.',
      wrongCurrent: 'The current password is not correct.',
      samePassword: 'The new password must differ from the current one.',
    },
    staff: {
      taken: 'The username “{{username}}” already exists.',
      notFound: 'The account does not exist.',
      lastAdmin: 'At least one active admin must remain.',
      notSelf: 'You cannot remove your own admin role or deactivate your own account: ask another admin.',
    },
    member: {
      notFound: 'The member does not exist.',
      notFoundCode: 'No member has the number {{code}}.',
      emailTaken: 'Another member ({{code}}) already uses the e-mail {{email}}.',
      nothingChanged: 'Nothing was changed.',
      alreadySuspended: 'The member is already suspended.',
      notSuspended: 'The member is not suspended.',
      noteNotFound: 'The note does not exist.',
    },
    period: {
      notFound: 'The period {{period}} does not exist.',
      noneOpen: 'There is no open period.',
      closed: 'The period {{period}} is closed: its data no longer changes.',
      closing: 'The period {{period}} is closing: wait until it finishes.',
      alreadyClosed: 'The period {{period}} is already closed.',
      notClosing: 'The period {{period}} is no longer closing.',
      runBusy: 'A process is already running for the period {{period}}.',
      finishOther: 'First finish closing the period {{period}}.',
      nextExists: 'The next period {{period}} already exists.',
      confirmKey: 'Type the period key to confirm the close.',
      runNotFound: 'The process does not exist.',
      notEnded: 'The period {{period}} has not ended: only an ended period can be closed. It can be closed from {{at}} (Mexico Central time).',
      notStarted: 'The period {{period}} has not started: a future period cannot be closed. It can be closed once it ends, from {{at}} (Mexico Central time).',
    },
    withdrawal: {
      notFound: 'The withdrawal does not exist.',
      someMissing: 'Some withdrawals no longer exist: {{ids}}.',
      wrongState: 'Withdrawal {{id}} does not allow that action: it is {{status}}.',
      onlyPending: 'Only pending withdrawals can be approved ({{list}}). None was approved.',
      onlyApproved: 'Only approved withdrawals go to the bank file ({{list}}).',
      amountFormat: 'Invalid amount: use a decimal with at most 2 decimals.',
      amountPositive: 'The amount must be greater than zero.',
      currency: 'Wrong currency: the member’s wallet is in {{currency}}.',
      belowMinimum: 'The minimum withdrawal is {{minimum}} {{currency}}.',
      noRule: 'The plan defines no withdrawals in {{currency}}.',
      feeTooBig: 'The fee ({{fee}}) leaves no net amount.',
      registering: 'The request is being recorded; please try again.',
      noStripe: 'Stripe payouts are not enabled on this installation. Use the bank file.',
      noConnectedAccount: 'Member {{code}} has no connected Stripe account; use the bank file.',
      payoutRunning: 'The payout of withdrawal {{id}} is in progress; wait for its result.',
      alreadyPaid: 'Withdrawal {{id}} is already paid.',
      attemptNotFound: 'The payout attempt does not exist.',
      stripeOwned: 'Withdrawal {{id}} is paid through Stripe; Stripe gives its result.',
      awaitingSecond: 'Withdrawal {{id}} is waiting for a second approval by someone else; it cannot be paid yet.',
      awaitingSecondMany: 'These withdrawals are waiting for a second approval by someone else: {{list}}. No file was made.',
      enteredByYou: 'You cannot approve withdrawal {{id}}: you entered it on the member’s behalf. Someone else must approve it.',
      firstApprovalByYou: 'You already gave the first approval of withdrawal {{id}}; someone else must give the second.',
      noneForYou: 'You cannot approve any of the selected withdrawals; they need someone else: {{list}}.',
      soleApproverMarksPaid: 'You approved withdrawal {{id}} alone; someone else must record that the bank paid it.',
      sameDestination: 'That account is already the one on file for that country; nothing to change.',
      noDestination: 'No bank account when approved, so they cannot go in the bank file: {{list}}. Pay them through Stripe or take them out of the selection.',
    },
    ledger: {
      insufficient: 'Insufficient available balance.',
      idempotency: 'The idempotency key was already used for a different movement.',
      holdDone: 'The held movement was already applied or voided.',
      wrongCurrency: 'Wrong currency: the member’s wallet is in {{currency}}.',
      missingAccount: 'The entry mentions an account or member that does not exist.',
      drift:
        'This wallet’s stored balance does not match the sum of its entries: no money is taken from it until finance reviews it (ledger check on the dashboard).',
    },
    stripe: {
      notConfigured: 'Stripe payments are not enabled on this installation: ask your system administrator to set them up.',
      refused: 'Stripe refused the operation: {{reason}}',
      noAnswer: 'Stripe did not answer: try again; repeating the same request never acts twice.',
      notFound: 'Stripe cannot find the subscription.',
      syncFailed: 'Stripe did not answer the synchronisation.',
    },
    autoship: {
      notFound: 'The autoship subscription does not exist.',
      canceled: 'The subscription is cancelled: it can no longer change.',
      alreadyPaused: 'The subscription is already paused.',
      notPaused: 'Only a paused subscription can be resumed.',
      sameDay: 'The subscription is already charged on day {{day}}.',
      requestReused: 'That request identifier was already used for another action.',
    },
    order: {
      notFound: 'The order does not exist.',
      cannotConfirm: 'The order cannot be confirmed in its current state.',
      cannotRefund: 'Only a paid order can be refunded.',
      noRate: 'There is no exchange rate for {{currency}} in force.',
    },
    plan: {
      notFound: 'The plan version does not exist.',
      noneInForce: 'No published plan version is in force in {{period}}.',
      inconsistent: 'The plan figures are not consistent.',
      published: 'A published version is not edited: create a new draft.',
      clash: 'A version is already published from {{period}}.',
    },
    economics: {
      yearAndRange: 'Give a year or a range of periods, not both.',
      rangeMissing: 'Give a year, or the first and the last period of the range.',
      rangeOrder: 'The range starts in {{from}}, after it ends in {{to}}.',
      rangeTooLong: 'The range spans {{periods}} periods; the maximum is {{max}}. Shorten it.',
      noClosedPeriod: 'There is no closed period between {{from}} and {{to}}: the disclosure uses closed periods only.',
      simNotFound: 'The draft trial does not exist.',
      simPublished: 'Only drafts are tried: this version is already published.',
      simClosing: 'The period {{period}} is closing: try the draft when it finishes.',
      simBusy: 'You already have a draft trial running: wait for it to finish or cancel it.',
      simEnded: 'The trial has already finished.',
      draftInconsistent: 'The draft figures are not consistent: correct them before trying it.',
    },
    genealogy: {
      cycle: 'A member cannot be moved under itself or under someone in its own network.',
      sameSponsor: 'The member already has that sponsor.',
      noMembers: 'There are no members yet.',
      volumesIncomplete: 'The period’s volumes are incomplete: recompute the period before correcting the genealogy.',
    },
    catalogue: { rows: 'The file has {{count}} error(s); nothing was applied.', productNotFound: 'The product does not exist.' },
    state: {
      pending: 'pending',
      approved: 'approved',
      processing: 'being paid',
      paid: 'paid',
      rejected: 'rejected',
      failed: 'failed',
      active: 'active',
      paused: 'paused',
      canceled: 'cancelled',
      past_due: 'past due',
      open: 'open',
      closing: 'closing',
      closed: 'closed',
      refunded: 'refunded',
      cancelled: 'cancelled',
      suspended: 'suspended',
      inactive: 'inactive',
    },
  },
};

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];

/** Every key of the catalogue ("member.notFound"); AppError.of refuses any other. */
export type MessageKey = Leaves<typeof errorText.es>;
export type RuleKey = keyof typeof errorText.es.rule;
export type MessageParams = Record<string, string | number | null>;

function lookup(lang: 'es' | 'en', key: string): string | undefined {
  let node: unknown = errorText[lang];
  for (const part of key.split('.')) node = (node as Record<string, unknown> | undefined)?.[part];
  return typeof node === 'string' ? node : undefined;
}

/** Words a catalogue entry (Spanish by default) with its params, as i18next would. */
export function wordError(key: string, params: MessageParams = {}, lang: 'es' | 'en' = 'es'): string {
  const template = lookup(lang, key) ?? key;
  const words = wordParams(params, (k) => lookup(lang, k));
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) => (words[name] == null ? '' : String(words[name])));
}

/**
 * A `status` param travels as its code; both sides word it from `state.*`. An `at` param travels
 * as an ISO instant; both sides word it as a Mexico-Central date and time ("1 de diciembre de 2026, 00:00").
 */
export function wordParams(params: MessageParams, find: (key: string) => string | undefined): MessageParams {
  let out = params;
  if (typeof params.status === 'string') out = { ...out, status: find(`state.${params.status}`) ?? params.status };
  if (typeof params.at === 'string' && !Number.isNaN(Date.parse(params.at)))
    out = { ...out, at: formatLongDateTime(params.at, find('meta.locale') === 'en' ? 'en' : 'es-MX') };
  return out;
}

/**
 * A schema's own problem text: zod's custom messages in shared schemas are written with `rule()`,
 * which returns the Spanish wording (what scripts see), and the router maps the text back to the key.
 */
export function rule(key: RuleKey): string {
  return errorText.es.rule[key];
}
const RULE_BY_SPANISH = new Map<string, RuleKey>(Object.entries(errorText.es.rule).map(([k, v]) => [v, k as RuleKey]));
export function ruleOfMessage(message: string): RuleKey | undefined {
  return RULE_BY_SPANISH.get(message);
}
