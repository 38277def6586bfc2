/**
 * Paging of a parent's list (Mes demandes, Mes factures, Mes opérations,
 * Mes règlements): the page tokens already seen, the result count that
 * takes the focus after a page change, and the pager.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

/** Rows a page of those lists (the API's page size). */
export const PAGE_SIZE = 20;

/** The pages already seen (their tokens), the count, and the pager. */
export function usePages(familyId: string | undefined) {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  useEffect(() => setPages([null]), [familyId]);
  const moved = useRef(false);
  const count = useRef<HTMLParagraphElement>(null);
  const index = pages.length - 1;
  return {
    page: pages[index] ?? undefined,
    index,
    count,
    /** After a page change, the focus goes to the count. */
    shown() {
      if (moved.current) {
        moved.current = false;
        count.current?.focus();
      }
    },
    /** Called as a function (not a component: no remount on each render). */
    pager({ next }: { next: string | null | undefined }) {
      if (index === 0 && !next) return null;
      return (
        <nav class="pager" aria-label="Pages de résultats">
          {index > 0 && (
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                moved.current = true;
                setPages(pages.slice(0, -1));
              }}
            >
              Page précédente
            </button>
          )}
          <span>Page {index + 1}</span>
          {next && (
            <button
              type="button"
              class="button button--secondary"
              onClick={() => {
                moved.current = true;
                setPages([...pages, next]);
              }}
            >
              Page suivante
            </button>
          )}
        </nav>
      );
    },
    counter({ items, next, what }: { items: number; next: string | null | undefined; what: string }) {
      const total = index * PAGE_SIZE + items;
      return (
        <p ref={count} class="result-count" tabIndex={-1} role="status">
          {next ? `Page ${index + 1} : ${what} ${index * PAGE_SIZE + 1} à ${total}` : `${total} résultat${total > 1 ? 's' : ''}`}
        </p>
      );
    },
  };
}

