import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutationProcedure, useProcedure } from '../../api/hooks';
import { ErrorBanner } from '../common/ui';
import { fullName, useDebounced } from '../members/parts';
import { Modal } from '../common/dialog';

interface MemberLite {
  id: number;
  code: string;
  firstName: string;
  lastName: string;
  downlineSize: number;
}

/** Genealogy correction (admin): the member and its whole downline under another sponsor, with a reason. */
export function MoveDialog({ member, onClose, onDone }: { member: MemberLite; onClose: () => void; onDone?: (message: string) => void }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [sponsor, setSponsor] = useState<{ id: number; code: string; firstName: string; lastName: string } | null>(null);
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const q = useDebounced(text.trim(), 200);
  const hits = useProcedure('members.search', { q, pageSize: 8 }, { enabled: q.length > 0 && !sponsor });
  const move = useMutationProcedure('genealogy.move', ['members.get', 'genealogy.node', 'genealogy.children', 'genealogy.levels', 'members.search']);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (!sponsor) return;
    move.mutate(
      { memberId: member.id, newSponsorId: sponsor.id, reason },
      {
        onSuccess: (r) => {
          const msg = t('genealogy.move.done', { count: r.movedMembers, name: fullName(sponsor) });
          setDone(msg);
          onDone?.(msg);
        },
      },
    );
  }

  return (
    <Modal label={t('genealogy.move.title')} onClose={onClose} onSubmit={submit}>
      <h2>{t('genealogy.move.title')}</h2>
      <p className="muted">{t('genealogy.move.intro', { name: `${fullName(member)} (${member.code})`, count: member.downlineSize + 1 })}</p>
      <ErrorBanner error={move.error} />
      {done && (
        <div className="banner ok" role="status">
          {done}
        </div>
      )}
      {sponsor ? (
        <div className="card">
          <small className="muted">{t('genealogy.move.chosen')}</small>
          <div>
            <strong>{fullName(sponsor)}</strong> <span className="mono muted">{sponsor.code}</span>{' '}
            <button type="button" className="link" onClick={() => setSponsor(null)}>
              {t('common.clear')}
            </button>
          </div>
        </div>
      ) : (
        <label>
          {t('genealogy.move.newSponsor')}
          <input value={text} onChange={(e) => setText(e.target.value)} placeholder={t('genealogy.move.searchSponsor')} autoFocus />
        </label>
      )}
      {!sponsor && q && (hits.data?.rows ?? []).length > 0 && (
        <ul className="pick-list">
          {hits
            .data!.rows.filter((h) => h.id !== member.id)
            .map((h) => (
              <li key={h.id}>
                <button type="button" onClick={() => setSponsor(h)}>
                  {fullName(h)} <span className="mono muted">{h.code}</span>
                </button>
              </li>
            ))}
        </ul>
      )}
      <label>
        {t('genealogy.move.reason')}
        <textarea rows={3} value={reason} onChange={(e) => setReason(e.target.value)} required minLength={5} maxLength={500} />
      </label>
      <div className="dialog-actions">
        <button type="button" onClick={onClose}>
          {done ? t('common.close') : t('common.cancel')}
        </button>
        {!done && (
          <button className="primary" type="submit" disabled={!sponsor || reason.trim().length < 5 || move.isPending}>
            {t('genealogy.move.confirm')}
          </button>
        )}
      </div>
    </Modal>
  );
}
