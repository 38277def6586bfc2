/**
 * The crèches in the back-office: `/agent/creche` lists the applications
 * (oldest first, filtered by state, crèche, desired start month, the child's
 * age at the start and an overdue birth, by pages of 20),
 * `/agent/creche/{id}` shows one (the child or the child expected, the
 * family, the schedule and its hours, the crèches ranked, the situation, the
 * history) with its two actions, "Changer l'état" and "Proposer une place";
 * `/agent/creches` lists the commune's crèches, their places asked and free
 * per age group and month, and adds one.
 */
import { useState } from 'preact/hooks';

import type { FieldProblem } from '../api';
import { type AgeGroup, type CrecheApplication, type CrecheFilters, type CrechePlaces, type CrecheStatus, type CrecheStructure, type MonthPlaces, agent } from '../api/agent';
import { parseTypedDay } from '../dates';
import { location, navigate } from '../router';
import { STATUS_LABELS, byText, deadlineText, eventText, hoursText, parisInstant, scheduleText, statusBadge, statusLabel, workLabel } from '../creche/model';
import { CrecheDocuments, incompleteMessage } from '../creche/documents';
import { Checkbox, DateField, ErrorSummary, InputField, RequiredNote, SelectField, SubmitButton, TextAreaField, formErrors, required, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { shortDate } from './format';
import { AgentPage, PageButtons, Result, StateBadge, TableRegion } from './ui';
import { CrecheStatsSection } from './creche-stats';

const LIST_PATH = '/agent/creche';

/** The supporting documents of an application, as the list says them. */
function documentsText(a: CrecheApplication): string {
  if (a.documents.length === 0) return '—';
  if (a.documents_missing === 0) return 'Aucune à fournir';
  return a.documents_missing === 1 ? '1 à fournir' : `${a.documents_missing} à fournir`;
}
const STRUCTURES_PATH = '/agent/creches';
const MESSAGE_MAX = 700;
const listCrumb = { href: LIST_PATH, label: 'Préinscriptions en crèche' };

const STATUS_OPTIONS = Object.entries(STATUS_LABELS) as [CrecheStatus, string][];
/** The states an agent sets by hand (an offer has its own form; the family answers it). */
const AGENT_STATUSES: [CrecheStatus, string][] = (['incomplete', 'under_review', 'waiting', 'closed'] as CrecheStatus[]).map((s) => [s, statusLabel(s)]);

function Badge({ status }: { status: CrecheStatus }) {
  return <StateBadge state={statusBadge(status)} text={statusLabel(status)} />;
}

const namesOf = (list: CrecheStructure[] | undefined) => new Map((list ?? []).map((s) => [s.id, s.name]));

// ---- the list ------------------------------------------------------------------------------

/** `YYYY-MM` from what an agent types: `09/2027`, `9/2027` or `2027-09`; null otherwise. */
export function parseMonth(text: string): string | null {
  const t = text.trim();
  let m = /^(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) {
    const month = Number(m[1]);
    return month >= 1 && month <= 12 ? `${m[2]}-${String(month).padStart(2, '0')}` : null;
  }
  m = /^(\d{4})-(\d{2})$/.exec(t);
  if (m) {
    const month = Number(m[2]);
    return month >= 1 && month <= 12 ? t : null;
  }
  return null;
}

/** `2027-09` → `09/2027`. */
const monthText = (m: string) => (/^\d{4}-\d{2}$/.test(m) ? `${m.slice(5)}/${m.slice(0, 4)}` : '');

/** `2027-09` → « septembre 2027 ». */
export function monthName(m: string): string {
  const d = new Date(`${m}-01T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? m : new Intl.DateTimeFormat('fr-FR', { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(d);
}

/** An age in months, 0 to 36, as typed; null otherwise. */
const ageOf = (v: string | null | undefined) => (v && /^\d{1,2}$/.test(v.trim()) && Number(v) <= 36 ? Number(v) : null);

function ageText(months: number | null | undefined): string {
  return months === null || months === undefined ? 'Inconnu' : `${months} mois`;
}

/** `/agent/creche`. */
export function CrecheApplicationsPage() {
  const structures = useLoad(() => agent.crecheStructures());
  // The filters are the address's (`?etat=offered&creche=…&mois=2027-09&age-min=3&age-max=12&naissance=en-retard`):
  // a list to link to, and the browser's Back.
  const { query } = location();
  const asked = query.get('etat') ?? '';
  const filters = {
    status: STATUS_OPTIONS.some(([k]) => k === asked) ? asked : '',
    structure: (query.get('creche') ?? '').slice(0, 40),
    month: parseMonth(query.get('mois') ?? '') ?? '',
    ageFrom: ageOf(query.get('age-min')),
    ageTo: ageOf(query.get('age-max')),
    overdue: query.get('naissance') === 'en-retard',
  };
  const [status, setStatus] = useState(filters.status);
  const [structure, setStructure] = useState(filters.structure);
  const [month, setMonth] = useState(monthText(filters.month));
  const [ageFrom, setAgeFrom] = useState(filters.ageFrom === null ? '' : String(filters.ageFrom));
  const [ageTo, setAgeTo] = useState(filters.ageTo === null ? '' : String(filters.ageTo));
  const [overdue, setOverdue] = useState(filters.overdue);
  const [filterError, setFilterError] = useState<ReturnType<typeof formErrors>>(null);
  // The pages seen, to go back: the token of each (null: the first).
  const [pages, setPages] = useState<(string | null)[]>([null]);
  const page = pages[pages.length - 1] ?? null;
  const asking: CrecheFilters = {
    status: (filters.status || undefined) as CrecheStatus | undefined,
    structure: filters.structure || undefined,
    start_month: filters.month || undefined,
    age_from_months: filters.ageFrom ?? undefined,
    age_to_months: filters.ageTo ?? undefined,
    birth_overdue: filters.overdue || undefined,
  };
  const list = useLoad(
    () => agent.crecheApplications(asking, page),
    [filters.status, filters.structure, filters.month, filters.ageFrom, filters.ageTo, filters.overdue, page],
    { keep: true },
  );
  const named = namesOf(structures.data?.items);
  const items = list.data?.items;

  return (
    <AgentPage title="Préinscriptions en crèche" crumbs={[{ label: 'Préinscriptions en crèche' }]}>
      <p>
        Les demandes de place en crèche des familles, les plus anciennes d'abord. Les crèches de la commune et leurs places se gèrent sur la page <a href={STRUCTURES_PATH}>Crèches</a>.
      </p>
      <p>
        Une commission décide de plusieurs demandes en une fois : <a href="/agent/creche/commission">Nouvelle commission</a>, <a href="/agent/creche/commissions">Commissions</a>.
      </p>
      <form
        class="panel bo-filters"
        role="search"
        aria-labelledby="filtres-titre"
        noValidate
        onSubmit={(ev) => {
          ev.preventDefault();
          const local: FieldProblem[] = [];
          const m = month.trim() ? parseMonth(month) : '';
          if (m === null) local.push({ field: 'start_month', code: 'invalid_start_month', message: "Indiquez le mois d'entrée au format MM/AAAA, par exemple 09/2027." });
          const from = ageFrom.trim() ? ageOf(ageFrom) : undefined;
          const to = ageTo.trim() ? ageOf(ageTo) : undefined;
          if (from === null || to === null || (from !== undefined && to !== undefined && from >= to)) {
            local.push({ field: 'age', code: 'invalid_age_range', message: "Indiquez les âges en mois, de 0 à 36, l'âge minimum avant l'âge maximum." });
          }
          if (local.length) {
            setFilterError(formErrors(local));
            return;
          }
          setFilterError(null);
          const q = new URLSearchParams();
          if (status) q.set('etat', status);
          if (structure) q.set('creche', structure);
          if (m) q.set('mois', m);
          if (from !== undefined && from !== null) q.set('age-min', String(from));
          if (to !== undefined && to !== null) q.set('age-max', String(to));
          if (overdue) q.set('naissance', 'en-retard');
          const search = q.toString();
          setPages([null]);
          navigate(`${LIST_PATH}${search ? `?${search}` : ''}`);
        }}
      >
        <h2 id="filtres-titre">Filtrer les préinscriptions</h2>
        <ErrorSummary error={filterError} id="filtres-erreurs" fields={{ start_month: 'filtre-mois', age: 'filtre-age-min' }} />
        <div class="bo-grid">
        <SelectField id="filtre-etat" label="État" empty="Tous les états" value={status} onValue={setStatus} options={STATUS_OPTIONS} />
        <SelectField
          id="filtre-creche"
          label="Crèche"
          empty="Toutes les crèches"
          value={structure}
          onValue={setStructure}
          options={(structures.data?.items ?? []).map((s): [string, string] => [s.id, s.name])}
        />
        <InputField
          id="filtre-mois"
          label="Mois d'entrée souhaité"
          hint="Format : MM/AAAA."
          value={month}
          onValue={setMonth}
          error={filterError?.fieldMessage('start_month')}
          maxLength={7}
          short
          autoComplete="off"
        />
        <InputField
          id="filtre-age-min"
          label="Âge à l'entrée, à partir de (mois)"
          inputMode="numeric"
          value={ageFrom}
          onValue={setAgeFrom}
          error={filterError?.fieldMessage('age')}
          maxLength={2}
          short
          autoComplete="off"
        />
        <InputField id="filtre-age-max" label="Âge à l'entrée, moins de (mois)" inputMode="numeric" value={ageTo} onValue={setAgeTo} maxLength={2} short autoComplete="off" />
        <Checkbox id="filtre-naissance" label="Naissance non déclarée seulement" checked={overdue} onChecked={setOverdue} />
        </div>
        <div class="actions">
          <button type="submit" class="button button--secondary">
            Filtrer
          </button>
        </div>
      </form>
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des préinscriptions…" />
      ) : items.length === 0 ? (
        <p>Aucune préinscription ne correspond.</p>
      ) : (
        <TableRegion labelledBy="creche-legende">
          <table class="bo-table">
            <caption id="creche-legende">Préinscriptions en crèche, les plus anciennes d'abord</caption>
            <thead>
              <tr>
                <th scope="col">Enfant</th>
                <th scope="col">Déposée le</th>
                <th scope="col">Entrée souhaitée</th>
                <th scope="col">Âge à l'entrée</th>
                <th scope="col">Heures par semaine</th>
                <th scope="col">Crèches choisies</th>
                <th scope="col">Pièces</th>
                <th scope="col">État</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    <a href={`${LIST_PATH}/${encodeURIComponent(a.id)}`}>{a.child}</a>
                    {a.birth_overdue && <span class="bo-muted"> — Naissance non déclarée</span>}
                  </th>
                  <td>{deadlineText(a.submitted_at)}</td>
                  <td>{shortDate(a.start_date)}</td>
                  <td>{ageText(a.age_at_start_months)}</td>
                  <td>{hoursText(a.hours_per_week)}</td>
                  <td>{a.structures.map((id, i) => `${i + 1}. ${named.get(id) ?? 'Crèche'}`).join(', ')}</td>
                  <td>{documentsText(a)}</td>
                  <td>
                    <Badge status={a.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <PageButtons label="Pages des préinscriptions" pages={pages} next={list.data?.next_page} onPages={setPages} />
    </AgentPage>
  );
}

// ---- one application ----------------------------------------------------------------------------

/** `/agent/creche/{id}`. */
export function CrecheApplicationPage({ id }: { id: string }) {
  const app = useLoad(() => agent.crecheApplication(id), [id], { keep: true });
  const structures = useLoad(() => agent.crecheStructures());
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const named = namesOf(structures.data?.items);

  function changed(a: CrecheApplication, text: string) {
    app.setData(a);
    setDone({ text, at: Date.now() });
  }

  const a = app.data;
  const open = a ? !['accepted', 'declined', 'withdrawn', 'closed'].includes(a.status) : false;
  return (
    <AgentPage title={a ? `Préinscription en crèche : ${a.child}` : 'Préinscription en crèche'} crumbs={[listCrumb, { label: a ? a.child : 'Préinscription' }]}>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {app.error ? (
        <LoadFailure error={app.error} notFound="Cette préinscription est introuvable." back={{ href: LIST_PATH, label: 'Retour aux préinscriptions' }} />
      ) : !a ? (
        <Loading text="Chargement de la préinscription…" />
      ) : (
        <>
          <p>
            État : <Badge status={a.status} />
          </p>
          <section class="panel" aria-labelledby="demande-titre">
            <h2 id="demande-titre">La demande</h2>
            <dl class="facts">
              <dt>Enfant</dt>
              <dd>
                {a.child}
                {a.expected && `, naissance prévue le ${shortDate(a.expected.due_date)}`}
                {a.birth_overdue && ' — Naissance non déclarée'}
              </dd>
              <dt>Âge à l'entrée souhaitée</dt>
              <dd>{ageText(a.age_at_start_months)}</dd>
              <dt>Famille</dt>
              <dd>
                <a href={`/agent/familles/${encodeURIComponent(a.family_id)}`}>Voir le dossier famille</a>
              </dd>
              <dt>Déposée le</dt>
              <dd>{deadlineText(a.submitted_at)}</dd>
              <dt>Entrée souhaitée</dt>
              <dd>{shortDate(a.start_date)}</dd>
              <dt>Emploi du temps</dt>
              <dd>
                {scheduleText(a.schedule)}, soit {hoursText(a.hours_per_week)} par semaine
              </dd>
              <dt>Crèches choisies</dt>
              <dd>
                <ol>
                  {a.structures.map((sid) => (
                    <li key={sid}>{named.get(sid) ?? 'Crèche'}</li>
                  ))}
                </ol>
              </dd>
              <dt>Situation professionnelle des parents</dt>
              <dd>{(a.situation.parents_work ?? []).length ? (a.situation.parents_work ?? []).map(workLabel).join(', ') : 'Non renseignée'}</dd>
              <dt>Frères et sœurs en crèche</dt>
              <dd>{a.situation.siblings_in_creche ?? 0}</dd>
              <dt>Commentaire</dt>
              <dd>{a.comment || 'Aucun'}</dd>
              <dt>À renouveler avant le</dt>
              <dd>{shortDate(a.renew_before)}</dd>
              {a.offer && (
                <>
                  <dt>Place proposée</dt>
                  <dd>
                    {a.offer.structure}, à partir du {shortDate(a.offer.start_date)}, {hoursText(a.offer.hours_per_week)} par semaine ; réponse attendue avant le{' '}
                    {deadlineText(a.offer.deadline)}
                    {a.offer.lapsed && ' (délai dépassé sans réponse)'}
                  </dd>
                </>
              )}
            </dl>
          </section>
          <CrecheDocuments documents={a.documents} variant="agent" />
          {open && a.status !== 'offered' && <StatusForm app={a} onDone={changed} />}
          {(a.status === 'under_review' || a.status === 'waiting') && structures.data && <OfferForm app={a} structures={structures.data.items} onDone={changed} />}
          <section aria-labelledby="historique-titre">
            <h2 id="historique-titre">Historique</h2>
            <ol>
              {a.history.map((h, i) => (
                <li key={`${h.at}-${i}`}>
                  <strong>{eventText(h)}</strong> par {byText(h)}, le {deadlineText(h.at)}
                  {h.message && <p class="creche-message">{h.message}</p>}
                </li>
              ))}
            </ol>
          </section>
        </>
      )}
    </AgentPage>
  );
}

interface ActionProps {
  app: CrecheApplication;
  onDone: (a: CrecheApplication, text: string) => void;
}

function StatusForm({ app, onDone }: ActionProps) {
  const [status, setStatus] = useState('');
  const [message, setMessage] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);

  function submit(ev: Event) {
    ev.preventDefault();
    if (!status) {
      setError(formErrors([required('status', 'Nouvel état')]));
      return;
    }
    void run(
      () => agent.setCrecheStatus(app.id, { status: status as CrecheStatus, message: message.trim() || null }),
      (a) => {
        setStatus('');
        setMessage('');
        onDone(a, `État enregistré : ${statusLabel(a.status)}. La famille en est informée.`);
      },
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="etat-titre">
      <h2 id="etat-titre">Changer l'état</h2>
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={error} id="etat-erreurs" fields={{ status: 'etat-nouveau', message: 'etat-message' }} />
        <SelectField id="etat-nouveau" label="Nouvel état" required empty="Choisir un état" value={status} onValue={(v) => { setStatus(v); if (v === 'incomplete' && !message.trim()) setMessage(incompleteMessage(app.documents, MESSAGE_MAX)); }} options={AGENT_STATUSES.filter(([k]) => k !== app.status)} error={err('status')} />
        <TextAreaField
          id="etat-message"
          label="Message à la famille"
          hint={`Facultatif, ${MESSAGE_MAX} caractères au plus : par exemple, ce qui manque à une demande incomplète.`}
          value={message}
          onValue={setMessage}
          error={err('message')}
          maxLength={MESSAGE_MAX}
        />
        <div class="actions">
          <SubmitButton busy={busy}>Enregistrer l'état</SubmitButton>
        </div>
      </form>
    </section>
  );
}

function OfferForm({ app, structures, onDone }: ActionProps & { structures: CrecheStructure[] }) {
  const [structure, setStructure] = useState(app.structures[0] ?? '');
  const [start, setStart] = useState(shortDate(app.start_date));
  const [date, setDate] = useState('');
  const [time, setTime] = useState('23:59');
  const [message, setMessage] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!structure) local.push(required('structure_id', 'Crèche'));
    const startDay = parseTypedDay(start);
    if (!startDay) local.push({ field: 'start_date', code: 'invalid_start_date', message: "Indiquez la date d'entrée au format JJ/MM/AAAA." });
    const day = parseTypedDay(date);
    const deadline = day ? parisInstant(day, time) : null;
    if (!deadline) local.push({ field: 'deadline', code: 'invalid_deadline', message: 'Indiquez la date limite de réponse au format JJ/MM/AAAA et son heure au format HH:MM.' });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    void run(
      () => agent.offerCrechePlace(app.id, { structure_id: structure, start_date: startDay as string, deadline: deadline as string, message: message.trim() || null }),
      (a) => {
        setMessage('');
        onDone(a, `Place proposée à la famille, réponse attendue avant le ${a.offer ? deadlineText(a.offer.deadline) : ''}.`);
      },
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="offre-titre">
      <h2 id="offre-titre">Proposer une place</h2>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary
          error={error}
          id="offre-erreurs"
          fields={{ structure_id: 'offre-creche', structures: 'offre-creche', start_date: 'offre-entree', deadline: 'offre-date', message: 'offre-message' }}
        />
        <SelectField
          id="offre-creche"
          label="Crèche"
          required
          empty="Choisir une crèche"
          value={structure}
          onValue={setStructure}
          options={structures.map((s): [string, string] => [s.id, app.structures.includes(s.id) ? `${s.name} (${app.structures.indexOf(s.id) + 1}e choix)`.replace('1e choix', '1er choix') : s.name])}
          error={err('structure_id') ?? err('structures')}
        />
        <DateField id="offre-entree" label="Date d'entrée" required value={start} onValue={setStart} error={err('start_date')} short />
        <DateField id="offre-date" label="Date limite de réponse" required value={date} onValue={setDate} error={err('deadline')} short />
        <InputField id="offre-heure" label="Heure limite de réponse" hint="Format : HH:MM, heure de Paris." required value={time} onValue={setTime} maxLength={5} short autoComplete="off" />
        <TextAreaField
          id="offre-message"
          label="Message à la famille"
          hint={`Facultatif, ${MESSAGE_MAX} caractères au plus.`}
          value={message}
          onValue={setMessage}
          error={err('message')}
          maxLength={MESSAGE_MAX}
        />
        <div class="actions">
          <SubmitButton busy={busy}>Proposer la place</SubmitButton>
        </div>
      </form>
    </section>
  );
}

// ---- the crèches -----------------------------------------------------------------------------

interface GroupRow {
  name: string;
  from: string;
  to: string;
  places: string;
}

const GROUPS_MAX = 6;

/** `/agent/creches`. */
export function CrechesPage() {
  const list = useLoad(() => agent.crecheStructures(), [], { keep: true });
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const [placesKey, setPlacesKey] = useState(0);
  const items = list.data?.items;
  return (
    <AgentPage title="Crèches" crumbs={[{ label: 'Crèches' }]}>
      <p>
        Les crèches de la commune, que les familles choisissent dans leur préinscription. Les demandes se traitent sur la page <a href={LIST_PATH}>Préinscriptions en crèche</a>.
      </p>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des crèches…" />
      ) : items.length === 0 ? (
        <p>Aucune crèche n'est encore enregistrée.</p>
      ) : (
        <TableRegion labelledBy="creches-legende">
          <table class="bo-table">
            <caption id="creches-legende">Crèches de la commune, par nom</caption>
            <thead>
              <tr>
                <th scope="col">Nom</th>
                <th scope="col">Adresse</th>
                <th scope="col">Âges accueillis</th>
                <th scope="col">Sections et places</th>
              </tr>
            </thead>
            <tbody>
              {items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.name}</th>
                  <td>{s.address || <span class="bo-muted">Non renseignée</span>}</td>
                  <td>
                    De {s.age_from_months ?? 0} à {s.age_to_months ?? 36} mois
                  </td>
                  <td>
                    {(s.groups ?? []).length ? (
                      <ul>
                        {(s.groups ?? []).map((g) => (
                          <li key={g.name}>
                            {g.name} ({g.from_months}–{g.to_months} mois) : {g.places} places
                          </li>
                        ))}
                      </ul>
                    ) : (
                      <span class="bo-muted">Aucune section</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {items && items.length > 0 && <PlacesSection key={placesKey} />}
      <StructureForm
        onDone={async (name) => {
          setPlacesKey((k) => k + 1);
          await list.reload();
          setDone({ text: `Crèche « ${name} » ajoutée.`, at: Date.now() });
        }}
      />
      <CrecheStatsSection />
    </AgentPage>
  );
}

const PLACES_MONTHS: [string, string][] = [
  ['3', '3 mois'],
  ['6', '6 mois'],
  ['12', '12 mois'],
];

/** The places of every crèche, per age group and month. */
function PlacesSection() {
  const [months, setMonths] = useState('6');
  const places = useLoad(() => agent.crechePlaces({ months: Number(months) }), [months], { keep: true });
  const report = places.data;
  return (
    <section aria-labelledby="places-titre" class="spaced-small">
      <h2 id="places-titre">Places demandées et places libres</h2>
      <p>
        Par crèche, section et mois : les places de la section, les places attribuées (enfants dont la famille a accepté une place, tant qu'ils ont l'âge de la section), les places libres et
        les demandes en cours dont l'entrée souhaitée tombe ce mois-là, comptées dans la section de l'âge de l'enfant à cette date (dont celles où la crèche est le 1er choix). Les enfants
        accueillis avant Marelle ne sont pas comptés.
      </p>
      <SelectField id="places-mois" label="Période affichée, à partir de ce mois" value={months} onValue={setMonths} options={PLACES_MONTHS} />
      {places.error ? (
        <LoadFailure error={places.error} />
      ) : !report ? (
        <Loading text="Calcul des places…" />
      ) : (
        <>
          {report.truncated && (
            <p class="bo-muted">Les demandes les plus anciennes n'ont pas été lues ({report.scanned} demandes lues) : les chiffres peuvent être incomplets.</p>
          )}
          {report.structures.map((c) => (
            <PlacesTable key={c.structure_id} creche={c} />
          ))}
        </>
      )}
    </section>
  );
}

function freeText(m: MonthPlaces): string {
  return m.over > 0 ? `${m.free} (${m.over} en surnombre)` : String(m.free);
}

function PlacesTable({ creche }: { creche: CrechePlaces }) {
  const columns: { name: string; months: MonthPlaces[] }[] = [
    ...creche.groups.map((g) => ({ name: `${g.name} (${g.from_months}–${g.to_months} mois)`, months: g.months })),
    { name: creche.groups.length ? 'Total de la crèche' : 'Toute la crèche (aucune section)', months: creche.total },
  ];
  const caption = `places-${creche.structure_id}`;
  return (
    <TableRegion labelledBy={caption}>
      <table class="bo-table creche-places">
        <caption id={caption}>Places de la crèche {creche.name}, par mois</caption>
        <thead>
          <tr>
            <th rowSpan={2} scope="col">
              Mois
            </th>
            {columns.map((c) => (
              <th key={c.name} scope="colgroup" colSpan={4}>
                {c.name}
              </th>
            ))}
          </tr>
          <tr>
            {columns.map((c) => [
              <th key={`${c.name}-p`} scope="col">
                Places
              </th>,
              <th key={`${c.name}-a`} scope="col">
                Attribuées
              </th>,
              <th key={`${c.name}-l`} scope="col">
                Libres
              </th>,
              <th key={`${c.name}-d`} scope="col">
                Demandées (dont 1<sup>er</sup> choix)
              </th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {creche.total.map((t, i) => (
            <tr key={t.month}>
              <th scope="row">{monthName(t.month)}</th>
              {columns.map((c) => {
                const m = c.months[i] ?? t;
                return [
                  <td key={`${c.name}-p`}>{m.places}</td>,
                  <td key={`${c.name}-a`}>{m.taken}</td>,
                  <td key={`${c.name}-l`}>{freeText(m)}</td>,
                  <td key={`${c.name}-d`}>
                    {m.asked} ({m.asked_first})
                  </td>,
                ];
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

function StructureForm({ onDone }: { onDone: (name: string) => Promise<void> }) {
  const [name, setName] = useState('');
  const [address, setAddress] = useState('');
  const [from, setFrom] = useState('0');
  const [to, setTo] = useState('36');
  const [groups, setGroups] = useState<GroupRow[]>([]);
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);
  const num = (v: string) => (/^\d{1,3}$/.test(v.trim()) ? Number(v.trim()) : null);

  function setGroup(i: number, patch: Partial<GroupRow>) {
    setGroups((g) => g.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  }

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!name.trim()) local.push(required('name', 'Nom de la crèche'));
    const a = num(from);
    const b = num(to);
    if (a === null || b === null) local.push({ field: 'age_range', code: 'invalid_age_range', message: 'Indiquez les âges en mois, de 0 à 36.' });
    const body: AgeGroup[] = [];
    for (const g of groups) {
      const f = num(g.from);
      const t = num(g.to);
      const p = num(g.places);
      if (!g.name.trim() || f === null || t === null || p === null) {
        local.push({ field: 'groups', code: 'invalid_groups', message: 'Chaque section a un nom, des âges en mois et un nombre de places.' });
        break;
      }
      body.push({ name: g.name.trim(), from_months: f, to_months: t, places: p });
    }
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const created = name.trim();
    void run(
      () => agent.createCrecheStructure({ name: created, address: address.trim() || null, age_from_months: a, age_to_months: b, groups: body }),
      () => {
        setName('');
        setAddress('');
        setFrom('0');
        setTo('36');
        setGroups([]);
        void onDone(created);
      },
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="creche-titre">
      <h2 id="creche-titre">Ajouter une crèche</h2>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary
          error={error}
          id="creche-erreurs"
          fields={{ name: 'creche-nom', address: 'creche-adresse', age_range: 'creche-age-min', groups: 'creche-section-1-nom' }}
        />
        <InputField id="creche-nom" label="Nom de la crèche" required value={name} onValue={setName} error={err('name')} maxLength={100} autoComplete="off" />
        <InputField id="creche-adresse" label="Adresse" hint="Facultative." value={address} onValue={setAddress} error={err('address')} maxLength={200} autoComplete="off" />
        <InputField id="creche-age-min" label="Âge minimum, en mois" inputMode="numeric" value={from} onValue={setFrom} error={err('age_range')} maxLength={2} short autoComplete="off" />
        <InputField id="creche-age-max" label="Âge maximum, en mois (exclu)" inputMode="numeric" value={to} onValue={setTo} maxLength={2} short autoComplete="off" />
        <fieldset class="creche-sections">
          <legend>Sections</legend>
          <p class="hint">Facultatives, {GROUPS_MAX} au plus : par exemple « Bébés », de 2 à 12 mois, 10 places.</p>
          {err('groups') && <p class="field-error">{err('groups')}</p>}
          {groups.map((g, i) => (
            <div class="creche-section-row" key={i} role="group" aria-label={`Section ${i + 1}`}>
              <InputField id={`creche-section-${i + 1}-nom`} label={`Nom de la section ${i + 1}`} value={g.name} onValue={(v) => setGroup(i, { name: v })} maxLength={50} autoComplete="off" />
              <InputField id={`creche-section-${i + 1}-de`} label="De (mois)" inputMode="numeric" value={g.from} onValue={(v) => setGroup(i, { from: v })} maxLength={2} short autoComplete="off" />
              <InputField id={`creche-section-${i + 1}-a`} label="À (mois, exclu)" inputMode="numeric" value={g.to} onValue={(v) => setGroup(i, { to: v })} maxLength={2} short autoComplete="off" />
              <InputField id={`creche-section-${i + 1}-places`} label="Places" inputMode="numeric" value={g.places} onValue={(v) => setGroup(i, { places: v })} maxLength={3} short autoComplete="off" />
              <button type="button" class="button button--secondary button--small" onClick={() => setGroups((x) => x.filter((_, j) => j !== i))}>
                Retirer<span class="visually-hidden"> la section {i + 1}</span>
              </button>
            </div>
          ))}
          {groups.length < GROUPS_MAX && (
            <button type="button" class="button button--secondary button--small" onClick={() => setGroups((x) => [...x, { name: '', from: '', to: '', places: '' }])}>
              Ajouter une section
            </button>
          )}
        </fieldset>
        <div class="actions">
          <SubmitButton busy={busy}>Ajouter la crèche</SubmitButton>
        </div>
      </form>
    </section>
  );
}
