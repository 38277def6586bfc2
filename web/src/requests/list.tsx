/**
 * `/mes-demandes` (e-mails link here): every request of the family, newest
 * first, with its state and the commune's new messages; filters "type
 * demande" and "État"; 20 a page (`next_page`).
 */
import { useEffect, useState } from 'preact/hooks';

import { REQUEST_KINDS, REQUEST_STATES } from '../labels';
import { LoadError, Loading, useLoad } from '../ui/load';
import { type Me, parent } from '../api';
import { instant, mediumDay } from '../dates';
import { useCurrentFamily, useDossier, withQuery } from '../family/current';
import type { Dossier } from '../family/model';
import { FamilyChooser, NoFamily } from '../family/ui';
import { location, navigate } from '../router';
import { Page } from '../ui/page';
import { usePages } from '../ui/pages';
import { type RequestKind, type RequestPage, type RequestState, type RequestSummary, newMessages } from './model';
import './requests.css';


export function childName(dossier: Dossier | null, id: string | null | undefined): string {
  if (!id || !dossier) return '';
  return dossier.children.find((c) => c.id === id)?.first_name ?? '';
}

/** "Ajout de réservation – 4/Péri SOIR – Maéva – 1 févr. 2027". */
export function describe(r: RequestSummary, dossier: Dossier | null): string {
  if (r.kind !== 'reservation' && r.kind !== 'absence') return r.description;
  return [r.description, r.activity, childName(dossier, r.child_id), r.date ? mediumDay(r.date) : ''].filter(Boolean).join(' – ');
}

export function StateText({ state }: { state: RequestState }) {
  return <span class={`state state--${state}`}>{REQUEST_STATES[state] ?? state}</span>;
}

export function RequestsPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const { query } = location();
  const kind = (query.get('type') ?? '') as RequestKind | '';
  const state = (query.get('etat') ?? '') as RequestState | '';
  const pages = usePages(family?.family_id);
  const list = useLoad<RequestPage>(
    family ? () => parent.requests({ family_id: family.family_id, kind: kind || undefined, state: state || undefined, page: pages.page }) : null,
    [family?.family_id, kind, state, pages.page],
  );
  const reload = list.reload;
  const [kindChoice, setKindChoice] = useState<string>(kind);
  const [stateChoice, setStateChoice] = useState<string>(state);
  useEffect(() => {
    if (list.state === 'ready') pages.shown();
  }, [list]);

  function filter(ev: Event) {
    ev.preventDefault();
    navigate(withQuery('/mes-demandes', { type: kindChoice, etat: stateChoice }));
  }

  const dos = dossier.state === 'ready' ? dossier.data : null;
  let body;
  if (!family) body = <NoFamily />;
  else if (list.state === 'loading') body = <Loading text="Chargement de vos demandes…" />;
  else if (list.state === 'failed') body = <LoadError error={list.error} retry={() => void reload()} />;
  else {
    const { items, next_page } = list.data;
    body = (
      <>
        {pages.counter({ items: items.length, next: next_page, what: 'demandes' })}
        {items.length === 0 ? (
          <p>{kind || state ? 'Aucune demande ne correspond à ces critères.' : "Vous n'avez fait aucune demande pour le moment."}</p>
        ) : (
          <div class="table-wrap">
            <table class="data-table table-stack requests-table">
              <caption class="visually-hidden">Mes demandes, de la plus récente à la plus ancienne</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Description</th>
                  <th scope="col">Statut</th>
                  <th scope="col">Demandes modifiées</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((r) => (
                  <tr key={r.id}>
                    <td data-label="Date">{instant(r.created_at)}</td>
                    <td data-label="Description">{describe(r, dos)}</td>
                    <td data-label="Statut">
                      <StateText state={r.state} />
                    </td>
                    <td data-label="Demandes modifiées">{r.new_messages > 0 ? <strong class="new-messages">{newMessages(r.new_messages)}</strong> : ''}</td>
                    <td>
                      <a class="button button--secondary button--small" href={`/mes-demandes/${encodeURIComponent(r.id)}`}>
                        Voir le détail
                        <span class="visually-hidden">
                          {' '}
                          de la demande « {describe(r, dos)} » du {instant(r.created_at)}
                        </span>
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages.pager({ next: next_page })}
      </>
    );
  }

  return (
    <Page title="Mes demandes" breadcrumb={[{ href: '/mon-espace', label: 'Mon espace citoyen' }, { label: 'Mes demandes' }]}>
      <FamilyChooser me={me} />
      <form class="filters" onSubmit={filter} aria-label="Filtrer les demandes">
        <div class="field">
          <label for="type-demande">Type demande</label>
          <select id="type-demande" value={kindChoice} onChange={(e) => setKindChoice(e.currentTarget.value)}>
            <option value="">Tous les types</option>
            {Object.entries(REQUEST_KINDS).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="etat">État</label>
          <select id="etat" value={stateChoice} onChange={(e) => setStateChoice(e.currentTarget.value)}>
            <option value="">Tous les états</option>
            {Object.entries(REQUEST_STATES).map(([code, label]) => (
              <option key={code} value={code}>
                {label}
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
