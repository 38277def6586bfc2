/**
 * Pieces shared by the back-office pages: the page frame, loading,
 * scrollable tables, confirmation dialogs and focused notices. Their
 * fields and error summaries are ../ui/form's.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

import { Page } from '../ui/page';

export interface Crumb {
  href?: string;
  label: string;
}

interface AgentPageProps {
  title: string;
  documentTitle?: string;
  error?: boolean;
  /** Below "Back-office". */
  crumbs?: Crumb[];
  children?: ComponentChildren;
}

/** A back-office page: its breadcrumb starts at the back-office home. */
export function AgentPage({ title, documentTitle, error, crumbs = [], children }: AgentPageProps) {
  const breadcrumb = crumbs.length ? [{ href: '/agent', label: 'Back-office' }, ...crumbs] : [{ label: 'Back-office' }];
  return (
    <div class="bo">
      <Page title={title} documentTitle={documentTitle} error={error} breadcrumb={breadcrumb}>
        {children}
      </Page>
    </div>
  );
}

// ---- tables ---------------------------------------------------------------------

/**
 * A table that may be wider than a phone: it scrolls inside a labelled,
 * focusable region, not the page.
 */
export function TableRegion({ labelledBy, children }: { labelledBy: string; children: ComponentChildren }) {
  return (
    <div class="bo-table-scroll" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </div>
  );
}

// ---- confirmation -----------------------------------------------------------------

interface ConfirmProps {
  id: string;
  open: boolean;
  title: string;
  confirm: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}

/** A modal dialog (native `<dialog>`: focus kept inside, Échap closes). */
export function ConfirmDialog({ id, open, title, confirm, onConfirm, onClose, children }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} id={id} class="bo-dialog" aria-labelledby={`${id}-titre`} aria-describedby={`${id}-texte`} onClose={onClose}>
      <h2 id={`${id}-titre`}>{title}</h2>
      <div id={`${id}-texte`}>{children}</div>
      <div class="actions">
        <button type="button" class="button" onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" class="button button--secondary" onClick={onClose}>
          Annuler
        </button>
      </div>
    </dialog>
  );
}

// ---- results --------------------------------------------------------------------

/** A message that takes the focus when it appears or changes (results of an action). */
export function Result({ kind = 'success', children, token }: { kind?: 'success' | 'info'; children: ComponentChildren; token: unknown }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, [token]);
  return (
    <div ref={box} class={`notice${kind === 'success' ? ' notice--success' : ''}`} role="status" tabIndex={-1}>
      {children}
    </div>
  );
}

/** "État : En attente", in words and with a mark (colour never alone). */
export function StateBadge({ state, text }: { state: string; text: string }) {
  // Marks every font has; the words carry the meaning.
  const marks: Record<string, string> = { accepted: '✓', refused: '✗', cancelled: '–' };
  const mark = marks[state];
  return (
    <span class={`bo-badge bo-badge--${state}`}>
      {mark && <span aria-hidden="true">{mark} </span>}
      {text}
    </span>
  );
}

interface EditToggleProps {
  /** What the row is, for screen readers: « la régie Cantine ». */
  what: string;
  active: boolean;
  /** The toggle's words: withdraw when active, restore when not. */
  off: string;
  on: string;
  onEdit: () => void;
  onToggle: () => void;
}

/** A settings row's actions: Modifier, then withdraw or restore it. */
export function EditToggleActions({ what, active, off, on, onEdit, onToggle }: EditToggleProps) {
  return (
    <div class="bo-row-actions">
      <button type="button" class="button button--small" onClick={onEdit}>
        Modifier<span class="visually-hidden"> {what}</span>
      </button>
      <button type="button" class="button button--secondary button--small" onClick={onToggle}>
        {active ? off : on}
        <span class="visually-hidden"> {what}</span>
      </button>
    </div>
  );
}

/**
 * « Page précédente » / « Page suivante » under an agents' list paged by the
 * API's tokens: `pages` are the tokens seen (the first is null).
 */
export function PageButtons({ label, pages, next, onPages }: { label: string; pages: (string | null)[]; next: string | null | undefined; onPages: (pages: (string | null)[]) => void }) {
  if (pages.length <= 1 && !next) return null;
  return (
    <nav class="actions" aria-label={label}>
      {pages.length > 1 && (
        <button type="button" class="button button--secondary" onClick={() => onPages(pages.slice(0, -1))}>
          Page précédente
        </button>
      )}
      {next && (
        <button type="button" class="button button--secondary" onClick={() => onPages([...pages, next])}>
          Page suivante
        </button>
      )}
    </nav>
  );
}
