/** The shell's keyboard aids (skip link, menu, command palette), the genealogy tree's keyboard and leg view, the queue's keys. */
export const es = {
  shell: {
    skip: 'Saltar al contenido', menu: 'Menú principal', collapseMenu: 'Contraer menú', expandMenu: 'Expandir menú',
  },
  palette: {
    title: 'Buscar y saltar', open: 'Buscar', placeholder: 'Socio (código, nombre, correo, teléfono), pantalla o folio de retiro…',
    members: 'Socios', screens: 'Pantallas', withdrawals: 'Retiros', goTo: 'Ir a {{screen}}', openWithdrawal: 'Abrir el retiro #{{id}}',
    empty: 'Nada coincide.', help: '↑ ↓ para moverse · Intro para abrir · Esc para cerrar',
  },
  keys: {
    queue: 'Teclado: ↑ ↓ recorren las filas, Intro abre el detalle, Espacio selecciona.',
    tree: 'Teclado: ↑ ↓ recorren, → expande, ← contrae, Inicio / Fin, Intro abre las acciones del socio.',
    rows: 'Teclado: ↑ ↓ recorren las filas, Intro abre.',
    scrollBox: 'Tabla desplazable (use las flechas)',
  },
  tree: {
    actionsFor: 'Acciones de {{name}}', profile: 'Ver perfil', rootHere: 'Ver su red', legs: 'Ver sus piernas',
    level: 'Nivel', path: 'Ruta de la rama', pathHere: 'Está en la rama de', activity: 'Actividad',
    active: 'Activo', inactive: 'Inactivo', suspended: 'Suspendido',
    legend: 'Activo = compró en el periodo (PV mayor que 0) y no está suspendido. La misma regla cuenta los activos de la vista por niveles y de las piernas.',
    view: 'Vista', legsTab: 'Piernas',
  },
  legs: {
    title: 'Piernas de {{name}}', intro: 'Cada reclutado directo y toda la red debajo de él: lo que suma a la PVG y cuántos están activos y en cada rango.',
    recruit: 'Reclutado directo', pvg: 'PVG de la pierna', members: 'Socios', active: 'Activos', ranks: 'Rangos en la pierna', share: '% de la PVG',
    none: 'Sin reclutados directos.', open: 'Ver la red de {{name}}',
  },
};

export const en: typeof es = {
  shell: {
    skip: 'Skip to content', menu: 'Main menu', collapseMenu: 'Collapse menu', expandMenu: 'Expand menu',
  },
  palette: {
    title: 'Search and jump', open: 'Search', placeholder: 'Member (code, name, e-mail, phone), screen or withdrawal number…',
    members: 'Members', screens: 'Screens', withdrawals: 'Withdrawals', goTo: 'Go to {{screen}}', openWithdrawal: 'Open withdrawal #{{id}}',
    empty: 'Nothing matches.', help: '↑ ↓ to move · Enter to open · Esc to close',
  },
  keys: {
    queue: 'Keyboard: ↑ ↓ walk the rows, Enter opens the detail, Space selects.',
    tree: 'Keyboard: ↑ ↓ walk, → expands, ← collapses, Home / End, Enter opens the member\'s actions.',
    rows: 'Keyboard: ↑ ↓ walk the rows, Enter opens.',
    scrollBox: 'Scrollable table (use the arrow keys)',
  },
  tree: {
    actionsFor: 'Actions for {{name}}', profile: 'View profile', rootHere: 'View their downline', legs: 'View their legs',
    level: 'Level', path: 'Branch path', pathHere: 'In the branch of', activity: 'Activity',
    active: 'Active', inactive: 'Inactive', suspended: 'Suspended',
    legend: 'Active = bought in the period (PV above 0) and not suspended. The same rule counts the active members of the level view and of the legs.',
    view: 'View', legsTab: 'Legs',
  },
  legs: {
    title: 'Legs of {{name}}', intro: 'Each direct recruit and the whole downline below them: what it adds to the PVG, how many are active and at each rank.',
    recruit: 'Direct recruit', pvg: 'Leg PVG', members: 'Members', active: 'Active', ranks: 'Ranks in the leg', share: '% of PVG',
    none: 'No direct recruits.', open: 'View {{name}}\'s downline',
  },
};
