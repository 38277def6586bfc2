/**
 * `/agent/activites`: the activities; `/agent/activites/nouvelle`: a new
 * one, with its hours, weekdays, period, closures, capacity, validation
 * and booking deadlines (in the rule language the server explains).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { LoadFailure, Loading, useLoad } from '../ui/load';
import { ApiError, type FieldProblem } from '../api';
import { WEEKDAYS } from '../dates';
import { VALIDATIONS, WEEKDAY_NAMES } from '../labels';
import { navigate } from '../router';
import { setFlash } from '../session';
import { Checkbox, Choices, ErrorSummary, formErrors, InputField, required, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { type Activity, type NewActivity, type Weekday, agent } from '../api/agent';
import { hhmm, period, weekdays } from './format';
import { AgentPage, TableRegion } from './ui';

export const DEADLINE_HELP = (
  <>
    Exemples : « J-2 12:00 » (deux jours avant, à midi), « J-2 ouvrés 12:00 » (deux jours ouvrés avant, sans les week-ends ni les
    jours fériés), « mercredi semaine précédente 18:00 ». Laissez vide : pas de délai.
  </>
);

export function capacityText(a: Activity): string {
  return a.capacity ? `${a.capacity} places par jour` : 'Sans limite';
}

export function ActivitiesPage() {
  const list = useLoad(() => agent.activities().then((r) => r.items));
  const items = list.data;
  return (
    <AgentPage title="Activités" crumbs={[{ label: 'Activités' }]}>
      <div class="actions bo-top-actions">
        <a class="button" href="/agent/activites/nouvelle">
          Créer une activité
        </a>
      </div>
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des activités…" />
      ) : items.length === 0 ? (
        <p>Aucune activité n'est encore enregistrée.</p>
      ) : (
        <TableRegion labelledBy="activites-legende">
          <table class="bo-table">
            <caption id="activites-legende">Activités, par nom</caption>
            <thead>
              <tr>
                <th scope="col">Activité</th>
                <th scope="col">Établissement</th>
                <th scope="col">Horaires</th>
                <th scope="col">Jours</th>
                <th scope="col">Période</th>
                <th scope="col">Validation</th>
                <th scope="col">Capacité</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    <a href={`/agent/activites/${a.id}`}>{a.name}</a>
                  </th>
                  <td>{a.establishment}</td>
                  <td>
                    {hhmm(a.start)} – {hhmm(a.end)}
                  </td>
                  <td>{weekdays(a.weekdays)}</td>
                  <td>{period(a.period)}</td>
                  <td>{a.validation === 'manual' ? 'Manuelle' : 'Automatique'}</td>
                  <td>{capacityText(a)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </AgentPage>
  );
}

interface ClosureRow {
  key: number;
  from: string;
  to: string;
  label: string;
}

let nextKey = 1;

const FIELDS: Record<string, string> = {
  name: 'act-nom',
  establishment: 'act-etablissement',
  start: 'act-debut',
  end: 'act-fin',
  weekdays: 'act-jours',
  period: 'act-du',
  'period.from': 'act-du',
  'period.to': 'act-au',
  capacity: 'act-capacite',
  validation: 'act-validation',
  booking_deadline: 'act-delai-reservation',
  cancel_deadline: 'act-delai-annulation',
  school_holidays: 'act-vacances',
  open_on_public_holidays: 'act-feries',
  missing_document: 'act-piece-manquante',
};

export type SchoolHolidays = NonNullable<Activity['school_holidays']>;

/** How an activity follows the school holidays of the commune's zone. */
export const SCHOOL_HOLIDAYS: Record<SchoolHolidays, string> = {
  closed: 'Fermée pendant les vacances scolaires (restauration, accueil périscolaire)',
  only: 'Ouverte seulement pendant les vacances scolaires (centre de loisirs)',
  ignored: 'Sans lien avec les vacances scolaires',
};

export type MissingDocument = NonNullable<Activity['missing_document']>;

/** What a missing or expired mandatory supporting document does to a new reservation. */
export const MISSING_DOCUMENT: Record<MissingDocument, string> = {
  block: 'Bloquer les nouvelles réservations',
  warn: 'Avertir seulement',
};

export const MISSING_DOCUMENT_LABEL = 'Pièce justificative obligatoire manquante';

export const MISSING_DOCUMENT_HINT =
  "Quand une pièce justificative obligatoire pour l'activité manque ou n'est plus valable le jour demandé : refuser la réservation, ou l'enregistrer en avertissant la famille.";

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

export function NewActivityPage() {
  const [name, setName] = useState('');
  const [establishment, setEstablishment] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [days, setDays] = useState<Weekday[]>([]);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [capacity, setCapacity] = useState('');
  const [validation, setValidation] = useState<Activity['validation']>('manual');
  const [booking, setBooking] = useState('');
  const [cancel, setCancel] = useState('');
  const [closures, setClosures] = useState<ClosureRow[]>([]);
  const [schoolHolidays, setSchoolHolidays] = useState<SchoolHolidays>('closed');
  const [publicHolidays, setPublicHolidays] = useState(false);
  const [missingDocument, setMissingDocument] = useState<MissingDocument>('block');
  const { busy, error, setError, run } = useSubmit();
  const focusNext = useRef<string | null>(null);
  const err = (f: string) => error?.fieldMessage(f);

  useEffect(() => {
    if (focusNext.current) {
      document.getElementById(focusNext.current)?.focus();
      focusNext.current = null;
    }
  });

  const fields: Record<string, string> = { ...FIELDS };
  closures.forEach((c, i) => {
    fields[`closures[${i}].from`] = `fermeture-${c.key}-du`;
    fields[`closures[${i}].to`] = `fermeture-${c.key}-au`;
    fields[`closures[${i}].label`] = `fermeture-${c.key}-libelle`;
  });
  const setClosure = (key: number, patch: Partial<ClosureRow>) => setClosures(closures.map((c) => (c.key === key ? { ...c, ...patch } : c)));

  function submit(ev: Event) {
    ev.preventDefault();
    // What the server cannot read is checked here; it explains the rest.
    const local: FieldProblem[] = [];
    if (!start) local.push(required('start', 'Heure de début'));
    if (!end) local.push(required('end', 'Heure de fin'));
    if (!isDate(from)) local.push(required('period.from', 'Du'));
    if (!isDate(to)) local.push(required('period.to', 'Au'));
    const cap = capacity.trim();
    if (cap && !/^\d+$/.test(cap)) {
      local.push({ field: 'capacity', code: 'invalid_capacity', message: 'La capacité est un nombre entier de places (ou vide : sans limite).' });
    }
    closures.forEach((c, i) => {
      if (!isDate(c.from)) local.push({ ...required(`closures[${i}].from`, 'Du'), message: `Fermeture ${i + 1} : la date de début est obligatoire.` });
      if (!isDate(c.to)) local.push({ ...required(`closures[${i}].to`, 'Au'), message: `Fermeture ${i + 1} : la date de fin est obligatoire.` });
    });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const body: NewActivity = {
      name,
      establishment,
      start,
      end,
      weekdays: days,
      period: { from, to },
      closures: closures.map((c) => ({ from: c.from, to: c.to, label: c.label })),
      capacity: cap ? Number(cap) : null,
      validation,
      booking_deadline: booking.trim() || null,
      cancel_deadline: cancel.trim() || null,
      school_holidays: schoolHolidays,
      open_on_public_holidays: publicHolidays,
      missing_document: missingDocument,
    };
    void run(
      () => agent.createActivity(body),
      (a) => {
        setFlash(`L'activité « ${a.name} » est créée.`);
        navigate(`/agent/activites/${a.id}`);
      },
    );
  }

  // The server's closure messages do not say which closure: the summary does.
  const summary =
    error &&
    new ApiError(
      error.status,
      error.code,
      error.detail,
      error.errors.map((e) => {
        const m = /^closures\[(\d+)\]/.exec(e.field);
        return m && !e.message.startsWith('Fermeture') ? { ...e, message: `Fermeture ${Number(m[1]) + 1} : ${e.message}` } : e;
      }),
    );

  return (
    <AgentPage title="Créer une activité" error={!!error} crumbs={[{ href: '/agent/activites', label: 'Activités' }, { label: 'Créer une activité' }]}>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} class="bo-form">
        <ErrorSummary error={summary} fields={fields} />

        <section class="form-section" aria-labelledby="act-general">
          <h2 id="act-general">L'activité</h2>
          <div class="bo-grid">
            <InputField autoComplete="off" id="act-nom" label="Nom de l'activité" required hint="Exemple : 4/Péri SOIR" value={name} onValue={setName} error={err('name')} maxLength={80} />
            <InputField autoComplete="off"
              id="act-etablissement"
              label="Établissement"
              required
              hint="Exemple : Ecole Lux"
              value={establishment}
              onValue={setEstablishment}
              error={err('establishment')}
              maxLength={120}
            />
            <InputField autoComplete="off" id="act-debut" type="time" label="Heure de début" required short value={start} onValue={setStart} error={err('start')} />
            <InputField autoComplete="off" id="act-fin" type="time" label="Heure de fin" required short value={end} onValue={setEnd} error={err('end')} />
          </div>
          <Choices
            id="act-jours"
            legend="Jours"
            required
            type="checkbox"
            options={WEEKDAYS.map((w) => [w, WEEKDAY_NAMES[w]] as [Weekday, string])}
            checked={(d) => days.includes(d)}
            onToggle={(d, on) => setDays(on ? [...days, d] : days.filter((x) => x !== d))}
            error={err('weekdays')}
          />
          <fieldset class="bo-subgroup">
            <legend>Période</legend>
            <div class="bo-grid">
              <InputField autoComplete="off" id="act-du" type="date" label="Du" required short value={from} onValue={setFrom} error={err('period.from') ?? err('period')} />
              <InputField autoComplete="off" id="act-au" type="date" label="Au" required short value={to} onValue={setTo} error={err('period.to')} />
            </div>
          </fieldset>
        </section>

        <section class="form-section" aria-labelledby="act-regles">
          <h2 id="act-regles">Règles de réservation</h2>
          <InputField autoComplete="off"
            id="act-capacite"
            label="Capacité (places par jour)"
            hint="Facultative : laissez vide pour ne pas limiter les places."
            inputMode="numeric"
            short
            value={capacity}
            onValue={setCapacity}
            error={err('capacity')}
          />
          <Choices
            id="act-validation"
            legend="Validation des demandes"
            type="radio"
            inline={false}
            options={Object.entries(VALIDATIONS) as [Activity['validation'], string][]}
            checked={(v) => validation === v}
            onToggle={(v) => setValidation(v)}
            error={err('validation')}
          />
          <InputField autoComplete="off"
            id="act-delai-reservation"
            label="Délai de réservation"
            hint={DEADLINE_HELP}
            value={booking}
            onValue={setBooking}
            error={err('booking_deadline')}
            spellcheck={false}
          />
          <InputField autoComplete="off"
            id="act-delai-annulation"
            label="Délai d'annulation"
            hint={DEADLINE_HELP}
            value={cancel}
            onValue={setCancel}
            error={err('cancel_deadline')}
            spellcheck={false}
          />
          <SelectField
            id="act-piece-manquante"
            label={MISSING_DOCUMENT_LABEL}
            hint={MISSING_DOCUMENT_HINT}
            value={missingDocument}
            onValue={(v) => setMissingDocument(v as MissingDocument)}
            options={Object.entries(MISSING_DOCUMENT) as [MissingDocument, string][]}
            error={err('missing_document')}
          />
        </section>

        <section class="form-section" aria-labelledby="act-fermetures">
          <h2 id="act-fermetures" tabIndex={-1}>
            Fermetures
          </h2>
          <Choices
            id="act-vacances"
            legend="Vacances scolaires"
            hint="Celles de la zone de la commune, chargées avec le portail."
            type="radio"
            inline={false}
            options={Object.entries(SCHOOL_HOLIDAYS) as [SchoolHolidays, string][]}
            checked={(v) => schoolHolidays === v}
            onToggle={(v) => setSchoolHolidays(v)}
            error={err('school_holidays')}
          />
          <Checkbox
            id="act-feries"
            label="Ouverte les jours fériés"
            hint="Sinon l'activité est fermée les jours fériés (1er janvier, lundi de Pâques, 1er mai…)."
            checked={publicHolidays}
            onChecked={setPublicHolidays}
            error={err('open_on_public_holidays')}
          />
          <p class="hint">Autres fermetures (ponts, sorties, journées pédagogiques) : l'activité n'a pas lieu ces jours-là.</p>
          {closures.map((c, i) => (
            <fieldset class="bo-row" key={c.key}>
              <legend>Fermeture {i + 1}</legend>
              <div class="bo-grid">
                <InputField autoComplete="off"
                  id={`fermeture-${c.key}-libelle`}
                  label="Libellé"
                  required
                  hint="Exemple : Vacances d'hiver"
                  value={c.label}
                  onValue={(v) => setClosure(c.key, { label: v })}
                  error={err(`closures[${i}].label`)}
                  maxLength={80}
                />
                <InputField autoComplete="off"
                  id={`fermeture-${c.key}-du`}
                  type="date"
                  label="Du"
                  required
                  short
                  value={c.from}
                  onValue={(v) => setClosure(c.key, { from: v })}
                  error={err(`closures[${i}].from`)}
                />
                <InputField autoComplete="off"
                  id={`fermeture-${c.key}-au`}
                  type="date"
                  label="Au"
                  required
                  short
                  value={c.to}
                  onValue={(v) => setClosure(c.key, { to: v })}
                  error={err(`closures[${i}].to`)}
                />
              </div>
              <button
                type="button"
                class="button button--secondary button--small"
                onClick={() => {
                  focusNext.current = 'act-fermetures';
                  setClosures(closures.filter((x) => x.key !== c.key));
                }}
              >
                Retirer la fermeture {i + 1}
                {c.label ? ` (${c.label})` : ''}
              </button>
            </fieldset>
          ))}
          <button
            type="button"
            class="button button--secondary"
            onClick={() => {
              const row = { key: nextKey++, from: '', to: '', label: '' };
              focusNext.current = `fermeture-${row.key}-libelle`;
              setClosures([...closures, row]);
            }}
          >
            Ajouter une fermeture
          </button>
        </section>

        <div class="actions">
          <SubmitButton busy={busy} busyText="Création en cours…">
            Créer l'activité
          </SubmitButton>
          <a href="/agent/activites">Annuler</a>
        </div>
      </form>
    </AgentPage>
  );
}
