/**
 * Labels of input fields by their key in the contract, used when an error names a field
 * ("Correo: no es un correo válido"). A screen may pass its own labels to ErrorBanner; these are
 * the fallback. Nested keys use the last segment ("ranks.0.pv" → pv) unless the full path is listed.
 */
export const es = {
  fields: {
    unknown: 'Un dato',
    username: 'Usuario', password: 'Contraseña', currentPassword: 'Contraseña actual', newPassword: 'Contraseña nueva',
    displayName: 'Nombre', role: 'Rol', reason: 'Motivo', note: 'Nota', text: 'Texto',
    firstName: 'Nombre', lastName: 'Apellidos', email: 'Correo', phone: 'Teléfono', address: 'Dirección',
    addressLine: 'Dirección', city: 'Ciudad', state: 'Estado', postalCode: 'Código postal', country: 'País',
    amount: 'Importe', currency: 'Moneda', rate: 'Tipo de cambio', effectiveFrom: 'Vigente desde',
    memberId: 'Socio', memberCode: 'Número de socio', code: 'Número de socio', q: 'Búsqueda', query: 'Búsqueda',
    periodKey: 'Periodo', key: 'Periodo', confirmKey: 'Clave del periodo', fromPeriod: 'Periodo inicial', toPeriod: 'Periodo final',
    name: 'Nombre', promotions: 'Promociones', multiplier: 'Multiplicador', target: 'Meta',
    pv: 'PV', pvg: 'PVG', vn: 'VN', rank: 'Rango', uninivelDepth: 'Niveles de Uninivel', levels: 'Niveles', ranks: 'Rangos',
    minimum: 'Mínimo', fee: 'Comisión', price: 'Precio', sku: 'Clave', csv: 'Archivo', day: 'Día de cobro', chargeDay: 'Día de cobro',
    page: 'Página', pageSize: 'Tamaño de página', from: 'Desde', to: 'Hasta', status: 'Estado', reference: 'Referencia',
    confirmedAt: 'Fecha de pago', ids: 'Selección', id: 'Registro', newSponsorId: 'Nuevo patrocinador', sponsorId: 'Patrocinador',
  },
};

export const en: typeof es = {
  fields: {
    unknown: 'A value',
    username: 'Username', password: 'Password', currentPassword: 'Current password', newPassword: 'New password',
    displayName: 'Name', role: 'Role', reason: 'Reason', note: 'Note', text: 'Text',
    firstName: 'First name', lastName: 'Last name', email: 'E-mail', phone: 'Phone', address: 'Address',
    addressLine: 'Address', city: 'City', state: 'State', postalCode: 'Postal code', country: 'Country',
    amount: 'Amount', currency: 'Currency', rate: 'Exchange rate', effectiveFrom: 'Effective from',
    memberId: 'Member', memberCode: 'Member number', code: 'Member number', q: 'Search', query: 'Search',
    periodKey: 'Period', key: 'Period', confirmKey: 'Period key', fromPeriod: 'Start period', toPeriod: 'End period',
    name: 'Name', promotions: 'Promotions', multiplier: 'Multiplier', target: 'Target',
    pv: 'PV', pvg: 'PVG', vn: 'VN', rank: 'Rank', uninivelDepth: 'Unilevel levels', levels: 'Levels', ranks: 'Ranks',
    minimum: 'Minimum', fee: 'Fee', price: 'Price', sku: 'SKU', csv: 'File', day: 'Charge day', chargeDay: 'Charge day',
    page: 'Page', pageSize: 'Page size', from: 'From', to: 'To', status: 'Status', reference: 'Reference',
    confirmedAt: 'Payment date', ids: 'Selection', id: 'Record', newSponsorId: 'New sponsor', sponsorId: 'Sponsor',
  },
};
