import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useEditableCopy } from '../common/editable';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import type { OutputOf } from '../../../../shared/contract';
import { DateTime, ErrorBanner, Loading, ScrollBox } from '../common/ui';
import { SimulationPanel } from '../economics/SimulationPanel';
import { useSession } from '../../stores/session';

type Version = OutputOf<'plan.versions'>[number];
const show = (v: unknown) => (v === null || v === undefined ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Plan versions: drafts are edited and published; published versions are read-only and compared. */
export function PlanPanel() {
  const { t } = useTranslation();
  const isAdmin = useSession((s) => s.staff?.role) === 'admin';
  const versions = useProcedure('plan.versions', {});
  const [selected, setSelected] = useState<number | null>(null);
  const [compare, setCompare] = useState<{ fromId: number; toId: number } | null>(null);
  const list = versions.data ?? [];
  const published = list.filter((v) => v.status === 'published');
  /** What a version is compared with: the published one in force just before it. */
  const baseFor = (v: Version) =>
    published
      .filter((p) => p.id !== v.id && p.effectiveFromPeriod <= v.effectiveFromPeriod)
      .sort((a, b) => b.effectiveFromPeriod.localeCompare(a.effectiveFromPeriod))[0];

  return (
    <div className="stack">
      {isAdmin && <NewDraftForm onCreated={(id) => setSelected(id)} />}
      <ErrorBanner error={versions.error} />
      {versions.isLoading ? (
        <Loading />
      ) : (
        <ScrollBox>
          <table className="data" aria-label={t('settings.plan.versions')}>
            <thead>
              <tr>
                <th>{t('settings.plan.name')}</th>
                <th>{t('settings.plan.from')}</th>
                <th>{t('settings.plan.status')}</th>
                <th>{t('settings.plan.publishedAt')}</th>
                <th>{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {list.map((v) => (
                <tr key={v.id} className={selected === v.id ? 'selected' : ''}>
                  <td>{v.name}</td>
                  <td className="mono">{v.effectiveFromPeriod}</td>
                  <td>
                    <span className={`badge ${v.status === 'published' ? 'ok' : 'warn'}`}>{t(`settings.plan.${v.status}`)}</span>
                  </td>
                  <td>{v.publishedAt ? <DateTime iso={v.publishedAt} /> : '—'}</td>
                  <td>
                    <div className="row-actions">
                      {v.status === 'draft' && (
                        <button type="button" onClick={() => setSelected(v.id)}>
                          {t(isAdmin ? 'settings.plan.edit' : 'settings.plan.view')}
                        </button>
                      )}
                      {baseFor(v) && (
                        <button type="button" onClick={() => setCompare({ fromId: baseFor(v)!.id, toId: v.id })}>
                          {t('settings.plan.compare')}
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {isAdmin && selected && list.find((v) => v.id === selected)?.status === 'draft' && (
        <DraftEditor
          // One editor per draft: switching drafts starts afresh (its unsaved edits are that draft's).
          key={selected}
          version={list.find((v) => v.id === selected)!}
          onPublished={(v) => {
            setSelected(null);
            const base = baseFor(v);
            if (base) setCompare({ fromId: base.id, toId: v.id });
          }}
        />
      )}
      {selected && list.find((v) => v.id === selected)?.status === 'draft' && <SimulationPanel versionId={selected} />}
      {compare && <DiffView {...compare} versions={list} onChange={setCompare} />}
    </div>
  );
}

function NewDraftForm({ onCreated }: { onCreated: (id: number) => void }) {
  const { t } = useTranslation();
  const create = useMutationProcedure('plan.createDraft', ['plan.versions']);
  const [name, setName] = useState('');
  const [period, setPeriod] = useState('');
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate(
      { name, effectiveFromPeriod: period },
      {
        onSuccess: (v) => {
          setName('');
          onCreated(v.id);
        },
      },
    );
  }
  return (
    <form className="card inline-form" onSubmit={submit} aria-label={t('settings.plan.newDraft')}>
      <h2>{t('settings.plan.newDraft')}</h2>
      <p className="muted small" style={{ width: '100%', margin: 0 }}>
        {t('settings.plan.intro')}
      </p>
      <ErrorBanner error={create.error} />
      <label>
        {t('settings.plan.name')}
        <input value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label>
        {t('settings.plan.from')}
        <input placeholder="AAAA-MM" pattern="\d{4}-\d{2}" value={period} onChange={(e) => setPeriod(e.target.value)} required />
      </label>
      <button className="primary" type="submit" disabled={create.isPending}>
        {t('settings.plan.create')}
      </button>
    </form>
  );
}

type DraftCopy = { ranks: Version['ranks']; json: string };
const draftCopy = (d: { ranks: Version['ranks']; figures: unknown }): DraftCopy => ({ ranks: d.ranks, json: JSON.stringify(d.figures, null, 2) });

function DraftEditor({ version, onPublished }: { version: Version; onPublished: (v: Version) => void }) {
  const { t } = useTranslation();
  const full = useProcedure('plan.get', { id: version.id });
  const update = useMutationProcedure('plan.updateDraft', ['plan.versions', 'plan.get', 'plan.diff']);
  const publish = useMutationProcedure('plan.publish', ['plan.versions', 'plan.get', 'plan.current']);
  // The ranks table and the JSON text: one editable copy of the draft (useEditableCopy: a refetch
  // never overwrites edits not yet saved). Until the whole document has loaded, the table shows the
  // list's copy of the ranks, read only.
  const { copy, edit, accept, loaded } = useEditableCopy(full.data, draftCopy, { ranks: version.ranks, json: '' });
  const { ranks, json } = copy;
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [saved, setSaved] = useState(false);
  const edited = (next: (c: DraftCopy) => DraftCopy) => {
    setSaved(false);
    edit(next);
  };
  const loading = !loaded;

  /** The ranks table and the JSON text edit the same document; the server validates all of it. */
  function save(fromJson: boolean) {
    setJsonError(null);
    let figures: Record<string, unknown>;
    try {
      figures = fromJson ? (JSON.parse(json) as Record<string, unknown>) : structuredClone(full.data!.figures);
    } catch (e) {
      setJsonError(String(e));
      return;
    }
    if (!fromJson) {
      const doc = figures as { ranks: { rank: number; pv: string; pvg: string }[] };
      doc.ranks = doc.ranks.map((r) => {
        const e = ranks.find((x) => x.rank === r.rank);
        return e ? { ...r, pv: e.pv, pvg: e.pvg } : r;
      });
    }
    update.mutate(
      { id: version.id, figures, reason },
      {
        onSuccess: (v) => {
          accept(v);
          setSaved(true);
        },
      },
    );
  }
  const ready = !!full.data && reason.trim().length >= 3;
  return (
    <div className="card stack" aria-label={t('settings.plan.editor')}>
      <h2>
        {t('settings.plan.editor')}: {version.name} ({version.effectiveFromPeriod})
      </h2>
      <ErrorBanner error={full.error ?? update.error ?? publish.error} />
      {loading && !full.error && <Loading />}
      {saved && (
        <div className="banner ok" role="status">
          {t('settings.plan.saved')}
        </div>
      )}
      <table className="data">
        <thead>
          <tr>
            <th>{t('settings.plan.rank')}</th>
            <th>PV ≥</th>
            <th>PVG ≥</th>
          </tr>
        </thead>
        <tbody>
          {ranks
            .filter((r) => r.rank > 0)
            .map((r) => (
              <tr key={r.rank}>
                <td>{t(`rank.${r.rank}`)}</td>
                <td>
                  <input
                    aria-label={`PV ${t(`rank.${r.rank}`)}`}
                    value={r.pv}
                    disabled={loading}
                    onChange={(e) => {
                      const v = e.target.value;
                      edited((c) => ({ ...c, ranks: c.ranks.map((x) => (x.rank === r.rank ? { ...x, pv: v } : x)) }));
                    }}
                  />
                </td>
                <td>
                  <input
                    aria-label={`PVG ${t(`rank.${r.rank}`)}`}
                    value={r.pvg}
                    disabled={loading}
                    onChange={(e) => {
                      const v = e.target.value;
                      edited((c) => ({ ...c, ranks: c.ranks.map((x) => (x.rank === r.rank ? { ...x, pvg: v } : x)) }));
                    }}
                  />
                </td>
              </tr>
            ))}
        </tbody>
      </table>
      <details>
        <summary>{t('settings.plan.allFigures')}</summary>
        <textarea
          className="json"
          aria-label={t('settings.plan.allFigures')}
          value={json}
          disabled={loading}
          onChange={(e) => {
            const v = e.target.value;
            edited((c) => ({ ...c, json: v }));
          }}
          rows={18}
          spellCheck={false}
        />
        {jsonError && (
          <div className="banner error" role="alert">
            {jsonError}
          </div>
        )}
        <button type="button" onClick={() => save(true)} disabled={!ready || update.isPending}>
          {t('settings.plan.saveJson')}
        </button>
      </details>
      <label>
        {t('common.reason')}
        <input value={reason} onChange={(e) => setReason(e.target.value)} />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={() => save(false)} disabled={!ready || update.isPending}>
          {t('settings.plan.saveDraft')}
        </button>
        <button
          type="button"
          className="primary"
          disabled={!ready || publish.isPending}
          // mutateAsync: the editor unmounts once the list shows the version published.
          onClick={() =>
            void publish.mutateAsync({ id: version.id, reason }).then(
              () => onPublished(version),
              () => {},
            )
          }
        >
          {t('settings.plan.publish')}
        </button>
      </div>
    </div>
  );
}

function DiffView({
  fromId,
  toId,
  versions,
  onChange,
}: {
  fromId: number;
  toId: number;
  versions: Version[];
  onChange: (v: { fromId: number; toId: number } | null) => void;
}) {
  const { t } = useTranslation();
  const diff = useProcedure('plan.diff', { fromId, toId });
  return (
    <div className="card stack" aria-label={t('settings.plan.diff')}>
      <h2>{t('settings.plan.diff')}</h2>
      <div className="inline-form">
        {(['fromId', 'toId'] as const).map((k) => (
          <label key={k}>
            {t(`settings.plan.${k}`)}
            <select value={k === 'fromId' ? fromId : toId} onChange={(e) => onChange({ fromId, toId, [k]: Number(e.target.value) })}>
              {versions.map((v) => (
                <option key={v.id} value={v.id}>
                  {v.name} · {v.effectiveFromPeriod}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="button" onClick={() => onChange(null)}>
          {t('common.close')}
        </button>
      </div>
      <ErrorBanner error={diff.error} />
      {diff.data &&
        (diff.data.changes.length === 0 ? (
          <p className="muted">{t('settings.plan.noChanges')}</p>
        ) : (
          <table className="data">
            <thead>
              <tr>
                <th>{t('settings.plan.figure')}</th>
                <th>{diff.data.from.name}</th>
                <th>{diff.data.to.name}</th>
              </tr>
            </thead>
            <tbody>
              {diff.data.changes.map((c) => (
                <tr key={c.path}>
                  <td className="mono">{c.path}</td>
                  <td className="mono diff-before">{show(c.before)}</td>
                  <td className="mono diff-after">{show(c.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </div>
  );
}
