/**
 * Crèche commission sessions in the back-office: `/agent/creche/commission`
 * (« Nouvelle commission ») lists the applications that can be decided
 * (under review or waiting, filtered by crèche), each to include with its
 * decision, crèche, start and message, and records them in one go;
 * `/agent/creche/commissions/{id}` shows a session's decisions and sends
 * its offers; `/agent/creche/commissions` lists the sessions.
 */
import { useState } from 'preact/hooks';

import type { FieldProblem } from '../api';
import { type CommissionDecisionKind, type CrecheApplication, type CrecheCommission, type CrecheStructure, agent } from '../api/agent';
import { parseTypedDay } from '../dates';
import { navigate } from '../router';
import { deadlineText, parisInstant, statusLabel } from '../creche/model';
import { Checkbox, DateField, ErrorSummary, InputField, SelectField, SubmitButton, TextAreaField, formErrors, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { shortDate } from './format';
import { AgentPage, PageButtons, Result, TableRegion } from './ui';

const LIST_PATH = '/agent/creche';
const NEW_PATH = '/agent/creche/commission';
const SESSIONS_PATH = '/agent/creche/commissions';
const MESSAGE_MAX = 700;
const DECISIONS_MAX = 100;
/** Days the families have to answer, by default. */
const ANSWER_DAYS = 15;
const crecheCrumb = { href: LIST_PATH, label: 'Préinscriptions en crèche' };
const sessionsCrumb = { href: SESSIONS_PATH, label: 'Commissions' };

const DECISIONS: [CommissionDecisionKind, string][] = [
  ['offer', 'Proposer une place'],
  ['waiting', "Liste d'attente"],
  ['refuse', 'Refuser'],
];
const decisionLabel = (k: CommissionDecisionKind) => DECISIONS.find(([c]) => c === k)?.[1] ?? k;

/** Today in Paris, `YYYY-MM-DD`, moved by `days`. */
function parisDay(days = 0): string {
  const today = new Date().toLocaleDateString('en-CA', { timeZone: 'Europe/Paris' });
  const d = new Date(`${today}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Every application in `status`, page after page (at most 10 pages). */
async function allIn(status: 'under_review' | 'waiting'): Promise<CrecheApplication[]> {
  const all: CrecheApplication[] = [];
  let page: string | null = null;
  for (let i = 0; i < 10; i++) {
    const r = await agent.crecheApplications({ status }, page);
    all.push(...r.items);
    page = r.next_page ?? null;
    if (!page) break;
  }
  return all;
}

interface Row {
  include: boolean;
  decision: CommissionDecisionKind | '';
  structure: string;
  start: string;
  message: string;
}

const rowId = (a: CrecheApplication) => `commission-${a.id}`;

/** The crèches of a select: the family's choices first, ranked, then the others. */
function structureOptions(a: CrecheApplication, all: CrecheStructure[]): [string, string][] {
  const rank = (id: string) => a.structures.indexOf(id);
  const chosen = a.structures.map((id) => all.find((s) => s.id === id)).filter((s): s is CrecheStructure => !!s);
  const others = all.filter((s) => rank(s.id) < 0);
  return [...chosen.map((s, i): [string, string] => [s.id, `${s.name} (${i === 0 ? '1er' : `${i + 1}e`} choix)`]), ...others.map((s): [string, string] => [s.id, s.name])];
}

// ---- a new session ---------------------------------------------------------------------------

/** `/agent/creche/commission`. */
export function NewCommissionPage() {
  const structures = useLoad(() => agent.crecheStructures());
  const apps = useLoad(async () => {
    const [review, waiting] = await Promise.all([allIn('under_review'), allIn('waiting')]);
    return [...review, ...waiting];
  });
  const [filter, setFilter] = useState('');
  const [rows, setRows] = useState<Record<string, Row>>({});
  const [heldOn, setHeldOn] = useState(shortDate(parisDay()));
  const [name, setName] = useState('');
  const [date, setDate] = useState(shortDate(parisDay(ANSWER_DAYS)));
  const [time, setTime] = useState('23:59');
  const { busy, error, setError, run } = useSubmit();
  const all = structures.data?.items ?? [];
  const loadError = structures.error ?? apps.error;
  const items = (apps.data ?? []).filter((a) => !filter || a.structures.includes(filter));

  const rowOf = (a: CrecheApplication): Row =>
    rows[a.id] ?? { include: false, decision: '', structure: a.structures[0] ?? '', start: shortDate(a.start_date), message: '' };
  const setRow = (a: CrecheApplication, patch: Partial<Row>) => setRows((r) => ({ ...r, [a.id]: { ...rowOf(a), ...patch } }));
  const included = (apps.data ?? []).filter((a) => rowOf(a).include);
  // The field of each posted row, for the errors: `decisions[i]`.
  const fields: Record<string, string> = {
    held_on: 'commission-date',
    name: 'commission-nom',
    deadline: 'commission-limite',
    decisions: 'commission-liste',
  };
  included.forEach((a, i) => {
    fields[`decisions[${i}]`] = `${rowId(a)}-decision`;
  });
  const rowError = (a: CrecheApplication) => {
    const i = included.indexOf(a);
    return i < 0 ? undefined : error?.fieldMessage(`decisions[${i}]`);
  };

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    const held = parseTypedDay(heldOn);
    if (!held) local.push({ field: 'held_on', code: 'invalid_date', message: 'Indiquez la date de la commission au format JJ/MM/AAAA.' });
    const day = parseTypedDay(date);
    const deadline = day ? parisInstant(day, time) : null;
    if (!deadline) local.push({ field: 'deadline', code: 'invalid_deadline', message: 'Indiquez la date limite de réponse au format JJ/MM/AAAA et son heure au format HH:MM.' });
    if (included.length === 0) local.push({ field: 'decisions', code: 'invalid_decisions', message: 'Cochez au moins une préinscription.' });
    if (included.length > DECISIONS_MAX) local.push({ field: 'decisions', code: 'invalid_decisions', message: `Une commission décide de ${DECISIONS_MAX} préinscriptions au plus.` });
    const decisions = included.map((a, i) => {
      const r = rowOf(a);
      const start = parseTypedDay(r.start);
      if (!r.decision) local.push({ field: `decisions[${i}]`, code: 'required', message: `${a.child} : choisissez la décision.` });
      else if (r.decision === 'offer' && !r.structure) local.push({ field: `decisions[${i}]`, code: 'structure_required', message: `${a.child} : choisissez la crèche proposée.` });
      else if (r.decision === 'offer' && !start) local.push({ field: `decisions[${i}]`, code: 'invalid_start_date', message: `${a.child} : indiquez la date d'entrée au format JJ/MM/AAAA.` });
      const offer = r.decision === 'offer';
      return {
        application_id: a.id,
        decision: (r.decision || 'waiting') as CommissionDecisionKind,
        structure_id: offer ? r.structure : null,
        start_date: offer ? start : null,
        message: r.message.trim() || null,
      };
    });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    void run(
      () => agent.createCrecheCommission({ held_on: held as string, name: name.trim() || null, deadline: deadline as string, decisions }),
      (c) => navigate(`${SESSIONS_PATH}/${encodeURIComponent(c.id)}`),
    );
  }

  return (
    <AgentPage title="Nouvelle commission" crumbs={[crecheCrumb, sessionsCrumb, { label: 'Nouvelle commission' }]}>
      <p>
        Cochez les préinscriptions que la commission a examinées et indiquez pour chacune la décision. Les décisions sont enregistrées ensemble ; les propositions de place sont envoyées
        aux familles ensuite, depuis la page de la commission.
      </p>
      {loadError ? (
        <LoadFailure error={loadError} />
      ) : !structures.data || !apps.data ? (
        <Loading text="Chargement des préinscriptions…" />
      ) : (
        <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
          <ErrorSummary error={error} id="commission-erreurs" fields={fields} />
          <section class="panel form-section" aria-labelledby="seance-titre">
            <h2 id="seance-titre">La séance</h2>
            <DateField id="commission-date" label="Date de la commission" required value={heldOn} onValue={setHeldOn} error={error?.fieldMessage('held_on')} short />
            <InputField id="commission-nom" label="Nom de la commission" hint="Facultatif, par exemple « Commission de mars »." value={name} onValue={setName} error={error?.fieldMessage('name')} maxLength={100} autoComplete="off" />
            <DateField id="commission-limite" label="Date limite de réponse des familles" required value={date} onValue={setDate} error={error?.fieldMessage('deadline')} short />
            <InputField id="commission-heure" label="Heure limite de réponse" hint="Format : HH:MM, heure de Paris." required value={time} onValue={setTime} maxLength={5} short autoComplete="off" />
          </section>
          <section class="spaced-small" aria-labelledby="commission-liste">
            <h2 id="commission-liste" tabIndex={-1}>
              Préinscriptions à décider
            </h2>
            <SelectField
              id="commission-filtre"
              label="Crèche choisie par la famille"
              empty="Toutes les crèches"
              value={filter}
              onValue={setFilter}
              options={all.map((s): [string, string] => [s.id, s.name])}
            />
            {items.length === 0 ? (
              <p>Aucune préinscription à l'étude ou en liste d'attente.</p>
            ) : (
              <ul class="commission-rows">
                {items.map((a) => {
                  const r = rowOf(a);
                  const id = rowId(a);
                  return (
                    <li key={a.id} class="panel commission-row">
                      <fieldset>
                        <legend>
                          {a.child}, {statusLabel(a.status).toLowerCase()}, entrée souhaitée le {shortDate(a.start_date)}
                        </legend>
                        <Checkbox id={`${id}-inclure`} label="Inclure dans la commission" checked={r.include} onChecked={(v) => setRow(a, { include: v })} />
                        {r.include && (
                          <div class="commission-decision">
                            <SelectField
                              id={`${id}-decision`}
                              label="Décision"
                              required
                              empty="Choisir une décision"
                              value={r.decision}
                              onValue={(v) => setRow(a, { decision: v as CommissionDecisionKind })}
                              options={DECISIONS}
                              error={rowError(a)}
                            />
                            {r.decision === 'offer' && (
                              <>
                                <SelectField id={`${id}-creche`} label="Crèche proposée" required empty="Choisir une crèche" value={r.structure} onValue={(v) => setRow(a, { structure: v })} options={structureOptions(a, all)} />
                                <DateField id={`${id}-entree`} label="Date d'entrée" required value={r.start} onValue={(v) => setRow(a, { start: v })} short />
                              </>
                            )}
                            <TextAreaField
                              id={`${id}-message`}
                              label="Message à la famille"
                              hint={`Facultatif, ${MESSAGE_MAX} caractères au plus.`}
                              value={r.message}
                              onValue={(v) => setRow(a, { message: v })}
                              maxLength={MESSAGE_MAX}
                              rows={2}
                            />
                          </div>
                        )}
                      </fieldset>
                    </li>
                  );
                })}
              </ul>
            )}
          </section>
          <p aria-live="polite">
            {included.length === 0
              ? 'Aucune préinscription incluse pour le moment.'
              : `${included.length} préinscription${included.length > 1 ? 's' : ''} incluse${included.length > 1 ? 's' : ''}, toutes crèches confondues.`}
          </p>
          <div class="actions">
            <SubmitButton busy={busy}>Enregistrer les décisions</SubmitButton>
          </div>
        </form>
      )}
    </AgentPage>
  );
}

// ---- a session --------------------------------------------------------------------------------

function outcomeText(d: CrecheCommission['decisions'][number]): string {
  switch (d.outcome) {
    case 'applied':
      return 'Appliquée';
    case 'unchanged':
      return "Déjà en liste d'attente";
    case 'pending':
      return 'Pas encore appliquée';
    default:
      return `Non appliquée : ${d.reason ?? ''}`;
  }
}

function mailText(d: CrecheCommission['decisions'][number]): string {
  switch (d.mail) {
    case 'to_send':
      return 'À envoyer';
    case 'sent':
      return 'Envoyé';
    case 'no_email':
      return "La famille ne reçoit pas d'e-mails";
    case 'failed':
      return "Échec de l'envoi, à renvoyer";
    case 'not_sent':
      return 'Non envoyé : la proposition ne tient plus';
    default:
      return '—';
  }
}

/** `/agent/creche/commissions/{id}`. */
export function CommissionPage({ id }: { id: string }) {
  const session = useLoad(() => agent.crecheCommission(id), [id], { keep: true });
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const send = useSubmit();
  const retry = useSubmit();
  const c = session.data;
  const title = c ? (c.name ?? `Commission du ${shortDate(c.held_on)}`) : 'Commission';

  function sendOffers() {
    void send.run(
      () => agent.sendCrecheCommission(id),
      (r) => {
        session.setData(r.commission);
        const parts = [`${r.sent} proposition${r.sent > 1 ? 's' : ''} envoyée${r.sent > 1 ? 's' : ''} par e-mail`];
        if (r.no_email) parts.push(`${r.no_email} famille${r.no_email > 1 ? 's' : ''} sans e-mail (la proposition est dans leur espace)`);
        if (r.failed) parts.push(`${r.failed} envoi${r.failed > 1 ? 's' : ''} en échec, à renvoyer`);
        if (r.not_sent) parts.push(`${r.not_sent} proposition${r.not_sent > 1 ? 's' : ''} qui ne tien${r.not_sent > 1 ? 'nent' : 't'} plus`);
        setDone({ text: `${parts.join(', ')}.`, at: Date.now() });
      },
    );
  }

  function applyAgain() {
    void retry.run(
      () => agent.applyCrecheCommission(id),
      (v) => {
        session.setData(v);
        setDone({ text: v.not_applied ? `${v.not_applied} décision(s) toujours non appliquée(s).` : 'Toutes les décisions sont appliquées.', at: Date.now() });
      },
    );
  }

  return (
    <AgentPage title={title} crumbs={[crecheCrumb, sessionsCrumb, { label: title }]}>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {session.error ? (
        <LoadFailure error={session.error} notFound="Cette commission est introuvable." back={{ href: SESSIONS_PATH, label: 'Retour aux commissions' }} />
      ) : !c ? (
        <Loading text="Chargement de la commission…" />
      ) : (
        <>
          <dl class="facts">
            <dt>Date de la commission</dt>
            <dd>{shortDate(c.held_on)}</dd>
            <dt>Réponse des familles avant le</dt>
            <dd>{deadlineText(c.deadline)}</dd>
            <dt>Propositions</dt>
            <dd>{c.sent_at ? `Propositions envoyées le ${deadlineText(c.sent_at)}` : 'Pas encore envoyées'}</dd>
          </dl>
          <TableRegion labelledBy="decisions-legende">
            <table class="bo-table">
              <caption id="decisions-legende">Décisions de la commission</caption>
              <thead>
                <tr>
                  <th scope="col">Enfant</th>
                  <th scope="col">Famille</th>
                  <th scope="col">Décision</th>
                  <th scope="col">Crèche</th>
                  <th scope="col">Entrée</th>
                  <th scope="col">Appliquée</th>
                  <th scope="col">E-mail</th>
                </tr>
              </thead>
              <tbody>
                {c.decisions.map((d) => (
                  <tr key={d.index}>
                    <th scope="row">
                      <a href={`${LIST_PATH}/${encodeURIComponent(d.application_id)}`}>{d.child}</a>
                    </th>
                    <td>{d.family}</td>
                    <td>{decisionLabel(d.decision)}</td>
                    <td>{d.structure ?? '—'}</td>
                    <td>{d.start_date ? shortDate(d.start_date) : '—'}</td>
                    <td>{outcomeText(d)}</td>
                    <td>{mailText(d)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <ErrorSummary error={send.error ?? retry.error} id="commission-action-erreurs" />
          <div class="actions">
            {c.to_send > 0 && (
              <button type="button" class="button" disabled={send.busy} onClick={sendOffers}>
                Envoyer les propositions ({c.to_send})
              </button>
            )}
            {c.not_applied > 0 && (
              <button type="button" class="button button--secondary" disabled={retry.busy} onClick={applyAgain}>
                Appliquer de nouveau les décisions non appliquées ({c.not_applied})
              </button>
            )}
          </div>
        </>
      )}
    </AgentPage>
  );
}

// ---- the sessions ------------------------------------------------------------------------------

/** `/agent/creche/commissions`. */
export function CommissionsPage() {
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const page = pages[pages.length - 1] ?? null;
  const list = useLoad(() => agent.crecheCommissions(page), [page], { keep: true });
  const items = list.data?.items;
  return (
    <AgentPage title="Commissions" crumbs={[crecheCrumb, { label: 'Commissions' }]}>
      <p>
        Les commissions d'attribution des places en crèche, les plus récentes d'abord. <a href={NEW_PATH}>Nouvelle commission</a>
      </p>
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des commissions…" />
      ) : items.length === 0 ? (
        <p>Aucune commission n'est encore enregistrée.</p>
      ) : (
        <TableRegion labelledBy="commissions-legende">
          <table class="bo-table">
            <caption id="commissions-legende">Commissions, les plus récentes d'abord</caption>
            <thead>
              <tr>
                <th scope="col">Commission</th>
                <th scope="col">Décisions</th>
                <th scope="col">Places proposées</th>
                <th scope="col">Propositions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <a href={`${SESSIONS_PATH}/${encodeURIComponent(s.id)}`}>{s.name ?? `Commission du ${shortDate(s.held_on)}`}</a>
                  </th>
                  <td>{s.decisions}</td>
                  <td>{s.offers}</td>
                  <td>{s.sent_at ? `Envoyées le ${deadlineText(s.sent_at)}` : 'Pas encore envoyées'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <PageButtons label="Pages des commissions" pages={pages} next={list.data?.next_page} onPages={setPages} />
    </AgentPage>
  );
}
