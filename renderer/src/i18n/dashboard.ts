/** Dashboard texts. */
export const es = {
  dashboard: {
    title: 'Tablero', intro: 'Periodo {{key}} ({{status}}). Cifras en caché, actualizadas con cada pago confirmado.',
    noPeriod: 'Todavía no hay periodos: el tablero se llena con el primer pago confirmado.',
    members: 'Socios', membersHint: 'Total inscritos', active: 'Activos este periodo', fresh: 'Nuevos este periodo',
    pv: 'PV del periodo', vn: 'VN del periodo (MXN)', orders: 'Pedidos pagados', advancing: 'Avanzan de rango',
    vsPrevious: 'vs. {{key}}', noPrevious: 'sin periodo anterior',
    partial: 'El periodo {{key}} sigue en curso (día {{day}} de {{days}}): sus cifras se comparan con {{prev}} completo, así que las diferencias todavía no son definitivas.',
    withdrawals: 'Retiros pendientes', withdrawalsCount_one: '{{count, number}} solicitud', withdrawalsCount_other: '{{count, number}} solicitudes', withdrawalsMxn: 'equivale a',
    chart: { title: 'Últimos 12 periodos', pv: 'PV', vn: 'VN (MXN)', active: 'Activos', asTable: 'Ver las cifras del gráfico como tabla', period: 'Periodo' },
    ranks: { title: 'Rangos pagados del periodo', members: 'socios' },
    ledgerMismatch_one: 'Atención: {{count, number}} cuenta del monedero tiene un saldo distinto de la suma de sus movimientos. Revisión del',
    ledgerMismatch_other: 'Atención: {{count, number}} cuentas del monedero tienen un saldo distinto de la suma de sus movimientos. Revisión del',
    goPeriods: 'Ir a periodos', goWithdrawals: 'Ir a la cola de retiros', loadedIn: 'Consultado en {{ms}} ms',
  },
};

export const en: typeof es = {
  dashboard: {
    title: 'Dashboard', intro: 'Period {{key}} ({{status}}). Cached figures, updated with every confirmed payment.',
    noPeriod: 'There are no periods yet: the dashboard fills in with the first confirmed payment.',
    members: 'Members', membersHint: 'Total enrolled', active: 'Active this period', fresh: 'New this period',
    pv: 'Period PV', vn: 'Period VN (MXN)', orders: 'Paid orders', advancing: 'Advancing in rank',
    vsPrevious: 'vs. {{key}}', noPrevious: 'no previous period',
    partial: 'Period {{key}} is still running (day {{day}} of {{days}}): its figures are compared with the whole of {{prev}}, so the differences are not final yet.',
    withdrawals: 'Pending withdrawals', withdrawalsCount_one: '{{count, number}} request', withdrawalsCount_other: '{{count, number}} requests', withdrawalsMxn: 'worth',
    chart: { title: 'Last 12 periods', pv: 'PV', vn: 'VN (MXN)', active: 'Active', asTable: 'Show the chart’s figures as a table', period: 'Period' },
    ranks: { title: 'Paid-as ranks of the period', members: 'members' },
    ledgerMismatch_one: 'Warning: {{count, number}} wallet account has a balance that differs from the sum of its entries. Checked on',
    ledgerMismatch_other: 'Warning: {{count, number}} wallet accounts have a balance that differs from the sum of their entries. Checked on',
    goPeriods: 'Go to periods', goWithdrawals: 'Go to the withdrawal queue', loadedIn: 'Loaded in {{ms}} ms',
  },
};
