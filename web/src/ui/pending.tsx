/**
 * A value the commune has not validated yet, shown beside the current one:
 * in words and with an icon (colour never alone).
 */
import type { ComponentChildren } from 'preact';

/** An hourglass: "waiting for the commune". Decorative, the text says it. */
export function PendingIcon() {
  return (
    <svg class="icon" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d="M6 2h12M6 22h12M7 2c0 5 10 6 10 10S7 17 7 22M17 2c0 5-10 6-10 10s10 5 10 10" />
    </svg>
  );
}

export const PENDING_TEXT = 'Modification en attente de validation';

export const pendingId = (id: string) => `${id}-attente`;

/** « Modification en attente de validation : <value> », beside a field. */
export function PendingNote({ id, value, children }: { id?: string; value?: string; children?: ComponentChildren }) {
  return (
    <div class="pending" id={id ? pendingId(id) : undefined}>
      <PendingIcon />
      <p>
        <span class="pending__label">{PENDING_TEXT}</span>
        {value !== undefined && (
          <>
            {' : '}
            <span class="pending__value">{value === '' ? '(vide)' : value}</span>
          </>
        )}
        {children}
      </p>
    </div>
  );
}
