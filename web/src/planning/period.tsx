/**
 * `/planning/demande?type=reservation|absence`: the guide's request over a
 * long period. 1. a child, 2. an activity, 3. the dates (within the
 * enrolment) and the weekdays. All or nothing by default: the server
 * refuses the whole request and says why for each day; the parent may
 * then record only the possible days (`mode: "valid_days"`), offered only
 * when at least one day is possible (not on `no_day_possible`).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';

import { PLANNING_STATES, WEEKDAY_NAMES } from '../labels';
import { LoadError, Loading, useLoad } from '../ui/load';
import { ApiError, type FieldProblem, type Me, type Schemas, parent } from '../api';
import { type Day, WEEKDAYS, type Weekday, isDay, longDay, numericDay, parseTypedDay, today } from '../dates';
import { useCurrentFamily, useDossier, withQuery } from '../family/current';
import { clientError } from '../family/submitted';
import { FamilyChooser, NoFamily } from '../family/ui';
import { location } from '../router';
import { DateField, ErrorSummary, FieldError, InputField, Req, RequiredNote, SubmitButton, errorId, useSubmit } from '../ui/form';
import { Page } from '../ui/page';
import { type Enrolment, type Kind, type PlanningView, type Submitted, uuid } from './model';
import { PLANNING_CRUMBS } from './page';
import './planning.css';

const TEXT: Record<Kind, { title: string; step: string; verb: string; done: (n: number) => string }> = {
  reservation: {
    title: "Réservation d'activité",
    step: '3. Réservez',
    verb: 'réservation',
    done: (n) => (n > 1 ? `${n} demandes de réservation sont enregistrées` : '1 demande de réservation est enregistrée'),
  },
  absence: {
    title: "Déclaration d'absence",
    step: "3. Déclarez l'absence",
    verb: 'absence',
    done: (n) => (n > 1 ? `${n} déclarations d'absence sont enregistrées` : "1 déclaration d'absence est enregistrée"),
  },
};

const FIELDS: Record<string, string> = {
  child_id: 'enfant-0',
  activity_id: 'activite-0',
  from: 'du',
  to: 'au',
  dates: 'du',
  weekdays: 'jours',
  reason: 'raison',
};

interface Result {
  child: string;
  activity: string;
  answer: Submitted;
}

/** A refused day's problem is keyed by its date. */
const isDayProblem = (e: FieldProblem) => isDay(e.field);

export function PeriodRequestPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const kind: Kind = location().query.get('type') === 'absence' ? 'absence' : 'reservation';
  const t = TEXT[kind];
  const dossier = useDossier(family);
  const day = today();
  const planning = useLoad<PlanningView>(family ? () => parent.planning({ family_id: family.family_id, from: day, to: day }) : null, [family?.family_id, day]);
  const reload = planning.reload;
  const [childId, setChildId] = useState('');
  const [activityId, setActivityId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [days, setDays] = useState<Set<Weekday>>(new Set());
  const [reason, setReason] = useState('');
  const [result, setResult] = useState<Result | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const key = useRef<{ body: string; value: string } | null>(null);
  const resultBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (result) resultBox.current?.focus();
  }, [result]);

  const enrolments = planning.state === 'ready' ? planning.data.enrolments : [];
  const children = (dossier.state === 'ready' ? dossier.data.children : []).filter((c) => enrolments.some((e) => e.child_id === c.id));
  const ofChild = enrolments.filter((e) => e.child_id === childId);
  const activities = [...new Map(ofChild.map((e) => [e.activity_id, e])).values()];
  const periods = ofChild.filter((e) => e.activity_id === activityId);
  const activity: Enrolment | undefined = periods[0];
  const err = (f: string) => error?.fieldMessage(f);

  function send(mode: 'all_or_nothing' | 'valid_days') {
    setResult(null);
    const problems: FieldProblem[] = [];
    if (!childId) problems.push({ field: 'child_id', code: 'required', message: 'Sélectionnez un enfant.' });
    else if (!activityId) problems.push({ field: 'activity_id', code: 'required', message: 'Sélectionnez une activité.' });
    const fromDay = parseTypedDay(from);
    const toDay = parseTypedDay(to);
    if (!fromDay) problems.push({ field: 'from', code: 'required', message: 'Indiquez la date de début (Du), au format JJ/MM/AAAA.' });
    if (!toDay) problems.push({ field: 'to', code: 'required', message: 'Indiquez la date de fin (Au), au format JJ/MM/AAAA.' });
    if (problems.length) {
      setError(clientError(problems));
      return;
    }
    const body: Schemas['Submission'] = {
      kind,
      child_id: childId,
      activity_id: activityId,
      from: fromDay,
      to: toDay,
      weekdays: WEEKDAYS.filter((w) => days.has(w)),
      mode,
    };
    if (kind === 'absence' && reason.trim() !== '') body['reason'] = reason.trim();
    const text = JSON.stringify(body);
    if (!key.current || key.current.body !== text) key.current = { body: text, value: uuid() };
    const idem = key.current.value;
    const childName = children.find((c) => c.id === childId)?.first_name ?? '';
    const activityName = activity?.activity ?? '';
    void run(
      () => parent.submit(family?.family_id, body, idem),
      (answer) => {
        key.current = null;
        setResult({ child: childName, activity: activityName, answer });
        void reload();
      },
      (e: ApiError) => {
        // A definite refusal: the next try is a new request.
        if (e.status >= 400 && e.status < 500) key.current = null;
      },
    );
  }

  const dayProblems = error?.errors.filter(isDayProblem) ?? [];
  // The server says when no day of the period can be asked (all pending,
  // all past their deadline…): recording "only the possible days" would be
  // refused the same way, so it is not offered.
  const nothingPossible = error?.code === 'no_day_possible';
  // Each refused day with its date in words (memoised: a new object would take the focus again).
  const summaryError = useMemo(
    () =>
    error && dayProblems.length
      ? new ApiError(
          error.status,
          error.code,
          error.detail,
          dayProblems.map((e) => ({ ...e, message: `${longDay(e.field)} : ${e.message}` })),
        )
      : error,
    [error],
  );

  let body;
  if (!family) body = <NoFamily />;
  else if (planning.state === 'failed') body = <LoadError error={planning.error} />;
  else if (planning.state === 'loading' || dossier.state === 'loading') body = <Loading text="Chargement des inscriptions…" />;
  else if (children.length === 0) body = <p>Vos enfants ne sont inscrits à aucune activité pour le moment : aucune demande n'est possible.</p>;
  else {
    body = (
      <form
        onSubmit={(e) => {
          e.preventDefault();
          send('all_or_nothing');
        }}
        noValidate
        aria-busy={busy ? 'true' : undefined}
        class="prose"
      >
        <ErrorSummary error={summaryError} fields={FIELDS} title={dayProblems.length ? "Votre demande n'a pas été enregistrée" : undefined}>
          {dayProblems.length > 0 && nothingPossible && <p>Aucun jour n'a été enregistré. Vous pouvez choisir une autre période ou d'autres jours de la semaine.</p>}
          {dayProblems.length > 0 && !nothingPossible && (
            <>
              <p>Aucun jour n'a été enregistré. Vous pouvez corriger votre demande, ou n'enregistrer que les jours possibles.</p>
              <p>
                <button type="button" class="button" onClick={() => send('valid_days')} aria-disabled={busy ? 'true' : undefined}>
                  Enregistrer seulement les jours possibles
                </button>
              </p>
            </>
          )}
        </ErrorSummary>
        <RequiredNote />

        <section class="form-section" aria-labelledby="etape-enfant">
          <h2 id="etape-enfant">1. Sélectionnez un enfant</h2>
          <div class={err('child_id') ? 'field field--error' : 'field'}>
            <fieldset aria-describedby={err('child_id') ? errorId('enfant') : undefined}>
              <legend>
                Enfants
                <Req />
              </legend>
              <FieldError id="enfant" message={err('child_id')} />
              <div class="choices">
                {children.map((c, i) => (
                  <div class="choice" key={c.id}>
                    <input
                      type="radio"
                      id={`enfant-${i}`}
                      name="enfant"
                      checked={childId === c.id}
                      onChange={() => {
                        setChildId(c.id);
                        setActivityId('');
                        setDays(new Set());
                      }}
                    />
                    <label for={`enfant-${i}`}>
                      {c.last_name} {c.first_name}
                    </label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
        </section>

        <section class="form-section" aria-labelledby="etape-activite">
          <h2 id="etape-activite">2. Sélectionnez une activité</h2>
          {childId === '' ? (
            <p class="hint">Sélectionnez d'abord un enfant.</p>
          ) : (
            <div class={err('activity_id') ? 'field field--error' : 'field'}>
              <fieldset aria-describedby={err('activity_id') ? errorId('activite') : undefined}>
                <legend>
                  Activités
                  <Req />
                </legend>
                <FieldError id="activite" message={err('activity_id')} />
                <div class="choices choices--column">
                  {activities.map((a, i) => (
                    <div class="choice" key={a.activity_id}>
                      <input
                        type="radio"
                        id={`activite-${i}`}
                        name="activite"
                        checked={activityId === a.activity_id}
                        onChange={() => {
                          setActivityId(a.activity_id);
                          setDays(new Set());
                        }}
                      />
                      <label for={`activite-${i}`}>
                        {a.activity} ({a.establishment})
                      </label>
                    </div>
                  ))}
                </div>
              </fieldset>
            </div>
          )}
        </section>

        <section class="form-section" aria-labelledby="etape-dates">
          <h2 id="etape-dates">{t.step}</h2>
          {!activity ? (
            <p class="hint">Sélectionnez d'abord un enfant et une activité.</p>
          ) : (
            <>
              <p id="contraintes">
                <strong>Contraintes :</strong> - Les dates {t.verb === 'absence' ? "d'absence" : `de ${t.verb}`} doivent être comprises dans la période de l'inscription (
                {periods.map((p, i) => (
                  <span key={p.from}>
                    {i > 0 && ' ou '}du {numericDay(p.from)} au {numericDay(p.to)}
                  </span>
                ))}
                )
              </p>
              <div class="grid-2">
                <DateField id="du" label="Du" required value={from} onValue={setFrom} error={err('from') ?? err('dates')} />
                <DateField id="au" label="Au" required value={to} onValue={setTo} error={err('to')} />
              </div>
              <div class={err('weekdays') ? 'field field--error' : 'field'}>
                <fieldset aria-describedby={err('weekdays') ? errorId('jours') : undefined}>
                  <legend>
                    Jours de la semaine
                    <Req />
                  </legend>
                  <FieldError id="jours" message={err('weekdays')} />
                  {WEEKDAYS.filter((w) => activity.weekdays.includes(w)).map((w, i) => (
                    <div class="choice" key={w}>
                      <input
                        type="checkbox"
                        id={i === 0 ? 'jours' : `jour-${w}`}
                        checked={days.has(w)}
                        onChange={(e) => {
                          const next = new Set(days);
                          if (e.currentTarget.checked) next.add(w);
                          else next.delete(w);
                          setDays(next);
                        }}
                      />
                      <label for={i === 0 ? 'jours' : `jour-${w}`}>
                        {WEEKDAY_NAMES[w]} ({activity.start} - {activity.end})
                      </label>
                    </div>
                  ))}
                </fieldset>
              </div>
              {kind === 'absence' && <InputField id="raison" label="Raison" hint="Facultative (exemple : vacances en famille)." value={reason} onValue={setReason} error={err('reason')} maxLength={200} />}
            </>
          )}
        </section>

        <div class="actions">
          <SubmitButton busy={busy}>Demander</SubmitButton>
          <a href="/planning">Retour au planning</a>
        </div>
      </form>
    );
  }

  return (
    <Page title={t.title} error={!!error} breadcrumb={[...PLANNING_CRUMBS, { label: t.title }]}>
      <FamilyChooser me={me} />
      <nav class="subnav" aria-label="Type de demande">
        <ul>
          <li>
            <a href="/planning/demande?type=reservation" aria-current={kind === 'reservation' ? 'page' : undefined}>
              Réservations
            </a>
          </li>
          <li>
            <a href="/planning/demande?type=absence" aria-current={kind === 'absence' ? 'page' : undefined}>
              Absences
            </a>
          </li>
        </ul>
      </nav>
      {result && <ResultNotice result={result} kind={kind} boxRef={resultBox} />}
      {body}
    </Page>
  );
}

function ResultNotice({ result, kind, boxRef }: { result: Result; kind: Kind; boxRef: { current: HTMLDivElement | null } }) {
  const { requests, refused } = result.answer;
  const warnings = result.answer.warnings ?? [];
  const first: Day | undefined = requests[0]?.date ?? undefined;
  return (
    <div ref={boxRef} class="notice notice--success" role="status" tabIndex={-1}>
      <h2 class="notice__title">
        {TEXT[kind].done(requests.length)} pour {result.child} – {result.activity}
      </h2>
      <p>Un accusé d'enregistrement vous est envoyé par e-mail. Les jours demandés :</p>
      <ul class="result-days">
        {requests.map((r) => (
          <li key={r.id}>
            {r.date ? longDay(r.date) : ''} – {r.state === 'accepted' ? (kind === 'reservation' ? PLANNING_STATES.reserved : PLANNING_STATES.absent) : r.state === 'refused' ? 'Refusée' : kind === 'reservation' ? PLANNING_STATES.reservation_requested : PLANNING_STATES.absence_requested}
          </li>
        ))}
      </ul>
      {warnings.length > 0 && (
        <>
          <p>
            <strong>Attention :</strong>
          </p>
          <ul>
            {warnings.map((w) => (
              <li key={w.type_id}>{w.message}</li>
            ))}
          </ul>
        </>
      )}
      {refused.length > 0 && (
        <>
          <p>Les jours suivants n'ont pas été enregistrés :</p>
          <ul class="result-days">
            {refused.map((r) => (
              <li key={r.date}>
                {longDay(r.date)} : {r.message}
              </li>
            ))}
          </ul>
        </>
      )}
      <p class="actions actions--tight">
        <a href={withQuery('/planning', { vue: 'mois', date: first })}>Voir le planning</a>
        <a href="/mes-demandes">Mes demandes</a>
      </p>
    </div>
  );
}
