export const es = {
  stripeKeys: {
    title: 'Claves de Stripe',
    intro:
      'Las claves se guardan en la base de datos, cada una en una columna que solo pueden leer los grupos que la usan: la clave de transferencias nunca llega a un equipo de Soporte. Esta pantalla nunca muestra una clave: solo si está configurada, su modo y sus últimos cuatro caracteres.',
    key: 'Clave',
    state: 'Estado',
    readBy: 'La pueden leer',
    actions: 'Acciones',
    name: { transfer: 'Clave de transferencias', restricted: 'Clave restringida (autoenvíos)' },
    readers: {
      transfer: 'Administración y Finanzas (pagos de retiros por Stripe, sincronización de pagos)',
      restricted: 'Todos los grupos (pausar, reanudar, cancelar o cambiar el día de un autoenvío)',
    },
    notSet: 'Sin configurar',
    setInDatabase: 'Configurada en la base de datos · {{mode}} · termina en {{last4}}',
    setInEnvironment: 'Tomada del entorno de este equipo · {{mode}} · termina en {{last4}}',
    mode: { test: 'modo de prueba', live: 'modo real' },
    remove: 'Quitar {{name}}',
    removeShort: 'Quitar',
    formTitle: 'Guardar o reemplazar claves',
    formHelp:
      'Clave de transferencias: la clave secreta (sk_…) o una restringida (rk_…) con permiso para transferencias y pagos. Clave restringida: rk_… con permiso de escritura solo en Suscripciones. Deje vacío lo que no cambia.',
    reason: 'Motivo (opcional)',
    save: 'Guardar claves',
    saved: 'Claves guardadas; el cambio quedó en la auditoría (sin la clave).',
    removed: 'Clave quitada; el cambio quedó en la auditoría.',
    updated: 'Último cambio: {{who}}, {{at}}',
    never: 'Nunca se han guardado claves en la base de datos.',
  },
};

export const en: typeof es = {
  stripeKeys: {
    title: 'Stripe keys',
    intro:
      'The keys are kept in the database, each in a column only the groups that use it can read: the transfer key never reaches a Support desktop. This screen never shows a key: only whether it is set, its mode and its last four characters.',
    key: 'Key',
    state: 'State',
    readBy: 'Readable by',
    actions: 'Actions',
    name: { transfer: 'Transfer key', restricted: 'Restricted key (autoship)' },
    readers: {
      transfer: 'Admin and Finance (Stripe payouts of withdrawals, payment sync)',
      restricted: 'Every group (pause, resume, cancel or change the day of an autoship)',
    },
    notSet: 'Not set',
    setInDatabase: 'Set in the database · {{mode}} · ends in {{last4}}',
    setInEnvironment: "Taken from this computer's environment · {{mode}} · ends in {{last4}}",
    mode: { test: 'test mode', live: 'live mode' },
    remove: 'Remove {{name}}',
    removeShort: 'Remove',
    formTitle: 'Save or replace keys',
    formHelp:
      'Transfer key: the secret key (sk_…) or a restricted one (rk_…) allowed transfers and payments. Restricted key: an rk_… with write access to Subscriptions only. Leave empty what does not change.',
    reason: 'Reason (optional)',
    save: 'Save keys',
    saved: 'Keys saved; the change is in the audit log (without the key).',
    removed: 'Key removed; the change is in the audit log.',
    updated: 'Last change: {{who}}, {{at}}',
    never: 'No keys have ever been saved in the database.',
  },
};
