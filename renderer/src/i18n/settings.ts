export const es = {
  settings: {
    title: 'Configuración', intro: 'Datos de la compañía que usa el motor de comisiones. Cada cambio queda auditado.',
    tabs: { rates: 'Tipos de cambio', catalogue: 'Catálogo', plan: 'Plan de compensación', moneyControls: 'Retiros' },
    plan: {
      newDraft: 'Nueva versión del plan (borrador)', intro: 'Un borrador se copia de la versión en vigor, se edita y se publica; una versión publicada ya no cambia.',
      versions: 'Versiones del plan', name: 'Nombre', from: 'Vigente desde el periodo', status: 'Estado', publishedAt: 'Publicada',
      draft: 'Borrador', published: 'Publicada', edit: 'Editar', view: 'Ver pruebas', compare: 'Comparar', create: 'Crear borrador',
      editor: 'Borrador', rank: 'Rango', saveDraft: 'Guardar borrador', publish: 'Publicar', saved: 'Borrador guardado.',
      allFigures: 'Todas las cifras (JSON)', saveJson: 'Guardar cifras', diff: 'Diferencias entre versiones', fromId: 'Versión anterior', toId: 'Versión nueva',
      figure: 'Cifra', noChanges: 'Las versiones tienen las mismas cifras.',
    },
    rates: {
      title: 'Tipos de cambio de la compañía', intro: 'MXN por unidad de cada moneda. Nunca se editan: un cambio es una nueva vigencia.',
      currency: 'Moneda', rate: 'MXN por unidad', from: 'Vigente desde (hora del centro)', inForce: 'Vigente', createdAt: 'Registrado',
      add: 'Nuevo tipo de cambio', preview: 'Revisar impacto', confirm: 'Registrar tipo de cambio', added: 'Tipo de cambio registrado.',
      impactTitle: 'Impacto en el periodo abierto', openPeriod: 'Periodo abierto', affectsPeriod: 'Afecta las comisiones del periodo abierto',
      affectsPeriodNo: 'No afecta las comisiones del periodo abierto (empieza después de su inicio): aplica a bonos instantáneos desde su vigencia y a periodos siguientes.',
      current: 'Tipo vigente a esa fecha', orders: 'Pedidos pagados del periodo en esa moneda', vn: 'VN de esos pedidos', members: 'Socios con esa moneda',
    },
    catalogue: {
      title: 'Catálogo', sku: 'SKU', name: 'Nombre', kind: 'Tipo', pv: 'PV', active: 'Activo', prices: 'Precio / VN por país',
      kit: 'Kit', product: 'Producto', import: 'Importar CSV', chooseFile: 'Archivo CSV', previewTitle: 'Vista previa de la importación',
      valid_one: 'El archivo es válido: {{count, number}} fila.', valid_other: 'El archivo es válido: {{count, number}} filas.', invalid: 'El archivo tiene errores: no se aplicará nada hasta corregirlos.',
      row: 'Fila', field: 'Campo', message: 'Error', change: 'Cambio', fields: 'Campos', apply: 'Aplicar importación', applied: 'Catálogo actualizado.',
      new: 'Nuevo', changed: 'Modificado', unchanged: 'Sin cambios', deactivate: 'Desactivar', activate: 'Activar',
      format: 'Columnas: sku, name, kind (kit|product), pv, active, price_MX, vn_MX, price_US, vn_US, price_CO, vn_CO, price_DO, vn_DO',
    },
  },
};
export const en: typeof es = {
  settings: {
    title: 'Settings', intro: 'Company data the commission engine uses. Every change is audited.',
    tabs: { rates: 'Exchange rates', catalogue: 'Catalogue', plan: 'Compensation plan', moneyControls: 'Withdrawals' },
    plan: {
      newDraft: 'New plan version (draft)', intro: 'A draft is copied from the version in force, edited and published; a published version never changes.',
      versions: 'Plan versions', name: 'Name', from: 'Effective from period', status: 'Status', publishedAt: 'Published',
      draft: 'Draft', published: 'Published', edit: 'Edit', view: 'See trials', compare: 'Compare', create: 'Create draft',
      editor: 'Draft', rank: 'Rank', saveDraft: 'Save draft', publish: 'Publish', saved: 'Draft saved.',
      allFigures: 'All figures (JSON)', saveJson: 'Save figures', diff: 'Differences between versions', fromId: 'Earlier version', toId: 'Newer version',
      figure: 'Figure', noChanges: 'The versions have the same figures.',
    },
    rates: {
      title: 'Company exchange rates', intro: 'MXN per unit of each currency. Never edited: a change is a new effective date.',
      currency: 'Currency', rate: 'MXN per unit', from: 'Effective from (Central time)', inForce: 'In force', createdAt: 'Recorded',
      add: 'New exchange rate', preview: 'Review impact', confirm: 'Record exchange rate', added: 'Exchange rate recorded.',
      impactTitle: 'Impact on the open period', openPeriod: 'Open period', affectsPeriod: 'Affects the open period’s commissions',
      affectsPeriodNo: 'Does not affect the open period’s commissions (it starts after the period began): it applies to instant bonuses from its date and to later periods.',
      current: 'Rate in force at that date', orders: 'Paid orders of the period in that currency', vn: 'VN of those orders', members: 'Members in that currency',
    },
    catalogue: {
      title: 'Catalogue', sku: 'SKU', name: 'Name', kind: 'Type', pv: 'PV', active: 'Active', prices: 'Price / VN per country',
      kit: 'Kit', product: 'Product', import: 'Import CSV', chooseFile: 'CSV file', previewTitle: 'Import preview',
      valid_one: 'The file is valid: {{count, number}} row.', valid_other: 'The file is valid: {{count, number}} rows.', invalid: 'The file has errors: nothing will be applied until they are fixed.',
      row: 'Row', field: 'Field', message: 'Error', change: 'Change', fields: 'Fields', apply: 'Apply import', applied: 'Catalogue updated.',
      new: 'New', changed: 'Changed', unchanged: 'Unchanged', deactivate: 'Deactivate', activate: 'Activate',
      format: 'Columns: sku, name, kind (kit|product), pv, active, price_MX, vn_MX, price_US, vn_US, price_CO, vn_CO, price_DO, vn_DO',
    },
  },
};
