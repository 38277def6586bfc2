/**
 * `/agent/demandes/{id}`: one request. A dossier change shows each field
 * side by side (current value, requested value); a reservation or absence
 * its child, activity and day. Then the history, the decision (with an
 * optional message to the family) and a message to the family.
 */
import { useState } from 'preact/hooks';

import { DECISIONS, REQUEST_KINDS, REQUEST_STATES } from '../labels';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { ActionError, ErrorSummary, formErrors, TextAreaField, useSubmit } from '../ui/form';
import { type Decision, type DocumentVersion, type Dossier, type HistoryEntry, type PlanningDetails, type RequestDetail, agent } from '../api/agent';
import { dateTime, hhmm, longDate, fullName } from './format';
import { AgentPage, Result, StateBadge, TableRegion } from './ui';
import { ValueView, same } from './values';
import '../documents/documents.css';

const EVENTS: Record<HistoryEntry['event'], string> = {
  submitted: 'Demande envoyée',
  accepted: 'Demande acceptée',
  refused: 'Demande refusée',
  cancelled: 'Demande annulée',
  message: 'Message',
};

const BY: Record<HistoryEntry['by'], string> = { family: 'par la famille', commune: 'par la collectivité' };

function History({ history }: { history: HistoryEntry[] }) {
  return (
    <section class="spaced-small" aria-labelledby="historique">
      <h2 id="historique">Historique de la demande</h2>
      <ol class="bo-history">
        {history.map((h, i) => (
          <li key={i}>
            <p class="bo-history__head">
              <strong>{EVENTS[h.event] ?? h.event}</strong> {BY[h.by] ?? ''}, le {dateTime(h.at)}
            </p>
            {h.message && <blockquote class="bo-quote">{h.message}</blockquote>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function Changes({ r }: { r: RequestDetail }) {
  const changes = r.changes ?? [];
  if (changes.length === 0) return <p>Aucun champ modifié.</p>;
  return (
    <TableRegion labelledBy="modifs-legende">
      <table class="bo-table bo-table--compare">
        <caption id="modifs-legende" class="visually-hidden">
          Modifications demandées
        </caption>
        <thead>
          <tr>
            <th scope="col">Champ</th>
            <th scope="col">Valeur actuelle</th>
            <th scope="col">Valeur demandée</th>
          </tr>
        </thead>
        <tbody>
          {changes.map((c) => {
            const current = c.current === undefined ? c.old : c.current;
            return (
              <tr key={c.field}>
                <th scope="row">{c.label}</th>
                <td>
                  <ValueView field={c.field} value={current} />
                  {c.current !== undefined && !same(c.old, c.current) && (
                    <p class="bo-note">
                      Au moment de la demande : <ValueView field={c.field} value={c.old} />
                    </p>
                  )}
                </td>
                <td>
                  <ValueView field={c.field} value={c.new} />
                  {r.state === 'pending' && same(current, c.new) && <p class="bo-note">Déjà la valeur du dossier.</p>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </TableRegion>
  );
}

const VERSION_STATES: Record<DocumentVersion['state'], string> = {
  pending: 'En attente',
  accepted: 'Acceptée',
  refused: 'Refusée',
  cancelled: 'Remplacée avant décision',
  replaced: 'Remplacée par une plus récente',
};

/**
 * A document request: the child, the file shown inline (a PDF in a frame,
 * an image as such) with a link to open it in a new tab, and the earlier
 * files of the same type and child. Links last 5 minutes: reloading the
 * page gives fresh ones.
 */
function DocumentView({ r, family }: { r: RequestDetail; family: Dossier | null }) {
  const doc = r.document;
  const child = family?.children.find((c) => c.id === r.child_id);
  if (!doc) return <p>{r.description}</p>;
  const isPdf = doc.content_type === 'application/pdf';
  const versions = doc.versions ?? [];
  return (
    <>
      <dl class="facts">
        <dt>Document</dt>
        <dd>{doc.name}</dd>
        <dt>Enfant</dt>
        <dd>{r.child_id ? (child ? fullName(child) : family ? 'Enfant retiré du dossier' : 'Chargement…') : 'Toute la famille'}</dd>
        <dt>Fichier</dt>
        <dd>
          {doc.file_name} ({isPdf ? 'PDF' : doc.content_type === 'image/png' ? 'image PNG' : 'image JPEG'}), envoyé le {dateTime(doc.sent_at)}
        </dd>
      </dl>
      {doc.url ? (
        <>
          <div class="doc-viewer">
            {isPdf ? (
              <iframe src={doc.url} title={`${doc.name} : ${doc.file_name}`} />
            ) : (
              <img src={doc.url} alt={`${doc.name} envoyé par la famille (${doc.file_name})`} />
            )}
          </div>
          <p>
            <a href={doc.url} target="_blank" rel="noopener noreferrer" data-external>
              Ouvrir dans un nouvel onglet
              <span class="visually-hidden"> le document {doc.file_name}</span>
            </a>{' '}
            <span class="bo-muted">(lien valable 5 minutes : rechargez la page pour en obtenir un nouveau)</span>
          </p>
        </>
      ) : (
        <p class="bo-muted">Ce fichier n'est plus conservé.</p>
      )}
      <h3 id="versions-titre">Versions précédentes</h3>
      {versions.length === 0 ? (
        <p>Aucune version précédente de ce document.</p>
      ) : (
        <TableRegion labelledBy="versions-legende">
          <table class="bo-table">
            <caption id="versions-legende" class="visually-hidden">
              Versions précédentes de « {doc.name} », de la plus récente à la plus ancienne
            </caption>
            <thead>
              <tr>
                <th scope="col">Fichier</th>
                <th scope="col">Envoyé le</th>
                <th scope="col">État</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {versions.map((v) => (
                <tr key={v.id}>
                  <td>{v.file_name}</td>
                  <td>{dateTime(v.sent_at)}</td>
                  <td>{VERSION_STATES[v.state] ?? v.state}</td>
                  <td>
                    {v.url ? (
                      <a href={v.url} target="_blank" rel="noopener noreferrer" data-external>
                        Voir<span class="visually-hidden"> la version du {dateTime(v.sent_at)} (nouvel onglet)</span>
                      </a>
                    ) : (
                      <span class="bo-muted">Fichier supprimé</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </>
  );
}

function Planning({ r, family }: { r: RequestDetail; family: Dossier | null }) {
  const d: PlanningDetails = r.details ?? {};
  const child = family?.children.find((c) => c.id === r.child_id);
  return (
    <dl class="facts">
      <dt>Enfant</dt>
      <dd>{child ? fullName(child) : family ? 'Enfant retiré du dossier' : 'Chargement…'}</dd>
      <dt>Activité</dt>
      <dd>{d.activity ?? r.activity}</dd>
      <dt>Établissement</dt>
      <dd>{d.establishment ?? r.establishment}</dd>
      <dt>Jour</dt>
      <dd>{longDate(r.date)}</dd>
      <dt>Horaires</dt>
      <dd>
        {hhmm(d.start ?? r.start)}
        {d.end ? ` – ${hhmm(d.end)}` : ''}
      </dd>
      {r.kind === 'absence' && (
        <>
          <dt>Raison</dt>
          <dd>{d.reason || <span class="bo-muted">Non précisée</span>}</dd>
        </>
      )}
      {d.waiting_list && (
        <>
          <dt>Liste d'attente</dt>
          <dd>Oui : l'activité était complète ce jour-là.</dd>
        </>
      )}
    </dl>
  );
}

export function RequestPage({ id }: { id: string }) {
  const req = useLoad(() => agent.request(id), [id]);
  const r = req.data;
  const family = useLoad<Dossier | null>(() => (r ? agent.family(r.family_id) : Promise.resolve(null)), [r?.family_id], { keep: true });
  const [message, setMessage] = useState('');
  const [note, setNote] = useState('');
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const decision = useSubmit();
  const sending = useSubmit();

  function decide(d: Decision) {
    sending.setError(null);
    void decision.run(
      () => agent.decide(id, d, message),
      async () => {
        setMessage('');
        await req.reload();
        setDone({ text: `Demande ${DECISIONS[d]}. La famille en sera informée par l'accusé de traitement de 13 h ou 18 h.`, at: Date.now() });
      },
      (e) => {
        // Decided meanwhile (by someone else): show what it became.
        if (e.status === 409) void req.reload();
      },
    );
  }

  function send(ev: Event) {
    ev.preventDefault();
    decision.setError(null);
    if (!note.trim()) {
      sending.setError(formErrors([{ field: 'message', code: 'required', message: 'Écrivez le message à envoyer à la famille.' }]));
      return;
    }
    void sending.run(
      () => agent.message(id, note.trim()),
      async () => {
        setNote('');
        await req.reload();
        setDone({ text: 'Message envoyé. La famille le verra dans « Mes demandes ».', at: Date.now() });
      },
    );
  }

  const title = r ? r.description : 'Demande';
  const crumbs = [{ href: '/agent/demandes', label: 'Demandes' }, { label: r ? r.description : 'Demande' }];
  if (!r) {
    return (
      <AgentPage title={title} crumbs={crumbs}>
        {req.error ? (
          <LoadFailure error={req.error} notFound="Cette demande n'existe pas." back={{ href: '/agent/demandes', label: 'Retour aux demandes' }} />
        ) : (
          <Loading />
        )}
      </AgentPage>
    );
  }
  const planning = r.kind === 'reservation' || r.kind === 'absence';
  return (
    <AgentPage title={title} documentTitle={`Demande : ${r.description}`} error={!!decision.error || !!sending.error} crumbs={crumbs}>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <dl class="facts">
        <dt>Famille</dt>
        <dd>
          <a href={`/agent/familles/${r.family_id}`}>{family.data?.label ?? 'Voir le dossier'}</a>
        </dd>
        <dt>Type</dt>
        <dd>{REQUEST_KINDS[r.kind] ?? r.kind}</dd>
        <dt>Reçue le</dt>
        <dd>{dateTime(r.created_at)}</dd>
        <dt>État</dt>
        <dd>
          <StateBadge state={r.state} text={REQUEST_STATES[r.state] ?? r.state} />
          {r.decided_at ? ` le ${dateTime(r.decided_at)}` : ''}
        </dd>
      </dl>

      <section class="spaced-small" aria-labelledby="objet">
        <h2 id="objet">{planning ? (r.kind === 'absence' ? "Détail de l'absence" : 'Détail de la réservation') : r.kind === 'document' ? 'Document envoyé' : 'Modifications demandées'}</h2>
        {planning ? (
          <Planning r={r} family={family.data} />
        ) : r.kind === 'document' ? (
          <DocumentView r={r} family={family.data} />
        ) : r.kind === 'dossier_change' ? (
          <Changes r={r} />
        ) : (
          <p>{r.description}</p>
        )}
      </section>

      <History history={r.history} />

      <section class="panel panel--tinted spaced-small" aria-labelledby="decision">
        <h2 id="decision">Décision</h2>
        <ActionError error={decision.error} />
        {r.state === 'pending' ? (
          <form onSubmit={(e) => e.preventDefault()} noValidate aria-busy={decision.busy ? 'true' : undefined}>
            <TextAreaField
              id="message-decision"
              label={r.kind === 'document' ? 'Message à la famille (obligatoire pour un refus)' : 'Message à la famille (facultatif)'}
              hint={
                r.kind === 'document'
                  ? "Joint à la décision ; la famille lit la raison d'un refus dans sa liste de pièces justificatives."
                  : "Joint à la décision ; la famille le lit dans l'historique de sa demande."
              }
              value={message}
              onValue={setMessage}
              maxLength={2000}
            />
            <div class="actions">
              <button type="button" class="button" onClick={() => decide('accepted')} aria-disabled={decision.busy ? 'true' : undefined}>
                Accepter
              </button>
              <button type="button" class="button button--secondary" onClick={() => decide('refused')} aria-disabled={decision.busy ? 'true' : undefined}>
                Refuser
              </button>
            </div>
          </form>
        ) : (
          <p>
            Cette demande est <strong>{(REQUEST_STATES[r.state] ?? r.state).toLowerCase()}</strong>
            {r.decided_at ? ` depuis le ${dateTime(r.decided_at)}` : ''} : il n'y a plus de décision à prendre.
          </p>
        )}
      </section>

      <section class="panel spaced-small" aria-labelledby="envoyer">
        <h2 id="envoyer">Envoyer un message à la famille</h2>
        <form onSubmit={send} noValidate aria-busy={sending.busy ? 'true' : undefined}>
          <ErrorSummary error={sending.error} fields={{ message: 'message-famille' }} />
          <TextAreaField
            id="message-famille"
            label="Votre message"
            required
            hint="La famille le voit dans « Mes demandes », compté comme nouveau message."
            value={note}
            onValue={setNote}
            maxLength={2000}
            error={sending.error?.fieldMessage('message')}
            rows={4}
          />
          <div class="actions">
            <button type="submit" class="button button--secondary" aria-disabled={sending.busy ? 'true' : undefined}>
              Envoyer un message
            </button>
          </div>
        </form>
      </section>

      <p class="spaced-small">
        <a href="/agent/demandes">Retour aux demandes en attente</a>
      </p>
    </AgentPage>
  );
}
