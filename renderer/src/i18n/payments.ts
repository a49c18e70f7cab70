/** Payments screen texts (orders by payment state, Stripe payments, sync). */
export const es = {
  payments: {
    title: 'Pagos',
    intro: 'Un pedido se confirma solo con un pago de Stripe exitoso cuyo importe y moneda coinciden, un pago con monedero o un pago manual registrado. Los pagos con diferencias quedan en revisión.',
    filters: {
      all: 'Todos', pending: 'Pendientes', paid: 'Pagados', refunded: 'Reembolsados', failed: 'Pagos fallidos', cancelled: 'Cancelados',
      mismatch: 'En revisión (no coinciden)', refund_waiting: 'Reembolsos en espera', partial_refund: 'Reembolsos parciales',
    },
    cols: {
      order: 'Pedido', member: 'Socio', total: 'Total', status: 'Estado', method: 'Método', paidAt: 'Pagado', period: 'Periodo',
      refundedAt: 'Reembolsado', stripe: 'Stripe', payment: 'Pago en Stripe', detail: 'Detalle',
    },
    status: { pending: 'Pendiente', paid: 'Pagado', refunded: 'Reembolsado', failed: 'Fallido', cancelled: 'Cancelado' },
    method: { stripe: 'Stripe', wallet: 'Monedero', manual: 'Manual' },
    state: {
      succeeded: 'Exitoso', failed: 'Fallido', mismatch: 'No coincide', refunded: 'Reembolsado', refund_waiting: 'Reembolso en espera',
      partial_refund: 'Reembolso parcial', unmatched: 'Sin pedido',
    },
    openStripe: 'Abrir {{id}} en el panel de Stripe',
    search: 'Buscar pedido o socio', searchPlaceholder: 'Número de pedido, código o nombre del socio', orderNo: 'Núm. {{id}}',
    emptySearch: 'Ningún pedido coincide con «{{q}}» en esta pestaña.',
    empty: 'No hay pedidos con este estado.',
    sync: {
      button: 'Sincronizar pagos', running: 'Sincronizando…', title: 'Sincronización con Stripe',
      never: 'Nunca se ha sincronizado.', last: 'Última sincronización:', lastEvent: 'Último evento alcanzado: {{id}}',
      notConfigured: 'Stripe no está configurado en este equipo: la sincronización no está disponible.',
      progress: '{{checked}} eventos revisados · {{applied}} aplicados · {{duplicates}} ya aplicados · {{errors}} con error',
      done: 'Sincronización terminada: {{applied}} eventos aplicados, {{duplicates}} ya estaban aplicados.',
      unprocessed: '{{count, number}} eventos guardados sin aplicar (se reintentan al sincronizar).',
      failed: 'La sincronización se detuvo: {{error}}',
    },
    events: {
      title: 'Eventos de Stripe recibidos', id: 'Evento', type: 'Tipo', created: 'Fecha en Stripe', source: 'Vía', outcome: 'Resultado', order: 'Pedido',
      sources: { webhook: 'Webhook', sync: 'Sincronización' }, empty: 'Todavía no se ha recibido ningún evento.',
    },
    outcome: {
      confirmed: 'Pedido confirmado', confirmed_then_refunded: 'Confirmado y reembolsado', already_confirmed: 'Ya estaba confirmado', mismatch: 'En revisión',
      mismatch_refunded: 'No coincidía; reembolsado', failure_recorded: 'Fallo registrado', failure_after_success: 'Fallo anterior al éxito', refunded: 'Reembolsado',
      refund_deferred: 'Reembolso en espera del pago', already_refunded: 'Ya estaba reembolsado', partial_refund: 'Reembolso parcial (revisar)',
      unmatched: 'Sin pedido', ignored: 'Sin efecto', error: 'Error',
      subscription_updated: 'Autoenvío actualizado', stale: 'Autoenvío: evento anterior, sin efecto',
    },
  },
};

export const en: typeof es = {
  payments: {
    title: 'Payments',
    intro: 'An order is confirmed only by a successful Stripe payment whose amount and currency match, a wallet payment or a recorded manual payment. Payments that differ are held for review.',
    filters: {
      all: 'All', pending: 'Pending', paid: 'Paid', refunded: 'Refunded', failed: 'Failed payments', cancelled: 'Cancelled',
      mismatch: 'For review (mismatch)', refund_waiting: 'Refunds waiting', partial_refund: 'Partial refunds',
    },
    cols: {
      order: 'Order', member: 'Member', total: 'Total', status: 'Status', method: 'Method', paidAt: 'Paid', period: 'Period',
      refundedAt: 'Refunded', stripe: 'Stripe', payment: 'Stripe payment', detail: 'Detail',
    },
    status: { pending: 'Pending', paid: 'Paid', refunded: 'Refunded', failed: 'Failed', cancelled: 'Cancelled' },
    method: { stripe: 'Stripe', wallet: 'Wallet', manual: 'Manual' },
    state: {
      succeeded: 'Succeeded', failed: 'Failed', mismatch: 'Mismatch', refunded: 'Refunded', refund_waiting: 'Refund waiting',
      partial_refund: 'Partial refund', unmatched: 'No order',
    },
    openStripe: 'Open {{id}} in the Stripe dashboard',
    search: 'Find an order or member', searchPlaceholder: 'Order number, member code or name', orderNo: 'No. {{id}}',
    emptySearch: 'No order matches “{{q}}” in this tab.',
    empty: 'No orders in this state.',
    sync: {
      button: 'Sync payments', running: 'Syncing…', title: 'Stripe sync',
      never: 'Never synced.', last: 'Last sync:', lastEvent: 'Last event reached: {{id}}',
      notConfigured: 'Stripe is not configured on this computer: sync is unavailable.',
      progress: '{{checked}} events checked · {{applied}} applied · {{duplicates}} already applied · {{errors}} with errors',
      done: 'Sync finished: {{applied}} events applied, {{duplicates}} were already applied.',
      unprocessed: '{{count, number}} stored events not applied (retried on sync).',
      failed: 'Sync stopped: {{error}}',
    },
    events: {
      title: 'Stripe events received', id: 'Event', type: 'Type', created: 'Stripe time', source: 'Via', outcome: 'Outcome', order: 'Order',
      sources: { webhook: 'Webhook', sync: 'Sync' }, empty: 'No events received yet.',
    },
    outcome: {
      confirmed: 'Order confirmed', confirmed_then_refunded: 'Confirmed and refunded', already_confirmed: 'Already confirmed', mismatch: 'For review',
      mismatch_refunded: 'Mismatch; refunded', failure_recorded: 'Failure recorded', failure_after_success: 'Failure before the success', refunded: 'Refunded',
      refund_deferred: 'Refund waiting for the payment', already_refunded: 'Already refunded', partial_refund: 'Partial refund (review)',
      unmatched: 'No order', ignored: 'No effect', error: 'Error',
      subscription_updated: 'Autoship updated', stale: 'Autoship: older event, no effect',
    },
  },
};
