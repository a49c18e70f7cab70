import { useTranslation } from 'react-i18next';
import { call } from '../../api/client';
import type { OutputOf } from '../../../../shared/contract';
import { ExportProgress, usePagedExport, type CsvCell } from '../common/csv';
import { fullName } from '../members/parts';
import { Modal } from '../common/dialog';

type Row = OutputOf<'genealogy.exportPage'>['rows'][number];
const PAGE = 5000;

const HEADER = [
  'id',
  'codigo',
  'nombre',
  'apellidos',
  'correo',
  'telefono',
  'pais',
  'estado',
  'patrocinador',
  'nivel',
  'alta',
  'rango_carrera',
  'rango_pagado',
  'pv',
  'pvg',
  'vn',
  'red',
];

const cells = (r: Row): CsvCell[] => [
  r.id,
  r.code,
  r.firstName,
  r.lastName,
  r.email,
  r.phone,
  r.country,
  r.status,
  r.sponsorCode,
  r.level,
  r.enrolledAt,
  r.careerRank,
  r.paidAsRank,
  r.pv,
  r.pvg,
  r.vn,
  r.downlineSize,
];

/**
 * Export of a downline, pulled page by page (5,000 rows, keyset on the path) and assembled into a
 * Blob in the renderer, with progress; cancellable. Nothing big is ever held by the main process.
 */
export function ExportDialog({
  member,
  periodKey,
  onClose,
}: {
  member: { id: number; code: string; firstName: string; lastName: string; downlineSize: number };
  periodKey?: string;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const exp = usePagedExport();
  const total = member.downlineSize + 1;

  async function* pages() {
    let cursor: string | undefined;
    do {
      const page = await call('genealogy.exportPage', { memberId: member.id, limit: PAGE, ...(periodKey ? { periodKey } : {}), ...(cursor ? { cursor } : {}) });
      yield { rows: page.rows.map(cells) };
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }
  const start = () => void exp.run({ fileName: `red-${member.code}${periodKey ? `-${periodKey}` : ''}.csv`, header: HEADER, total, pages });

  return (
    <Modal label={t('genealogy.export.title')} onClose={onClose}>
      <h2>{t('genealogy.export.title')}</h2>
      <p className="muted">
        {fullName(member)} ({member.code}) — {t('genealogy.export.intro', { count: total, period: periodKey ?? '—' })}
      </p>
      <ExportProgress exp={exp} texts="genealogy.export" onStart={start} onClose={onClose} />
    </Modal>
  );
}
