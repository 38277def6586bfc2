/**
 * `/agent/activites/{id}`: an activity, its closures ("Déclarer une
 * fermeture" cancels the reservations of those days and tells the
 * families) and its enrolments ("Inscrire un enfant": a family, then one
 * of its children, then the period).
 */
import { useEffect, useState } from 'preact/hooks';

import { VALIDATIONS } from '../labels';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import type { FieldProblem } from '../api';
import { Choices, ErrorSummary, formErrors, InputField, required, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { type Activity, type ActivityDetail, type ClosureAnswer, type Dossier, type Enrolment, type FamilyLine, agent, moreFamilies, searchFamilies } from '../api/agent';
import { fullName, hhmm, longDate, period, plural, shortDate, weekdays } from './format';
import { capacityText, MISSING_DOCUMENT, MISSING_DOCUMENT_HINT, MISSING_DOCUMENT_LABEL, type MissingDocument, SCHOOL_HOLIDAYS } from './activities';
import { AgentPage, ConfirmDialog, Result, TableRegion } from './ui';

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

/** The public holidays and school holidays on which the activity is closed, besides its own closures. */
function CalendarClosures({ a }: { a: ActivityDetail }) {
  if (a.calendar_closures.length === 0) return null;
  return (
    <TableRegion labelledBy="calendrier-legende">
      <table class="bo-table">
        <caption id="calendrier-legende">Fermetures du calendrier de {a.name} : jours fériés et vacances scolaires</caption>
        <thead>
          <tr>
            <th scope="col">Libellé</th>
            <th scope="col">Du</th>
            <th scope="col">Au</th>
          </tr>
        </thead>
        <tbody>
          {a.calendar_closures.map((c) => (
            <tr key={`${c.from}-${c.to}-${c.label}`}>
              <th scope="row">{c.label}</th>
              <td>{shortDate(c.from)}</td>
              <td>{shortDate(c.to)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableRegion>
  );
}

function Closures({ a, onChanged, onError }: { a: ActivityDetail; onChanged: () => Promise<void>; onError: (on: boolean) => void }) {
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [text, setText] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [done, setDone] = useState<ClosureAnswer | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);
  useEffect(() => onError(!!error), [error]);

  function check(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!isDate(from)) local.push(required('closure.from', 'Du'));
    if (!isDate(to)) local.push(required('closure.to', 'Au'));
    if (!text.trim()) local.push(required('closure.label', 'Libellé'));
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    setError(null);
    setConfirming(true);
  }

  function declare() {
    setConfirming(false);
    void run(
      () => agent.addClosure(a.id, { from, to, label: text.trim() }),
      async (answer) => {
        setFrom('');
        setTo('');
        setText('');
        await onChanged();
        setDone(answer);
      },
    );
  }

  return (
    <section class="spaced-small" aria-labelledby="fermetures">
      <h2 id="fermetures">Fermetures</h2>
      {a.closures.length === 0 ? (
        <p>Aucune fermeture déclarée.</p>
      ) : (
        <TableRegion labelledBy="fermetures-legende">
          <table class="bo-table">
            <caption id="fermetures-legende">Fermetures de {a.name}</caption>
            <thead>
              <tr>
                <th scope="col">Libellé</th>
                <th scope="col">Du</th>
                <th scope="col">Au</th>
              </tr>
            </thead>
            <tbody>
              {a.closures.map((c) => (
                <tr key={`${c.from}-${c.to}-${c.label}`}>
                  <th scope="row">{c.label}</th>
                  <td>{shortDate(c.from)}</td>
                  <td>{shortDate(c.to)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}

      <CalendarClosures a={a} />

      {done && (
        <Result token={done}>
          <p>
            <strong>
              Fermeture « {done.closure.label} » enregistrée ({period(done.closure)}) :{' '}
              {plural(done.cancelled, 'réservation annulée', 'réservations annulées')},{' '}
              {plural(done.families, 'famille prévenue', 'familles prévenues')} par e-mail.
            </strong>
          </p>
        </Result>
      )}

      <form class="form-section spaced-small" onSubmit={check} noValidate aria-labelledby="declarer" aria-busy={busy ? 'true' : undefined}>
        <h3 id="declarer">Déclarer une fermeture</h3>
        <p class="hint">Les réservations et absences de ces jours seront annulées et les familles prévenues par e-mail.</p>
        <ErrorSummary id="erreurs-fermeture" error={error} fields={{ 'closure.from': 'fermeture-du', 'closure.to': 'fermeture-au', 'closure.label': 'fermeture-libelle' }} />
        <div class="bo-grid">
          <InputField autoComplete="off" id="fermeture-du" type="date" label="Du" required short value={from} onValue={setFrom} error={err('closure.from')} min={a.period.from} max={a.period.to} />
          <InputField autoComplete="off" id="fermeture-au" type="date" label="Au" required short value={to} onValue={setTo} error={err('closure.to')} min={a.period.from} max={a.period.to} />
          <InputField autoComplete="off"
            id="fermeture-libelle"
            label="Libellé"
            required
            hint="Exemple : Grève, Vacances d'hiver"
            value={text}
            onValue={setText}
            error={err('closure.label')}
            maxLength={80}
          />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>Déclarer la fermeture</SubmitButton>
        </div>
      </form>
      <ConfirmDialog
        id="confirmer-fermeture"
        open={confirming}
        title="Déclarer cette fermeture ?"
        confirm="Déclarer la fermeture"
        onConfirm={declare}
        onClose={() => setConfirming(false)}
      >
        <p>
          {a.name} n'aura pas lieu {from === to ? `le ${longDate(from)}` : `du ${longDate(from)} au ${longDate(to)}`} ({text.trim()}). Les
          réservations et absences de ces jours seront annulées et les familles concernées prévenues par e-mail.
        </p>
      </ConfirmDialog>
    </section>
  );
}

/** What a missing mandatory supporting document does to a new reservation: block or only warn. */
function MissingDocumentSetting({ a, onSaved, onError }: { a: ActivityDetail; onSaved: (a: ActivityDetail) => void; onError: (on: boolean) => void }) {
  const current: MissingDocument = a.missing_document ?? 'block';
  const [value, setValue] = useState<MissingDocument>(current);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const { busy, error, run } = useSubmit();
  useEffect(() => onError(!!error), [error]);

  function save(ev: Event) {
    ev.preventDefault();
    void run(
      () => agent.updateActivity(a.id, { missing_document: value }),
      (saved) => {
        onSaved(saved);
        setDone({ text: `Réglage enregistré : ${MISSING_DOCUMENT[saved.missing_document ?? 'block']}.`, at: Date.now() });
      },
    );
  }

  return (
    <section class="spaced-small" aria-labelledby="pieces">
      <h2 id="pieces">Pièces justificatives</h2>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <form class="form-section" onSubmit={save} noValidate aria-labelledby="pieces" aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary id="erreurs-pieces" error={error} fields={{ missing_document: 'activite-piece-manquante' }} />
        <SelectField
          id="activite-piece-manquante"
          label={MISSING_DOCUMENT_LABEL}
          hint={MISSING_DOCUMENT_HINT}
          value={value}
          onValue={(v) => setValue(v as MissingDocument)}
          options={Object.entries(MISSING_DOCUMENT) as [MissingDocument, string][]}
          error={error?.fieldMessage('missing_document')}
        />
        <div class="actions">
          <SubmitButton busy={busy}>Enregistrer le réglage</SubmitButton>
        </div>
      </form>
    </section>
  );
}

function Enrol({ a, onDone, onError }: { a: Activity; onDone: () => Promise<void>; onError: (on: boolean) => void }) {
  const [search, setSearch] = useState('');
  const [found, setFound] = useState<FamilyLine[] | null>(null);
  const [moreFound, setMoreFound] = useState(false);
  const [familyId, setFamilyId] = useState('');
  const [childId, setChildId] = useState('');
  const [from, setFrom] = useState(a.period.from);
  const [to, setTo] = useState(a.period.to);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const finding = useSubmit();
  const { busy, error, setError, run } = useSubmit();
  const family = useLoad<Dossier | null>(() => (familyId ? agent.family(familyId) : Promise.resolve(null)), [familyId], { keep: true });
  const err = (f: string) => error?.fieldMessage(f);
  useEffect(() => onError(!!error), [error]);

  function find(ev: Event) {
    ev.preventDefault();
    void finding.run(
      () => searchFamilies(search),
      ({ items, search: next }) => {
        setFound(items);
        setMoreFound(moreFamilies(next));
        setFamilyId(items.length === 1 ? (items[0] as FamilyLine).id : '');
        setChildId('');
      },
    );
  }

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!familyId) local.push({ field: 'family', code: 'required', message: 'Recherchez puis choisissez la famille.' });
    else if (!childId) local.push(required('child_id', 'Enfant'));
    if (!isDate(from)) local.push(required('from', 'Du'));
    if (!isDate(to)) local.push(required('to', 'Au'));
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const child = family.data?.children.find((c) => c.id === childId);
    void run(
      () => agent.enrol({ child_id: childId, activity_id: a.id, from, to }),
      async (e: Enrolment) => {
        await onDone();
        setDone({ text: `${child ? fullName(child) : "L'enfant"} est inscrit${child?.sex === 'F' ? 'e' : ''} à ${a.name} ${period(e.period)}.`, at: Date.now() });
        setChildId('');
      },
    );
  }

  const children = family.data?.children ?? [];
  return (
    <div class="form-section spaced-small">
      <h3 id="inscrire">Inscrire un enfant</h3>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <RequiredNote />
      <form role="search" aria-label="Rechercher la famille de l'enfant" onSubmit={find} noValidate class="bo-search">
        <InputField autoComplete="off"
          id="inscription-recherche"
          type="search"
          label="Famille de l'enfant"
          hint="Début du nom (exemple : Martin), puis « Rechercher »."
          value={search}
          onValue={setSearch}
        />
        <button type="submit" class="button button--secondary" aria-disabled={finding.busy ? 'true' : undefined}>
          Rechercher
        </button>
      </form>
      {finding.error && <LoadFailure error={finding.error} />}
      {found && found.length === 0 && <p role="status">Aucune famille ne commence par « {search.trim()} ».</p>}

      <form onSubmit={submit} noValidate aria-labelledby="inscrire" aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary
          id="erreurs-inscription"
          error={error}
          fields={{ family: found?.length ? 'inscription-famille' : 'inscription-recherche', child_id: 'inscription-enfant', from: 'inscription-du', to: 'inscription-au' }}
        />
        {found && found.length > 0 && (
          <Choices
            id="inscription-famille"
            legend={`Famille (${plural(found.length, 'résultat', 'résultats')}${moreFound ? ' et plus' : ''})`}
            hint={moreFound ? "D'autres familles correspondent : précisez le nom pour les trouver." : undefined}
            required
            type="radio"
            inline={false}
            options={found.map((f) => [f.id, f.label] as [string, string])}
            checked={(v) => familyId === v}
            onToggle={(v) => {
              setFamilyId(v);
              setChildId('');
            }}
            error={err('family')}
          />
        )}
        {!found && err('family') && <p class="field-error">{err('family')}</p>}
        {familyId &&
          (family.error ? (
            <LoadFailure error={family.error} />
          ) : !family.data ? (
            <Loading text="Chargement des enfants de la famille…" />
          ) : children.length === 0 ? (
            <p>Cette famille n'a aucun enfant dans son dossier.</p>
          ) : (
            <SelectField
              id="inscription-enfant"
              label="Enfant"
              required
              value={childId}
              onValue={setChildId}
              empty="Choisissez l'enfant"
              options={children.map((c) => [c.id, `${fullName(c)} (né${c.sex === 'F' ? 'e' : ''} le ${shortDate(c.birth_date)})`])}
              error={err('child_id')}
            />
          ))}
        <fieldset class="bo-subgroup">
          <legend>Période d'inscription</legend>
          <p class="hint">Comprise dans celle de l'activité ({period(a.period)}).</p>
          <div class="bo-grid">
            <InputField autoComplete="off" id="inscription-du" type="date" label="Du" required short value={from} onValue={setFrom} error={err('from')} min={a.period.from} max={a.period.to} />
            <InputField autoComplete="off" id="inscription-au" type="date" label="Au" required short value={to} onValue={setTo} error={err('to')} min={a.period.from} max={a.period.to} />
          </div>
        </fieldset>
        <div class="actions">
          <SubmitButton busy={busy}>Inscrire l'enfant</SubmitButton>
        </div>
      </form>
    </div>
  );
}

interface Enrolled {
  enrolment: Enrolment;
  child: string;
  family: string;
}

async function loadEnrolled(activityId: string): Promise<Enrolled[]> {
  // One call: the server gives the children's and families' names.
  const { items } = await agent.enrolments(activityId);
  return items
    .map((e) => ({
      enrolment: e,
      child: fullName({ first_name: e.child_first_name, last_name: e.child_last_name }) || 'Enfant inconnu',
      family: e.family_label || 'Famille inconnue',
    }))
    .sort((x, y) => x.child.localeCompare(y.child, 'fr'));
}

export function ActivityPage({ id }: { id: string }) {
  const activity = useLoad(() => agent.activity(id), [id]);
  const enrolled = useLoad(() => loadEnrolled(id), [id]);
  const [closureError, setClosureError] = useState(false);
  const [enrolError, setEnrolError] = useState(false);
  const [settingError, setSettingError] = useState(false);
  const a = activity.data;
  const crumbs = [{ href: '/agent/activites', label: 'Activités' }, { label: a?.name ?? 'Activité' }];
  if (!a) {
    return (
      <AgentPage title="Activité" crumbs={crumbs}>
        {activity.error ? (
          <LoadFailure error={activity.error} notFound="Cette activité n'existe pas." back={{ href: '/agent/activites', label: 'Retour aux activités' }} />
        ) : (
          <Loading />
        )}
      </AgentPage>
    );
  }
  const list = enrolled.data;
  return (
    <AgentPage title={a.name} documentTitle={`Activité ${a.name}`} error={closureError || enrolError || settingError} crumbs={crumbs}>
      <dl class="facts">
        <dt>Établissement</dt>
        <dd>{a.establishment}</dd>
        <dt>Horaires</dt>
        <dd>
          {hhmm(a.start)} – {hhmm(a.end)}
        </dd>
        <dt>Jours</dt>
        <dd>{weekdays(a.weekdays)}</dd>
        <dt>Période</dt>
        <dd>{period(a.period)}</dd>
        <dt>Capacité</dt>
        <dd>{capacityText(a)}</dd>
        <dt>Validation</dt>
        <dd>{VALIDATIONS[a.validation]}</dd>
        <dt>Délai de réservation</dt>
        <dd>{a.booking_deadline || 'Aucun'}</dd>
        <dt>Délai d'annulation</dt>
        <dd>{a.cancel_deadline || 'Aucun'}</dd>
        <dt>Vacances scolaires</dt>
        <dd>{SCHOOL_HOLIDAYS[a.school_holidays ?? 'ignored']}</dd>
        <dt>Jours fériés</dt>
        <dd>{a.open_on_public_holidays ? 'Ouverte les jours fériés' : 'Fermée les jours fériés'}</dd>
        <dt>{MISSING_DOCUMENT_LABEL}</dt>
        <dd>{MISSING_DOCUMENT[a.missing_document ?? 'block']}</dd>
      </dl>
      <p>
        <a href={`/agent/demandes?activite=${a.id}`}>Voir les demandes en attente pour cette activité</a>
      </p>
      <p>
        <a href={`/agent/activites/${a.id}/facturation`}>Tarification : régie, grille de prix par quotient familial, pénalités</a>
      </p>

      <MissingDocumentSetting a={a} onSaved={() => void activity.reload()} onError={setSettingError} />

      <Closures a={a} onChanged={activity.reload} onError={setClosureError} />

      <section class="spaced-small" aria-labelledby="inscriptions">
        <h2 id="inscriptions">Inscriptions</h2>
        {enrolled.error ? (
          <LoadFailure error={enrolled.error} />
        ) : !list ? (
          <Loading text="Chargement des inscriptions…" />
        ) : list.length === 0 ? (
          <p>Aucun enfant inscrit.</p>
        ) : (
          <TableRegion labelledBy="inscriptions-legende">
            <table class="bo-table">
              <caption id="inscriptions-legende">
                {plural(list.length, 'enfant inscrit', 'enfants inscrits')} à {a.name}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Enfant</th>
                  <th scope="col">Famille</th>
                  <th scope="col">Période</th>
                </tr>
              </thead>
              <tbody>
                {list.map((e) => (
                  <tr key={e.enrolment.id}>
                    <th scope="row">{e.child}</th>
                    <td>
                      <a href={`/agent/familles/${e.enrolment.family_id}`}>{e.family}</a>
                    </td>
                    <td>{period(e.enrolment.period)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
        <Enrol a={a} onDone={enrolled.reload} onError={setEnrolError} />
      </section>
    </AgentPage>
  );
}
