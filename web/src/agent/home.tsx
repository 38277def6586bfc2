/** `/agent`: the back-office home: what waits, and where to go. */
import { REQUEST_KINDS } from '../labels';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import type { Me } from '../api';
import { displayName } from '../session';
import { type QueueItem, type RequestKind, agent } from '../api/agent';
import { plural } from './format';
import { AgentPage } from './ui';
import { ONLINE_PAYMENTS_PAGE, countToReview, toReviewText } from './online-payments';

/** Pages of the queue read to count it (20 requests each). */
const COUNT_PAGES = 10;

interface Counts {
  total: number;
  /** More than what was read. */
  more: boolean;
  byKind: Partial<Record<RequestKind, number>>;
}

async function countPending(): Promise<Counts> {
  const counts: Counts = { total: 0, more: false, byKind: {} };
  let page: string | null | undefined = null;
  for (let i = 0; i < COUNT_PAGES; i++) {
    const answer: { items: QueueItem[]; next_page?: string | null } = await agent.queue({}, page);
    for (const r of answer.items) {
      counts.total += 1;
      counts.byKind[r.kind] = (counts.byKind[r.kind] ?? 0) + 1;
    }
    page = answer.next_page;
    if (!page) return counts;
  }
  counts.more = true;
  return counts;
}

const SECTIONS = [
  {
    href: '/agent/demandes',
    title: 'Demandes à traiter',
    text: 'Réservations, absences et modifications de dossier envoyées par les familles : accepter, refuser, répondre.',
  },
  {
    href: '/agent/familles',
    title: 'Familles',
    text: "Dossiers famille, codes abonnés, quotients familiaux, création de famille, import d'un fichier CSV, factures et règlements.",
  },
  {
    href: '/agent/activites',
    title: 'Activités',
    text: 'Activités, fermetures (vacances, grèves), inscriptions des enfants et tarification par quotient familial.',
  },
  {
    href: '/pointage',
    title: 'Pointage des présences',
    text: "Les feuilles de présence du jour par activité : pointer, imprimer, télécharger en CSV ; l'occupation de la semaine.",
  },
  {
    href: '/agent/pieces-justificatives',
    title: 'Pièces justificatives',
    text: 'Les documents demandés aux familles : validité, activités qui les rendent obligatoires, aide.',
  },
  {
    href: '/agent/creche',
    title: 'Préinscriptions en crèche',
    text: "Les demandes de place en crèche : compléter, étudier, proposer une place avec une date limite de réponse.",
  },
  {
    href: '/agent/creches',
    title: 'Crèches',
    text: 'Les crèches de la commune : adresse, âges accueillis, sections et places.',
  },
  {
    href: '/agent/regies',
    title: 'Régies',
    text: 'Les régies qui émettent les factures : nom, numéro client PayFiP, e-mail de contact.',
  },
  {
    href: ONLINE_PAYMENTS_PAGE,
    title: 'Paiements en ligne à régulariser',
    text: "Paiements en ligne encaissés alors que la facture était déjà réglée ou annulée : remboursement ou affectation à une autre facture.",
  },
  {
    href: '/agent/facturation',
    title: 'Facturation du mois',
    text: "Simuler puis émettre les factures d'un mois d'une régie, à partir du planning et des présences.",
  },
  {
    href: '/agent/import-factures',
    title: 'Importer des factures ou des règlements',
    text: 'Fichiers CSV du logiciel de facturation : vérification ligne par ligne, puis import.',
  },
  {
    href: '/agent/accuse-de-traitement',
    title: "Voir l'accusé de traitement de la prochaine fenêtre",
    text: "Les courriels de 13:00 ou de 18:00, tels qu'ils partiraient maintenant.",
  },
];

export function AgentHomePage({ me }: { me: Me }) {
  const counts = useLoad(countPending);
  const c = counts.data;
  const payments = useLoad(countToReview);
  const p = payments.data;
  return (
    <AgentPage title="Back-office">
      <p class="lead">Bonjour {displayName(me)}.</p>

      <section class="panel panel--tinted" aria-labelledby="en-attente">
        <h2 id="en-attente">Demandes en attente</h2>
        {counts.error ? (
          <LoadFailure error={counts.error} />
        ) : !c ? (
          <Loading text="Comptage des demandes en attente…" />
        ) : c.total === 0 ? (
          <p>Aucune demande n'attend de traitement.</p>
        ) : (
          <>
            <p>
              <strong>
                {c.more ? `Plus de ${c.total} demandes` : plural(c.total, 'demande', 'demandes')} en attente de traitement.
              </strong>
            </p>
            <ul>
              {(Object.keys(REQUEST_KINDS) as RequestKind[])
                .filter((k) => c.byKind[k])
                .map((k) => (
                  <li key={k}>
                    <a href={`/agent/demandes?type=${k}`}>
                      {REQUEST_KINDS[k]} : {c.byKind[k]}
                      {c.more ? ' ou plus' : ''}
                    </a>
                  </li>
                ))}
            </ul>
            <p>
              <a class="button" href="/agent/demandes">
                Traiter les demandes
              </a>
            </p>
          </>
        )}
      </section>

      {payments.error ? (
        <LoadFailure error={payments.error} />
      ) : (
        p &&
        p.count > 0 && (
          <section class="panel panel--tinted spaced-small" aria-labelledby="paiements-en-ligne">
            <h2 id="paiements-en-ligne">Paiements en ligne</h2>
            <p>
              <a href={ONLINE_PAYMENTS_PAGE}>
                <strong>{toReviewText(p.count, p.more)}</strong>
              </a>
            </p>
            <p>Encaissés alors que leur facture était déjà réglée ou annulée : à rembourser ou à affecter à une autre facture.</p>
          </section>
        )
      )}

      <h2 class="spaced">Rubriques</h2>
      <ul class="tiles">
        {SECTIONS.map((s) => (
          <li key={s.href}>
            <div class="tile">
              <h3>
                <a href={s.href}>{s.title}</a>
              </h3>
              <p>{s.text}</p>
            </div>
          </li>
        ))}
      </ul>
    </AgentPage>
  );
}
