/**
 * `/planning/liste`: the guide's "Planning / Liste", the reservation and
 * absence requests in a table (Prénom, Type demande, Établissement,
 * Activité, Période, État), filtered by child. The API lists one kind at a
 * time: both lists are read page by page and merged newest first, showing
 * only what is certain to be in order.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { LoadError, Loading } from '../ui/load';
import { type ApiError, type Me, parent, asApiError } from '../api';
import { mediumDay } from '../dates';
import { useCurrentFamily, useDossier, withQuery } from '../family/current';
import { FamilyChooser, NoFamily } from '../family/ui';
import { location, navigate } from '../router';
import { StateText, childName } from '../requests/list';
import type { RequestPage, RequestSummary } from '../requests/model';
import { Page } from '../ui/page';
import { PLANNING_CRUMBS } from './page';
import './planning.css';

type Kind = 'reservation' | 'absence';

interface Stream {
  items: RequestSummary[];
  next: string | null;
  done: boolean;
}

const newer = (a: RequestSummary, b: RequestSummary) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);

/**
 * The merged items that are surely in order: an item older than the last
 * one read from a list that has more pages could be preceded by unread ones.
 */
function merged(streams: Record<Kind, Stream>): { shown: RequestSummary[]; more: boolean } {
  const all = [...streams.reservation.items, ...streams.absence.items].sort(newer);
  const cutoffs = (Object.values(streams) as Stream[]).filter((s) => !s.done && s.items.length > 0).map((s) => s.items[s.items.length - 1] as RequestSummary);
  const more = (Object.values(streams) as Stream[]).some((s) => !s.done);
  if (cutoffs.length === 0) return { shown: all, more };
  const oldestSafe = cutoffs.sort(newer)[0] as RequestSummary;
  return { shown: all.filter((r) => newer(r, oldestSafe) <= 0), more };
}

export function PlanningListPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const child = location().query.get('enfant') ?? '';
  const [choice, setChoice] = useState(child);
  const [streams, setStreams] = useState<Record<Kind, Stream> | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  /** After "Afficher les demandes suivantes": the index of the first new line. */
  const focusIndex = useRef<number | null>(null);

  async function readPage(kind: Kind, page: string | null): Promise<RequestPage> {
    return parent.requests({ family_id: family?.family_id, kind, child, page: page ?? undefined });
  }

  async function load(current: Record<Kind, Stream> | null) {
    if (!family || busy) return;
    setBusy(true);
    try {
      const kinds: Kind[] = ['reservation', 'absence'];
      const pages = await Promise.all(
        kinds.map((k) => {
          const s = current?.[k];
          if (s && (s.done || s.items.length === 0)) return Promise.resolve(null);
          return readPage(k, s?.next ?? null);
        }),
      );
      const next = {} as Record<Kind, Stream>;
      kinds.forEach((k, i) => {
        const s = current?.[k] ?? { items: [], next: null, done: false };
        const p = pages[i];
        next[k] = p ? { items: [...s.items, ...p.items], next: p.next_page ?? null, done: !p.next_page } : s;
      });
      setError(null);
      setStreams(next);
    } catch (e) {
      setError(asApiError(e));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    void load(null);
  }, [family?.family_id, child]);

  useEffect(() => {
    if (focusIndex.current === null) return;
    const rows = document.querySelectorAll<HTMLElement>('tbody th[id^="demande-"]');
    rows[Math.min(focusIndex.current, rows.length - 1)]?.focus();
    focusIndex.current = null;
  }, [streams]);

  const dos = dossier.state === 'ready' ? dossier.data : null;
  let body;
  if (!family) body = <NoFamily />;
  else if (error) body = <LoadError error={error} retry={() => void load(streams)} />;
  else if (!streams) body = <Loading text="Chargement de vos demandes…" />;
  else {
    const { shown, more } = merged(streams);
    body = (
      <>
        <p class="result-count" role="status">
          {more ? `${shown.length} demandes affichées` : `${shown.length} résultat${shown.length > 1 ? 's' : ''}`}
        </p>
        {shown.length === 0 && !more ? (
          <p>Aucune demande de réservation ou d'absence{child ? ' pour cet enfant' : ''}.</p>
        ) : (
          <div class="table-wrap">
            <table class="data-table table-stack">
              <caption class="visually-hidden">Demandes de réservation et d'absence, de la plus récente à la plus ancienne</caption>
              <thead>
                <tr>
                  <th scope="col">Prénom</th>
                  <th scope="col">Type demande</th>
                  <th scope="col">Établissement</th>
                  <th scope="col">Activité</th>
                  <th scope="col">Période</th>
                  <th scope="col">État</th>
                </tr>
              </thead>
              <tbody>
                {shown.map((r) => (
                  <tr key={r.id}>
                    <th scope="row" data-label="Prénom" id={`demande-${r.id}`} tabIndex={-1}>
                      {childName(dos, r.child_id) || '—'}
                    </th>
                    <td data-label="Type demande">
                      <a href={`/mes-demandes/${encodeURIComponent(r.id)}`}>{r.description}</a>
                    </td>
                    <td data-label="Établissement">{r.establishment ?? '—'}</td>
                    <td data-label="Activité">{r.activity ?? '—'}</td>
                    <td data-label="Période">{r.date ? `${mediumDay(r.date)} - ${mediumDay(r.date)}` : '-'}</td>
                    <td data-label="État">
                      <StateText state={r.state} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {more && (
          <p class="actions">
            <button
              type="button"
              class="button button--secondary"
              aria-disabled={busy ? 'true' : undefined}
              onClick={() => {
                focusIndex.current = shown.length;
                void load(streams);
              }}
            >
              Afficher les demandes suivantes
            </button>
          </p>
        )}
      </>
    );
  }

  const children = dos?.children ?? [];
  return (
    <Page title="Liste de mes demandes" breadcrumb={[...PLANNING_CRUMBS, { label: 'Liste' }]}>
      <FamilyChooser me={me} />
      <nav class="planning-switch" aria-label="Planning ou liste">
        <a href="/planning">Planning</a>
        <span aria-hidden="true"> / </span>
        <a href="/planning/liste" aria-current="page">
          Liste
        </a>
      </nav>
      <form
        class="filters"
        aria-label="Filtrer par enfant"
        onSubmit={(e) => {
          e.preventDefault();
          navigate(withQuery('/planning/liste', { enfant: choice }));
        }}
      >
        <div class="field">
          <label for="enfant-filtre">Enfants</label>
          <select id="enfant-filtre" value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
            <option value="">Tous les enfants</option>
            {children.map((c) => (
              <option key={c.id} value={c.id}>
                {c.first_name} {c.last_name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" class="button button--secondary">
          Filtrer
        </button>
      </form>
      {body}
    </Page>
  );
}
