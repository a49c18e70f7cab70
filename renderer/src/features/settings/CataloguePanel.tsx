import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { createColumnHelper } from '@tanstack/react-table';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import { AppError } from '../../../../shared/errors';
import { CURRENCY_OF } from '../../../../shared/money';
import { DataTable, ErrorBanner, Loading, Money, Points } from '../common/ui';

type Product = OutputOf<'catalogue.list'>[number];
type Preview = OutputOf<'catalogue.importPreview'>;
const col = createColumnHelper<Product>();

export function CataloguePanel() {
  const { t } = useTranslation();
  const list = useProcedure('catalogue.list', { includeInactive: true });
  const setActive = useMutationProcedure('catalogue.setActive', ['catalogue.list']);
  const apply = useMutationProcedure('catalogue.importApply', ['catalogue.list']);
  const [csv, setCsv] = useState<string | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<AppError | null>(null);
  const [applied, setApplied] = useState(false);

  async function onFile(file: File | undefined) {
    setError(null);
    setPreview(null);
    setApplied(false);
    if (!file) return;
    const text = await file.text();
    setCsv(text);
    try {
      setPreview(await call('catalogue.importPreview', { csv: text }));
    } catch (e) {
      setError(e as AppError);
    }
  }

  const columns = useMemo(
    () => [
      col.accessor('sku', { header: t('settings.catalogue.sku'), cell: (c) => <span className="mono">{c.getValue()}</span> }),
      col.accessor('name', { header: t('settings.catalogue.name') }),
      col.accessor('kind', { header: t('settings.catalogue.kind'), cell: (c) => <span className="badge">{t(`settings.catalogue.${c.getValue()}`)}</span> }),
      col.accessor('pv', { header: t('settings.catalogue.pv'), cell: (c) => <Points value={c.getValue()} /> }),
      col.accessor('prices', {
        header: t('settings.catalogue.prices'),
        cell: (c) => (
          <div className="price-list">
            {c.getValue().map((p) => (
              <span key={p.country}>
                <strong>{p.country}</strong> <Money amount={p.price} currency={CURRENCY_OF[p.country]} /> · VN{' '}
                <Money amount={p.vn} currency={CURRENCY_OF[p.country]} />
              </span>
            ))}
          </div>
        ),
      }),
      col.accessor('active', {
        header: t('settings.catalogue.active'),
        cell: (c) => (
          <button type="button" onClick={() => setActive.mutate({ id: c.row.original.id, active: !c.getValue() })}>
            {c.getValue() ? t('settings.catalogue.deactivate') : t('settings.catalogue.activate')}
          </button>
        ),
      }),
    ],
    [t, setActive],
  );

  return (
    <div className="stack">
      <div className="card">
        <h2>{t('settings.catalogue.import')}</h2>
        <p className="muted small">{t('settings.catalogue.format')}</p>
        <label>
          {t('settings.catalogue.chooseFile')}
          <input type="file" accept=".csv,text/csv" onChange={(e) => void onFile(e.target.files?.[0])} />
        </label>
        <ErrorBanner error={error ?? apply.error} />
        {applied && (
          <div className="banner ok" role="status">
            {t('settings.catalogue.applied')}
          </div>
        )}
        {preview && (
          <div className="stack" aria-label={t('settings.catalogue.previewTitle')}>
            <h3>{t('settings.catalogue.previewTitle')}</h3>
            <div className={`banner ${preview.valid ? 'ok' : 'error'}`} role={preview.valid ? 'status' : 'alert'}>
              {preview.valid ? t('settings.catalogue.valid', { count: preview.rows }) : t('settings.catalogue.invalid')}
            </div>
            {preview.errors.length > 0 && (
              <table className="data">
                <thead>
                  <tr>
                    <th>{t('settings.catalogue.row')}</th>
                    <th>{t('settings.catalogue.field')}</th>
                    <th>{t('settings.catalogue.message')}</th>
                  </tr>
                </thead>
                <tbody>
                  {preview.errors.map((e, i) => (
                    <tr key={i}>
                      <td className="num">{e.row}</td>
                      <td className="mono">{e.field ?? '—'}</td>
                      <td>{e.message}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <table className="data">
              <thead>
                <tr>
                  <th>{t('settings.catalogue.sku')}</th>
                  <th>{t('settings.catalogue.change')}</th>
                  <th>{t('settings.catalogue.fields')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.map((c) => (
                  <tr key={c.sku}>
                    <td className="mono">{c.sku}</td>
                    <td>
                      <span className={`badge ${c.change === 'new' ? 'ok' : c.change === 'changed' ? 'warn' : ''}`}>{t(`settings.catalogue.${c.change}`)}</span>
                    </td>
                    <td className="mono">{c.fields.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="dialog-actions">
              <button
                type="button"
                className="primary"
                disabled={!preview.valid || apply.isPending}
                onClick={() =>
                  csv &&
                  apply.mutate(
                    { csv },
                    {
                      onSuccess: () => {
                        setPreview(null);
                        setApplied(true);
                      },
                    },
                  )
                }
              >
                {t('settings.catalogue.apply')}
              </button>
            </div>
          </div>
        )}
      </div>
      {list.isLoading ? <Loading /> : <DataTable data={list.data ?? []} columns={columns} rowKey={(r) => String(r.id)} />}
    </div>
  );
}
