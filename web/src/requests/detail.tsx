/**
 * `/mes-demandes/{id}`: the guide's "Détail de ma demande" (dates,
 * structure, activity, reason for planning requests; each change, before
 * and after, for a dossier change) and "Historique de la demande".
 * Reading it marks the commune's messages as read.
 */
import { REQUEST_KINDS } from '../labels';
import { LoadError, Loading, useLoad } from '../ui/load';
import { type Me, parent } from '../api';
import { instant, instantLong, numericDay } from '../dates';
import { useCurrentFamily, useDossier } from '../family/current';
import { Page } from '../ui/page';
import { childName } from './list';
import { type HistoryItem, type PlanningDetails, type RequestDetail, formatValue } from './model';
import { StateText } from './list';
import './requests.css';

const EVENTS: Record<HistoryItem['event'], string> = {
  submitted: 'Demande envoyée',
  accepted: 'Demande acceptée',
  refused: 'Demande refusée',
  cancelled: 'Demande annulée',
  message: 'Message',
};

const BY: Record<HistoryItem['by'], string> = {
  family: 'par vous',
  commune: 'par la collectivité',
};

function History({ items }: { items: HistoryItem[] }) {
  return (
    <ol class="history">
      {items.map((h, i) => (
        <li key={i} class={`history__item history__item--${h.event}`}>
          <p class="history__what">
            <strong>{EVENTS[h.event] ?? h.event}</strong> {BY[h.by] ?? ''}, le <time dateTime={h.at}>{instantLong(h.at)}</time>
          </p>
          {h.message && (
            <blockquote class="history__message">
              <p>
                <span class="visually-hidden">Message {h.by === 'commune' ? 'de la collectivité' : 'de votre famille'} : </span>
                {h.message}
              </p>
            </blockquote>
          )}
        </li>
      ))}
    </ol>
  );
}

export function RequestDetailPage({ me, id }: { me: Me; id: string }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const loaded = useLoad<RequestDetail>(() => parent.request(id), [id]);
  const reload = loaded.reload;
  const dos = dossier.state === 'ready' ? dossier.data : null;
  const crumbs = [
    { href: '/mon-espace', label: 'Mon espace citoyen' },
    { href: '/mes-demandes', label: 'Mes demandes' },
  ];

  if (loaded.state !== 'ready') {
    return (
      <Page title="Détail de ma demande" error={loaded.state === 'failed'} breadcrumb={[...crumbs, { label: 'Demande' }]}>
        {loaded.state === 'loading' ? <Loading text="Chargement de la demande…" /> : <LoadError error={loaded.error} retry={() => void reload()} />}
        <p>
          <a href="/mes-demandes">Retour à mes demandes</a>
        </p>
      </Page>
    );
  }

  const r = loaded.data;
  const who = childName(dos, r.child_id) || (r.kind === 'dossier_change' ? dos?.label ?? '' : '');
  const planning = r.kind === 'reservation' || r.kind === 'absence';
  const d: PlanningDetails = r.details ?? {};
  return (
    <Page title={`Détail de ma demande${who ? ` : ${who}` : ''}`} breadcrumb={[...crumbs, { label: `Demande du ${instant(r.created_at)}` }]}>
      <dl class="facts">
        <dt>Type de demande</dt>
        <dd>
          {r.description || REQUEST_KINDS[r.kind]}
        </dd>
        <dt>Date de la demande</dt>
        <dd>{instant(r.created_at)}</dd>
        <dt>Statut</dt>
        <dd>
          <StateText state={r.state} />
          {r.decided_at && <> (le {instantLong(r.decided_at)})</>}
        </dd>
      </dl>

      {planning && (
        <section class="panel" aria-labelledby="detail-titre">
          <h2 id="detail-titre">Détail de ma demande</h2>
          <dl class="facts">
            <dt>Date de début</dt>
            <dd>{r.date ? numericDay(r.date) : '—'}</dd>
            <dt>Date de fin</dt>
            <dd>{r.date ? numericDay(r.date) : '—'}</dd>
            <dt>Structure</dt>
            <dd>{d.establishment ?? r.establishment ?? '—'}</dd>
            <dt>Activité</dt>
            <dd>
              {d.activity ?? r.activity ?? '—'}
              {d.start && d.end && ` (${d.start} - ${d.end})`}
            </dd>
            {r.child_id && (
              <>
                <dt>Enfant</dt>
                <dd>{childName(dos, r.child_id) || '—'}</dd>
              </>
            )}
            {r.kind === 'absence' && (
              <>
                <dt>Raison</dt>
                <dd>{d.reason || 'Non précisée'}</dd>
              </>
            )}
            {d.waiting_list && (
              <>
                <dt>Liste d'attente</dt>
                <dd>Oui : la réservation sera acceptée si une place se libère.</dd>
              </>
            )}
          </dl>
        </section>
      )}

      {r.document && (
        <section class="panel" aria-labelledby="document-titre">
          <h2 id="document-titre">Document envoyé</h2>
          <dl class="facts">
            <dt>Document</dt>
            <dd>{r.document.name}</dd>
            <dt>Fichier</dt>
            <dd>{r.document.file_name}</dd>
            <dt>Envoyé le</dt>
            <dd>{instantLong(r.document.sent_at)}</dd>
          </dl>
          <p>
            <a href="/pieces-justificatives">Voir mes pièces justificatives</a>
          </p>
        </section>
      )}

      {r.kind === 'creche_application' && typeof (r.details as { application_id?: unknown } | undefined)?.application_id === 'string' && (
        <p>
          <a href={`/creche/${encodeURIComponent((r.details as { application_id: string }).application_id)}`}>Voir ma préinscription en crèche</a>
        </p>
      )}

      {r.changes && r.changes.length > 0 && (
        <section aria-labelledby="modifications-titre" class="spaced-top">
          <h2 id="modifications-titre">Modifications demandées</h2>
          <div class="table-wrap">
            <table class="data-table table-stack">
              <thead>
                <tr>
                  <th scope="col">Champ</th>
                  <th scope="col">Ancienne valeur</th>
                  <th scope="col">Nouvelle valeur</th>
                </tr>
              </thead>
              <tbody>
                {r.changes.map((c) => (
                  <tr key={c.field}>
                    <th scope="row" data-label="Champ">
                      {c.label}
                    </th>
                    <td data-label="Ancienne valeur">{formatValue(c.field, c.old)}</td>
                    <td data-label="Nouvelle valeur">
                      <span aria-hidden="true">→ </span>
                      {formatValue(c.field, c.new)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      )}

      <section aria-labelledby="historique-titre" class="spaced-top">
        <h2 id="historique-titre">Historique de la demande</h2>
        <History items={r.history} />
      </section>

      <p class="spaced-top">
        <a href="/mes-demandes">Retour à mes demandes</a>
      </p>
    </Page>
  );
}
