import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Command } from 'cmdk';
import { useProcedure } from '../../api/hooks';
import { useSession } from '../../stores/session';
import { Modal } from '../common/dialog';
import { answersText, useDebounced, fullName } from '../members/parts';
import { areas } from '../routes';

const isMac = () => /Mac|iPhone|iPad/.test(navigator.platform);
const norm = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
/** Typing in a field: "/" is a character there, not the palette's shortcut. */
const typing = (el: Element | null) =>
  !!el && (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement || (el as HTMLElement).isContentEditable);

/**
 * The command palette (cmdk in a Radix dialog): Ctrl+K (⌘K on macOS) or "/" from any screen.
 * Finds a member by anything the member search takes (code or its digits, name, e-mail, phone),
 * jumps to a screen the role may use, opens a withdrawal by its folio (finance and admin).
 * Hover never moves the highlighted item (disablePointerSelection): only the arrow keys do.
 * Screens are listed above members: they are there at the first keystroke, and members arriving
 * later below them never push the highlighted screen out of sight.
 */
export function CommandPalette() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const mod = isMac() ? e.metaKey : e.ctrlKey;
      if (mod && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k') {
        e.preventDefault();
        setOpen((o) => !o);
        return;
      }
      if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey && !typing(document.activeElement) && !document.querySelector('[role="dialog"]')) {
        e.preventDefault();
        setOpen(true);
      }
    };
    const onOpen = () => setOpen(true);
    window.addEventListener('keydown', onKey);
    window.addEventListener('nnp:palette', onOpen);
    return () => {
      window.removeEventListener('keydown', onKey);
      window.removeEventListener('nnp:palette', onOpen);
    };
  }, []);
  if (!open) return null;
  return (
    <Modal className="palette" label={t('palette.title')} onClose={() => setOpen(false)}>
      <PaletteBody onDone={() => setOpen(false)} />
    </Modal>
  );
}

function PaletteBody({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const role = useSession((s) => s.staff?.role);
  const [text, setText] = useState('');
  const q = useDebounced(text.trim(), 180);
  const members = useProcedure('members.search', { q, pageSize: 6 }, { enabled: q.length >= 2 });
  const screens = areas.filter((a) => role && a.roles.includes(role) && (!text.trim() || norm(t(a.label)).includes(norm(text.trim()))));
  const folio = /^#?\s*(\d{1,9})$/.exec(text.trim())?.[1];
  const canWithdrawals = !!role && areas.find((a) => a.path === 'withdrawals')?.roles.includes(role);
  const go = (to: string) => {
    onDone();
    navigate(to);
  };
  // Only the answer to what is typed now (answersText): an earlier prefix's would take Enter to a member.
  const hits = q.length >= 2 && answersText(text, q, members) ? (members.data?.rows ?? []) : [];
  return (
    <Command label={t('palette.title')} shouldFilter={false} disablePointerSelection loop>
      <Command.Input value={text} onValueChange={setText} placeholder={t('palette.placeholder')} aria-label={t('palette.placeholder')} />
      <Command.List>
        {folio && canWithdrawals && (
          <Command.Group heading={t('palette.withdrawals')}>
            <Command.Item value={`wd-${folio}`} onSelect={() => go(`/withdrawals?open=${folio}`)}>
              {t('palette.openWithdrawal', { id: folio })}
            </Command.Item>
          </Command.Group>
        )}
        {screens.length > 0 && (
          <Command.Group heading={t('palette.screens')}>
            {screens.map((a) => (
              <Command.Item key={a.path} value={`s-${a.path}`} onSelect={() => go(`/${a.path}`)}>
                <span aria-hidden="true" className="nav-icon">
                  {a.icon}
                </span>{' '}
                {t('palette.goTo', { screen: t(a.label) })}
              </Command.Item>
            ))}
          </Command.Group>
        )}
        {hits.length > 0 && (
          <Command.Group heading={t('palette.members')}>
            {hits.map((h) => (
              <Command.Item key={h.id} value={`m-${h.id}`} onSelect={() => go(`/members/${h.id}`)}>
                <span>{fullName(h)}</span> <span className="mono muted">{h.code}</span>
                <span className="palette-meta muted">{[h.email, h.phone].filter(Boolean).join(' · ')}</span>
              </Command.Item>
            ))}
          </Command.Group>
        )}
        <Command.Empty>{t('palette.empty')}</Command.Empty>
      </Command.List>
      {/* Outside the list: a listbox may hold only options and groups (cmdk's Loading is a progressbar, axe aria-required-children). */}
      {q.length >= 2 && members.isFetching && hits.length === 0 && (
        <p className="palette-loading muted" role="status">
          {t('common.loading')}
        </p>
      )}
      <p className="palette-help muted small">{t('palette.help')}</p>
    </Command>
  );
}
