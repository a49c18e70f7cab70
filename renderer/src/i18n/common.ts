/** Shell, login, staff and audit texts. Each area keeps its own file; index.ts merges them. */
export const es = {
  app: { name: 'NNProtect', subtitle: 'Back Office' },
  nav: {
    dashboard: 'Tablero', members: 'Socios', genealogy: 'Genealogía', withdrawals: 'Retiros', periods: 'Periodos',
    commissions: 'Comisiones', payments: 'Pagos', settings: 'Configuración', audit: 'Auditoría', staff: 'Personal',
  },
  role: { admin: 'Administración', finance: 'Finanzas', support: 'Soporte' },
  noPermission: { title: 'Sin permiso', body: 'Esta pantalla no está disponible para su rol ({{role}}). Si la necesita, pídala a un administrador.', back: 'Volver al tablero' },
  common: {
    loading: 'Cargando…', save: 'Guardar', cancel: 'Cancelar', confirm: 'Confirmar', close: 'Cerrar', search: 'Buscar',
    previous: 'Anterior', next: 'Siguiente', page: 'Página {{page}} de {{pages}}', total_one: '{{count, number}} registro', total_other: '{{count, number}} registros',
    none: 'Sin resultados', actions: 'Acciones', yes: 'Sí', no: 'No', all: 'Todos', filter: 'Filtrar', clear: 'Limpiar',
    export: 'Exportar CSV', reason: 'Motivo', details: 'Detalle',
    amount: {
      empty: '{{label}}: escriba una cantidad.', negative: '{{label}}: no puede ser negativo.', zero: '{{label}}: debe ser mayor que cero.',
      comma: '{{label}}: use punto para los centavos (12.50), no coma.', format: '{{label}}: escriba solo números, con hasta dos decimales (por ejemplo 1500.00).',
    },
    language: 'Idioma', logout: 'Cerrar sesión', retry: 'Reintentar',
    stripeMissing: 'Stripe no está configurado en este equipo: esta acción no está disponible. Pida a un administrador que lo configure.',
  },
  errors: {
    VALIDATION: 'Datos inválidos', UNAUTHENTICATED: 'Sesión no válida', FORBIDDEN: 'Sin permiso', NOT_FOUND: 'No encontrado',
    CONFLICT: 'Conflicto', PERIOD_CLOSED: 'Periodo cerrado', INSUFFICIENT_FUNDS: 'Saldo insuficiente', INTERNAL: 'Error interno',
  },
  login: {
    title: 'Iniciar sesión', username: 'Usuario', password: 'Contraseña', submit: 'Entrar', working: 'Verificando…',
    help: 'Acceso solo para personal autorizado de NNProtect.',
  },
  changePassword: {
    title: 'Cambiar contraseña', intro: 'Por seguridad debe elegir una contraseña nueva antes de continuar.',
    current: 'Contraseña actual', next: 'Contraseña nueva (mínimo 10 caracteres)', repeat: 'Repita la contraseña nueva',
    mismatch: 'Las contraseñas no coinciden.', done: 'Contraseña actualizada.',
  },
  staff: {
    title: 'Personal', intro: 'Cuentas del personal y sus roles. Cada cambio queda en la auditoría.',
    username: 'Usuario', displayName: 'Nombre', role: 'Rol', active: 'Activa', locked: 'Bloqueada hasta', createdAt: 'Alta',
    create: 'Nueva cuenta', initialPassword: 'Contraseña inicial', created: 'Cuenta creada. La persona cambiará la contraseña al entrar.',
    deactivate: 'Desactivar', activate: 'Activar', resetPassword: 'Restablecer contraseña', newPassword: 'Contraseña temporal',
    resetDone: 'Contraseña restablecida y cuenta desbloqueada.', changeRole: 'Cambiar rol',
    reason: 'Motivo', reasonHint: 'El cambio termina las sesiones abiertas de la cuenta. El motivo queda en la auditoría.',
    resetHint: 'La cuenta se desbloquea, sus sesiones terminan y la persona cambiará la contraseña al entrar. El motivo queda en la auditoría.',
    confirmRole: '¿Cambiar el rol de {{user}} de {{from}} a {{to}}?', confirmDeactivate: '¿Desactivar la cuenta {{user}}?', confirmActivate: '¿Activar la cuenta {{user}}?',
    roleChanged: 'Rol de {{user}} cambiado a {{role}}. Sus sesiones abiertas terminaron.', deactivated: 'Cuenta {{user}} desactivada. Sus sesiones abiertas terminaron.',
    activated: 'Cuenta {{user}} activada.', resetDoneFor: 'Contraseña de {{user}} restablecida y cuenta desbloqueada.',
  },
  audit: {
    title: 'Auditoría', intro: 'Quién hizo qué y cuándo. Solo lectura.', at: 'Fecha (hora del centro)', who: 'Quién',
    action: 'Acción', entity: 'Entidad', entityId: 'Id', from: 'Desde', to: 'Hasta', before: 'Antes', after: 'Después', anyAction: 'Todas las acciones',
  },
};

export const en: typeof es = {
  app: { name: 'NNProtect', subtitle: 'Back Office' },
  nav: {
    dashboard: 'Dashboard', members: 'Members', genealogy: 'Genealogy', withdrawals: 'Withdrawals', periods: 'Periods',
    commissions: 'Commissions', payments: 'Payments', settings: 'Settings', audit: 'Audit', staff: 'Staff',
  },
  role: { admin: 'Admin', finance: 'Finance', support: 'Support' },
  noPermission: { title: 'No permission', body: 'This screen is not available to your role ({{role}}). If you need it, ask an admin.', back: 'Back to the dashboard' },
  common: {
    loading: 'Loading…', save: 'Save', cancel: 'Cancel', confirm: 'Confirm', close: 'Close', search: 'Search',
    previous: 'Previous', next: 'Next', page: 'Page {{page}} of {{pages}}', total_one: '{{count, number}} record', total_other: '{{count, number}} records',
    none: 'No results', actions: 'Actions', yes: 'Yes', no: 'No', all: 'All', filter: 'Filter', clear: 'Clear',
    export: 'Export CSV', reason: 'Reason', details: 'Details',
    amount: {
      empty: '{{label}}: enter an amount.', negative: '{{label}}: cannot be negative.', zero: '{{label}}: must be more than zero.',
      comma: '{{label}}: use a point for the cents (12.50), not a comma.', format: '{{label}}: use digits only, with up to two decimals (for example 1500.00).',
    },
    language: 'Language', logout: 'Log out', retry: 'Retry',
    stripeMissing: 'Stripe is not configured on this computer: this action is unavailable. Ask an admin to configure it.',
  },
  errors: {
    VALIDATION: 'Invalid data', UNAUTHENTICATED: 'Invalid session', FORBIDDEN: 'Not allowed', NOT_FOUND: 'Not found',
    CONFLICT: 'Conflict', PERIOD_CLOSED: 'Period closed', INSUFFICIENT_FUNDS: 'Insufficient funds', INTERNAL: 'Internal error',
  },
  login: {
    title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', working: 'Checking…',
    help: 'Authorised NNProtect staff only.',
  },
  changePassword: {
    title: 'Change password', intro: 'For security, choose a new password before you continue.',
    current: 'Current password', next: 'New password (at least 10 characters)', repeat: 'Repeat the new password',
    mismatch: 'The passwords do not match.', done: 'Password updated.',
  },
  staff: {
    title: 'Staff', intro: 'Staff accounts and their roles. Every change is audited.',
    username: 'Username', displayName: 'Name', role: 'Role', active: 'Active', locked: 'Locked until', createdAt: 'Created',
    create: 'New account', initialPassword: 'Initial password', created: 'Account created. The person will change the password at first sign-in.',
    deactivate: 'Deactivate', activate: 'Activate', resetPassword: 'Reset password', newPassword: 'Temporary password',
    resetDone: 'Password reset and account unlocked.', changeRole: 'Change role',
    reason: 'Reason', reasonHint: 'The change ends the account\'s open sessions. The reason is kept in the audit log.',
    resetHint: 'The account is unlocked, its sessions end and the person will change the password at sign-in. The reason is kept in the audit log.',
    confirmRole: 'Change the role of {{user}} from {{from}} to {{to}}?', confirmDeactivate: 'Deactivate the account {{user}}?', confirmActivate: 'Activate the account {{user}}?',
    roleChanged: 'Role of {{user}} changed to {{role}}. Their open sessions ended.', deactivated: 'Account {{user}} deactivated. Its open sessions ended.',
    activated: 'Account {{user}} activated.', resetDoneFor: 'Password of {{user}} reset and account unlocked.',
  },
  audit: {
    title: 'Audit', intro: 'Who did what, and when. Read only.', at: 'Date (Central time)', who: 'Who',
    action: 'Action', entity: 'Entity', entityId: 'Id', from: 'From', to: 'To', before: 'Before', after: 'After', anyAction: 'All actions',
  },
};
