import { useRef, type FormEvent, type ReactNode } from 'react';
import * as D from '@radix-ui/react-dialog';

/**
 * The app's dialogs and drawers, on Radix UI's Dialog primitive: focus moves in on open, Tab is
 * trapped inside, Escape closes (only the topmost one when nested), the page behind is inert to
 * assistive tech, and focus returns to the element that opened it. Every screen uses these two
 * instead of a hand-made backdrop (docs/architecture.md "Renderer").
 *
 * `label` is the accessible name (kept short and stable: tests and screen readers find the dialog by
 * it); the visible heading stays in the children. `busy` keeps the dialog open while work runs.
 * A click outside never closes a modal (a typed reason would be lost); Escape and the buttons do.
 */
export function Modal({
  label,
  onClose,
  onSubmit,
  children,
  className,
  busy,
  initialFocus,
}: {
  label: string;
  onClose: () => void;
  onSubmit?: (e: FormEvent) => void;
  children: ReactNode;
  className?: string;
  busy?: boolean;
  /** Where focus goes on open when not the first focusable element (e.g. a text field). */
  initialFocus?: () => HTMLElement | null | undefined;
}) {
  const fallback = useReturnFocus();
  const body = (
    <>
      <D.Title className="sr-only">{label}</D.Title>
      {children}
    </>
  );
  const content = {
    className: `dialog${className ? ` ${className}` : ''}`,
    'aria-describedby': undefined,
    onPointerDownOutside: (e: Event) => e.preventDefault(),
    onEscapeKeyDown: (e: KeyboardEvent) => {
      if (busy) e.preventDefault();
    },
    onOpenAutoFocus: (e: Event) => {
      const el = initialFocus?.();
      if (el) {
        e.preventDefault();
        el.focus();
      }
    },
    onCloseAutoFocus: fallback,
  };
  return (
    <D.Root
      open
      onOpenChange={(o) => {
        if (!o && !busy) onClose();
      }}
    >
      <D.Portal>
        <D.Overlay className="dialog-backdrop">
          {onSubmit ? (
            <D.Content asChild {...content}>
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  onSubmit(e);
                }}
              >
                {body}
              </form>
            </D.Content>
          ) : (
            <D.Content {...content}>{body}</D.Content>
          )}
        </D.Overlay>
      </D.Portal>
    </D.Root>
  );
}

/** A side sheet (e.g. a withdrawal's detail): a modal dialog docked to the right edge. */
export function Drawer({ label, onClose, children, className }: { label: string; onClose: () => void; children: ReactNode; className?: string }) {
  const fallback = useReturnFocus();
  return (
    <D.Root
      open
      onOpenChange={(o) => {
        if (!o) onClose();
      }}
    >
      <D.Portal>
        <D.Overlay className="drawer-backdrop" />
        <D.Content className={`drawer${className ? ` ${className}` : ''}`} aria-describedby={undefined} onCloseAutoFocus={fallback}>
          <D.Title className="sr-only">{label}</D.Title>
          {children}
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

/** The button that closes the dialog it sits in (Radix wires it to onOpenChange). */
export const CloseButton = D.Close;

/**
 * Focus goes back to the opener (Radix only does that for its own Trigger, which these dialogs,
 * opened from rows and menus, do not use). When the opener is gone by then — the queue row of a
 * withdrawal that just left the filtered list, the Reject button of a request now rejected — it goes
 * to the dialog still open underneath, else to the page's heading: never to the page body.
 */
function useReturnFocus() {
  const opener = useRef<Element | null>(typeof document !== 'undefined' ? document.activeElement : null);
  return (e: Event) => {
    e.preventDefault();
    const el = opener.current as HTMLElement | null;
    if (el && el.isConnected && el !== document.body) {
      el.focus();
      // The opener may leave the page a moment later (the Reject button of a request that the
      // refetch now shows as rejected): if focus falls to the body with it, rescue it.
      const watch = new MutationObserver(() => {
        if (!el.isConnected) {
          watch.disconnect();
          if (document.activeElement === document.body || document.activeElement === null) focusFallback();
        }
      });
      watch.observe(document.body, { childList: true, subtree: true });
      setTimeout(() => watch.disconnect(), 5_000);
      return;
    }
    focusFallback();
  };
}

function focusFallback() {
  const dialogs = document.querySelectorAll<HTMLElement>('[role="dialog"]');
  const under = dialogs[dialogs.length - 1];
  if (under) return under.focus();
  // The page's heading; when the dialog navigated (the command palette), the new screen may not be
  // drawn yet: wait for its heading (a few seconds at most) unless focus was placed meanwhile.
  const until = performance.now() + 10_000;
  const step = () => {
    const main = document.querySelector<HTMLElement>('main');
    const active = document.activeElement;
    if (active && active !== document.body && active !== main && active.isConnected) return;
    const h1 = main?.querySelector<HTMLElement>('h1');
    if (h1) {
      h1.tabIndex = -1;
      h1.focus();
    } else if (performance.now() < until) requestAnimationFrame(step);
    else main?.focus();
  };
  step();
}
