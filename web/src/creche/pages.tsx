/**
 * "Préinscrire votre enfant en crèche", in the Espace famille: `/creche`
 * lists the family's applications (cards on narrow screens),
 * `/creche/preinscription` is the form (a child of the family or a child
 * expected, the desired start, the weekly schedule with its hours, up to
 * three crèches ranked, the situation a commission weighs, a comment),
 * `/creche/{id}` an application: its history with the commune's messages,
 * the place offered with its deadline to accept or refuse it, withdrawing
 * it, confirming the family's interest, the way to declare an expected
 * child's birth (`/creche/{id}/naissance`, ./birth.tsx).
 */
import { useRef, useState } from 'preact/hooks';

import { type CrecheApplication, type CrecheStructure, type FieldProblem, type Me, type WorkSituation, creche } from '../api';
import { numericDay, parseTypedDay } from '../dates';
import { useCurrentFamily, useDossier } from '../family/current';
import { FAMILY_CRUMBS } from '../family/guardians';
import { FamilyChooser, NoFamily } from '../family/ui';
import { navigate } from '../router';
import { setFlash } from '../session';
import { ActionError, DateField, ErrorSummary, FieldError, InputField, RequiredNote, SelectField, SubmitButton, TextAreaField, errorId, formErrors, required, useSubmit } from '../ui/form';
import { LoadError, LoadFailure, Loading, useLoad } from '../ui/load';
import { Page } from '../ui/page';
import { CrecheDocuments, FormDocuments } from './documents';
import { CRECHE_DAYS, WORK_SITUATIONS, byText, deadlineText, eventText, hoursText, minutes, scheduleText, statusLabel, weeklyHours, workLabel } from './model';
import { birthPath } from './birth';
import './creche.css';

export const CRECHE_PATH = '/creche';
const FORM_PATH = '/creche/preinscription';
const COMMENT_MAX = 2000;
const FIRST_NAME_MAX = 50;
const EXPECTED = 'a-naitre';

const familyCrumb = FAMILY_CRUMBS[0] as { href: string; label: string };
const crecheCrumb = { href: CRECHE_PATH, label: 'Crèche' };

const CHOICES = ['1er choix', '2e choix', '3e choix'];

/** The crèches' names, by id. */
function names(list: CrecheStructure[] | undefined): Map<string, string> {
  return new Map((list ?? []).map((s) => [s.id, s.name]));
}

function StatusText({ a }: { a: CrecheApplication }) {
  return <span class={`creche-state creche-state--${a.status}`}>{statusLabel(a.status)}</span>;
}

// ---- the list -------------------------------------------------------------------------

/** `/creche`. */
export function CrechePage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const list = useLoad(family ? () => creche.list(family.family_id) : null, [family?.family_id]);
  const structures = useLoad(() => creche.structures());
  const named = names(structures.data?.items);

  let body;
  if (!family) body = <NoFamily />;
  else if (list.state === 'loading') body = <Loading text="Chargement de vos préinscriptions…" />;
  else if (list.state === 'failed') body = <LoadError error={list.error} retry={() => void list.reload()} />;
  else if (list.data.items.length === 0)
    body = (
      <div class="notice">
        <p>Vous n'avez encore préinscrit aucun enfant en crèche.</p>
      </div>
    );
  else
    body = (
      <div class="table-wrap">
        <table class="data-table table-stack creche-table">
          <caption class="visually-hidden">Vos préinscriptions en crèche, les plus récentes d'abord</caption>
          <thead>
            <tr>
              <th scope="col">Enfant</th>
              <th scope="col">État</th>
              <th scope="col">Entrée souhaitée</th>
              <th scope="col">Crèches choisies</th>
              <th scope="col">À renouveler avant le</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((a) => (
              <tr key={a.id}>
                <th scope="row" data-label="Enfant">
                  <a href={`${CRECHE_PATH}/${encodeURIComponent(a.id)}`}>{a.child}</a>
                </th>
                <td data-label="État">
                  <StatusText a={a} />
                </td>
                <td data-label="Entrée souhaitée">{numericDay(a.start_date)}</td>
                <td data-label="Crèches choisies">
                  <ol class="creche-choices">
                    {a.structures.map((id) => (
                      <li key={id}>{named.get(id) ?? 'Crèche'}</li>
                    ))}
                  </ol>
                </td>
                <td data-label="À renouveler avant le">{numericDay(a.renew_before)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );

  return (
    <Page title="Crèche" breadcrumb={[familyCrumb, { label: 'Crèche' }]}>
      <FamilyChooser me={me} />
      <p class="lead">
        Préinscrivez votre enfant, né ou à naître, dans une à trois crèches de la commune. La commission d'attribution étudie les demandes et vous propose une place : vous
        l'acceptez ou la refusez avant la date indiquée.
      </p>
      {family && (
        <p>
          <a class="button" href={FORM_PATH}>
            Préinscrire votre enfant en crèche
          </a>
        </p>
      )}
      {body}
    </Page>
  );
}

// ---- the form -------------------------------------------------------------------------

const FIELD_IDS: Record<string, string> = {
  child_id: 'creche-enfant',
  'expected.due_date': 'creche-naissance',
  'expected.first_name': 'creche-prenom',
  start_date: 'creche-entree',
  schedule: 'creche-mon-arrivee',
  structures: 'creche-choix-1',
  situation: 'creche-parent-1',
  comment: 'creche-commentaire',
};

type Times = Record<string, { start: string; end: string }>;

/** `/creche/preinscription`. */
export function CrecheFormPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const structures = useLoad(() => creche.structures());
  const [child, setChild] = useState('');
  const [due, setDue] = useState('');
  const [firstName, setFirstName] = useState('');
  const [start, setStart] = useState('');
  const [times, setTimes] = useState<Times>({});
  const [choices, setChoices] = useState(['', '', '']);
  const [work, setWork] = useState(['', '']);
  const [siblings, setSiblings] = useState('0');
  const [comment, setComment] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);

  const slots = CRECHE_DAYS.map(([d]) => ({ weekday: d, start: times[d]?.start ?? '', end: times[d]?.end ?? '' }));
  const hours = weeklyHours(slots);

  function setTime(d: string, which: 'start' | 'end', v: string) {
    setTimes((t) => ({ ...t, [d]: { start: t[d]?.start ?? '', end: t[d]?.end ?? '', [which]: v } }));
  }

  function submit(ev: Event) {
    ev.preventDefault();
    if (!family) return;
    const local: FieldProblem[] = [];
    if (!child) local.push(required('child_id', 'Enfant'));
    const dueDay = parseTypedDay(due);
    if (child === EXPECTED && !dueDay)
      local.push({ field: 'expected.due_date', code: 'invalid_due_date', message: 'Indiquez la date prévue de naissance au format JJ/MM/AAAA.' });
    const startDay = parseTypedDay(start);
    if (!startDay) local.push({ field: 'start_date', code: 'invalid_start_date', message: "Indiquez la date d'entrée souhaitée au format JJ/MM/AAAA." });
    const schedule = [];
    for (const s of slots) {
      if (!s.start.trim() && !s.end.trim()) continue;
      const a = minutes(s.start);
      const b = minutes(s.end);
      if (a === null || b === null) {
        const name = CRECHE_DAYS.find(([k]) => k === s.weekday)?.[1].toLowerCase() ?? '';
        local.push({ field: 'schedule', code: 'invalid_schedule', message: `Le ${name}, indiquez l'heure d'arrivée et l'heure de départ au format HH:MM.` });
        break;
      }
      const hm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      schedule.push({ weekday: s.weekday, start: hm(a), end: hm(b) });
    }
    const picked = choices.filter((c) => c);
    if (!picked.length) local.push(required('structures', '1er choix'));
    const n = Number(siblings.trim() || '0');
    if (!/^\d{1,2}$/.test(siblings.trim() || '0') || n > 10)
      local.push({ field: 'situation', code: 'invalid_situation', message: 'Indiquez un nombre de frères et sœurs de 0 à 10.' });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const body = {
      child_id: child === EXPECTED ? null : child,
      expected: child === EXPECTED ? { due_date: dueDay as string, first_name: firstName.trim() || null } : null,
      start_date: startDay as string,
      schedule,
      structures: picked,
      situation: { parents_work: work.filter((w) => w) as WorkSituation[], siblings_in_creche: n },
      comment: comment.trim() || null,
    };
    void run(
      () => creche.apply(family.family_id, body),
      (created) => {
        setFlash('Votre demande de préinscription en crèche a été déposée. La collectivité vous répondra ici et par e-mail.');
        navigate(`${CRECHE_PATH}/${encodeURIComponent(created.id)}`);
      },
    );
  }

  let body;
  if (!family) body = <NoFamily />;
  else if (dossier.state === 'loading' || structures.state === 'loading') body = <Loading text="Chargement du formulaire…" />;
  else if (dossier.state === 'failed') body = <LoadError error={dossier.error} retry={() => void dossier.reload()} />;
  else if (structures.state === 'failed') body = <LoadError error={structures.error} retry={() => void structures.reload()} />;
  else if (structures.data.items.length === 0)
    body = (
      <div class="notice">
        <p>La commune n'a encore enregistré aucune crèche : la préinscription n'est pas encore ouverte.</p>
      </div>
    );
  else {
    const crecheOptions: [string, string][] = structures.data.items.map((s) => [s.id, s.name]);
    const childOptions: [string, string][] = [
      ...dossier.data.children.map((c): [string, string] => [c.id, `${c.first_name} ${c.last_name}, né${c.sex === 'F' ? 'e' : ''} le ${numericDay(c.birth_date)}`]),
      [EXPECTED, 'Un enfant à naître'],
    ];
    const scheduleError = err('schedule');
    body = (
      <>
        <RequiredNote />
        <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
          <ErrorSummary error={error} fields={FIELD_IDS} />
          <fieldset class="creche-group">
            <legend>L'enfant</legend>
            <SelectField id="creche-enfant" label="Enfant" required empty="Choisir l'enfant" value={child} onValue={setChild} options={childOptions} error={err('child_id')} />
            {child === EXPECTED && (
              <>
                <DateField id="creche-naissance" label="Date prévue de naissance" required value={due} onValue={setDue} error={err('expected.due_date')} short />
                <InputField
                  id="creche-prenom"
                  label="Prénom envisagé"
                  hint="Facultatif."
                  autoComplete="off"
                  value={firstName}
                  onValue={setFirstName}
                  error={err('expected.first_name')}
                  maxLength={FIRST_NAME_MAX}
                />
              </>
            )}
          </fieldset>
          <FormDocuments familyId={family.family_id} child={child === EXPECTED ? 'expected' : child || null} />
          <fieldset class="creche-group">
            <legend>L'accueil souhaité</legend>
            <DateField id="creche-entree" label="Date d'entrée souhaitée" required value={start} onValue={setStart} error={err('start_date')} short />
            <fieldset class={`field creche-schedule${scheduleError ? ' field--error' : ''}`} aria-describedby={`creche-horaires-aide${scheduleError ? ` ${errorId('creche-horaires')}` : ''}`}>
              <legend>
                Emploi du temps souhaité<span class="req" aria-hidden="true">*</span>
              </legend>
              <p class="hint" id="creche-horaires-aide">
                Heures d'arrivée et de départ au format HH:MM, par exemple 08:30 et 17:30. Laissez vides les jours où l'enfant ne viendra pas.
              </p>
              <FieldError id="creche-horaires" message={scheduleError} />
              <div class="creche-days">
                {CRECHE_DAYS.map(([d, label]) => (
                  <div class="creche-day" key={d} role="group" aria-labelledby={`creche-${d}-jour`}>
                    <span class="creche-day__name" id={`creche-${d}-jour`}>
                      {label}
                    </span>
                    {(['start', 'end'] as const).map((which) => {
                      const id = `creche-${d}-${which === 'start' ? 'arrivee' : 'depart'}`;
                      return (
                        <div class="creche-time" key={which}>
                          <label for={id}>
                            {which === 'start' ? 'Arrivée' : 'Départ'}
                            <span class="visually-hidden"> le {label.toLowerCase()}</span>
                          </label>
                          <input
                            id={id}
                            name={id}
                            class="input--short"
                            inputMode="numeric"
                            autoComplete="off"
                            maxLength={5}
                            value={times[d]?.[which] ?? ''}
                            onInput={(e) => setTime(d, which, e.currentTarget.value)}
                            aria-invalid={scheduleError ? 'true' : undefined}
                            aria-describedby={scheduleError ? errorId('creche-horaires') : undefined}
                          />
                        </div>
                      );
                    })}
                  </div>
                ))}
              </div>
              <p class="creche-hours" aria-live="polite">
                Soit <strong>{hoursText(hours)}</strong> par semaine.
              </p>
            </fieldset>
          </fieldset>
          <fieldset class="creche-group">
            <legend>Les crèches, par ordre de préférence</legend>
            {CHOICES.map((label, i) => (
              <SelectField
                key={label}
                id={`creche-choix-${i + 1}`}
                label={label}
                required={i === 0}
                empty={i === 0 ? 'Choisir une crèche' : 'Aucune'}
                value={choices[i] ?? ''}
                onValue={(v) => setChoices((c) => c.map((x, j) => (j === i ? v : x)))}
                options={crecheOptions}
                error={i === 0 ? err('structures') : undefined}
              />
            ))}
          </fieldset>
          <fieldset class="creche-group">
            <legend>Votre situation</legend>
            {[0, 1].map((i) => (
              <SelectField
                key={i}
                id={`creche-parent-${i + 1}`}
                label={`Situation professionnelle du parent ${i + 1}`}
                empty="Non renseignée"
                value={work[i] ?? ''}
                onValue={(v) => setWork((w) => w.map((x, j) => (j === i ? v : x)))}
                options={WORK_SITUATIONS}
                error={i === 0 ? err('situation') : undefined}
              />
            ))}
            <InputField
              id="creche-fratrie"
              label="Frères et sœurs déjà accueillis dans une crèche de la commune"
              inputMode="numeric"
              autoComplete="off"
              value={siblings}
              onValue={setSiblings}
              maxLength={2}
              short
            />
          </fieldset>
          <TextAreaField
            id="creche-commentaire"
            label="Commentaire"
            hint={`Facultatif, ${COMMENT_MAX} caractères au plus.`}
            value={comment}
            onValue={setComment}
            error={err('comment')}
            maxLength={COMMENT_MAX}
            rows={4}
          />
          <div class="actions">
            <SubmitButton busy={busy}>Déposer la demande</SubmitButton>
            <a class="button button--secondary" href={CRECHE_PATH}>
              Annuler
            </a>
          </div>
        </form>
      </>
    );
  }

  return (
    <Page title="Préinscrire votre enfant en crèche" error={!!error} breadcrumb={[familyCrumb, crecheCrumb, { label: 'Préinscription' }]}>
      <FamilyChooser me={me} />
      {body}
    </Page>
  );
}

// ---- one application ----------------------------------------------------------------------

type Step = 'accept' | 'decline' | 'withdraw';

const CONFIRM: Record<Step, { text: string; button: string }> = {
  accept: { text: "Vous acceptez la place proposée. La crèche vous contactera pour préparer l'accueil.", button: "Oui, j'accepte la place" },
  decline: { text: 'Vous refusez la place proposée : votre demande sera close.', button: 'Oui, je refuse la place' },
  withdraw: { text: 'Votre demande sera retirée : elle ne sera plus étudiée par la commission.', button: 'Oui, je retire ma demande' },
};

/** `/creche/{id}`. */
export function CrecheDetailPage({ me, id }: { me: Me; id: string }) {
  const family = useCurrentFamily(me);
  const app = useLoad(family ? () => creche.read(family.family_id, id) : null, [family?.family_id, id], { keep: true });
  const structures = useLoad(() => creche.structures());
  const [step, setStep] = useState<Step | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const confirmBox = useRef<HTMLDivElement>(null);
  const named = names(structures.data?.items);

  function ask(s: Step) {
    setDone(null);
    setStep(s);
    setTimeout(() => confirmBox.current?.focus(), 0);
  }

  function act(s: Step | 'renew') {
    if (!family) return;
    const fid = family.family_id;
    const call = s === 'accept' || s === 'decline' ? () => creche.answer(fid, id, s) : s === 'withdraw' ? () => creche.withdraw(fid, id) : () => creche.renew(fid, id);
    const texts = {
      accept: 'Vous avez accepté la place proposée.',
      decline: 'Vous avez refusé la place proposée.',
      withdraw: 'Votre demande a été retirée.',
      renew: 'Votre intérêt est confirmé : votre demande reste étudiée.',
    };
    void run(
      async () => {
        await call();
        await app.reload();
      },
      () => {
        setStep(null);
        setDone(texts[s]);
      },
      () => {
        setStep(null);
        // The state may have moved (an offer lapsed): shown as it is now.
        void app.reload();
      },
    );
  }

  let body;
  if (!family) body = <NoFamily />;
  else if (app.error) body = <LoadFailure error={app.error} notFound="Cette préinscription est introuvable." back={{ href: CRECHE_PATH, label: 'Retour à mes préinscriptions' }} />;
  else if (!app.data) body = <Loading text="Chargement de la préinscription…" />;
  else {
    const a = app.data;
    const open = !['accepted', 'declined', 'withdrawn', 'closed'].includes(a.status);
    const offer = a.offer && a.status === 'offered' && !a.offer.lapsed ? a.offer : null;
    const lapsed = a.offer?.lapsed ? a.offer : null;
    // An expected child: its birth to declare, or declared and waiting for the commune.
    const toDeclare = open && !!a.expected && !a.child_id && !a.birth_request_id;
    const declared = !!a.birth_request_id && !a.child_id;
    body = (
      <>
        <p class="creche-status">
          État de la demande : <StatusText a={a} />
        </p>
        {toDeclare && a.birth_overdue && (
          <div class="notice">
            <p>
              La date prévue de naissance ({a.expected ? numericDay(a.expected.due_date) : ''}) est passée : si votre enfant est né, déclarez sa naissance pour que la commune poursuive
              l'étude de votre demande.
            </p>
          </div>
        )}
        {toDeclare && a.birth_refused && (
          <div class="notice">
            <p>La commune n'a pas validé la naissance déclarée : consultez son message dans Mes demandes, puis déclarez-la de nouveau.</p>
          </div>
        )}
        {declared && (
          <div class="notice">
            <p>Naissance déclarée, en attente de validation par la commune.</p>
          </div>
        )}
        {offer && (
          <section class="panel creche-offer" aria-labelledby="offre-titre">
            <h2 id="offre-titre">Place proposée</h2>
            <dl class="creche-facts">
              <dt>Crèche</dt>
              <dd>{offer.structure}</dd>
              <dt>Date d'entrée</dt>
              <dd>{numericDay(offer.start_date)}</dd>
              <dt>Emploi du temps</dt>
              <dd>
                {scheduleText(offer.schedule)}, soit {hoursText(offer.hours_per_week)} par semaine
              </dd>
              <dt>Répondre avant le</dt>
              <dd>{deadlineText(offer.deadline)}</dd>
            </dl>
            {!step && (
              <div class="actions">
                <button type="button" class="button" onClick={() => ask('accept')}>
                  Accepter la place
                </button>
                <button type="button" class="button button--secondary" onClick={() => ask('decline')}>
                  Refuser la place
                </button>
              </div>
            )}
          </section>
        )}
        {lapsed && a.status === 'waiting' && (
          <div class="notice">
            <p>
              La place proposée à la crèche {lapsed.structure} n'a pas reçu de réponse avant le {deadlineText(lapsed.deadline)} : votre demande est de nouveau en liste d'attente.
            </p>
          </div>
        )}
        {step && (
          <div ref={confirmBox} class="notice creche-confirm" role="group" aria-labelledby="confirmation-texte" tabIndex={-1}>
            <p id="confirmation-texte">
              <strong>{CONFIRM[step].text}</strong>
            </p>
            <div class="actions">
              <button type="button" class="button" onClick={() => act(step)} aria-disabled={busy ? 'true' : undefined}>
                {CONFIRM[step].button}
              </button>
              <button type="button" class="button button--secondary" onClick={() => setStep(null)}>
                Annuler
              </button>
            </div>
          </div>
        )}
        <section aria-labelledby="demande-titre">
          <h2 id="demande-titre">Votre demande</h2>
          <dl class="creche-facts">
            <dt>Enfant</dt>
            <dd>
              {a.child}
              {toDeclare && (
                <>
                  {' '}
                  <a href={birthPath(a.id)}>Déclarer la naissance</a>
                </>
              )}
            </dd>
            {a.expected && (
              <>
                <dt>Naissance prévue le</dt>
                <dd>{numericDay(a.expected.due_date)}</dd>
              </>
            )}
            <dt>Date d'entrée souhaitée</dt>
            <dd>{numericDay(a.start_date)}</dd>
            <dt>Emploi du temps</dt>
            <dd>
              {scheduleText(a.schedule)}, soit {hoursText(a.hours_per_week)} par semaine
            </dd>
            <dt>Crèches choisies</dt>
            <dd>
              <ol class="creche-choices">
                {a.structures.map((sid) => (
                  <li key={sid}>{named.get(sid) ?? 'Crèche'}</li>
                ))}
              </ol>
            </dd>
            <dt>Situation</dt>
            <dd>
              {`${(a.situation.parents_work ?? []).length ? (a.situation.parents_work ?? []).map(workLabel).join(', ') : 'Non renseignée'} ; frères et sœurs en crèche : ${a.situation.siblings_in_creche ?? 0}`}
            </dd>
            {a.comment && (
              <>
                <dt>Commentaire</dt>
                <dd class="creche-comment">{a.comment}</dd>
              </>
            )}
            {open && (
              <>
                <dt>À renouveler avant le</dt>
                <dd>{numericDay(a.renew_before)}</dd>
              </>
            )}
          </dl>
          {open && !step && (
            <div class="actions">
              <button type="button" class="button button--secondary" onClick={() => act('renew')} aria-disabled={busy ? 'true' : undefined}>
                Confirmer mon intérêt
              </button>
              <button type="button" class="button button--secondary" onClick={() => ask('withdraw')}>
                Retirer ma demande
              </button>
            </div>
          )}
        </section>
        <CrecheDocuments documents={a.documents} variant="family" />
        <section aria-labelledby="historique-titre">
          <h2 id="historique-titre">Historique</h2>
          <ol class="creche-history">
            {a.history.map((h, i) => (
              <li key={`${h.at}-${i}`}>
                <p>
                  <strong>{eventText(h)}</strong> par {byText(h)}, le {deadlineText(h.at)}
                </p>
                {h.message && <p class="creche-message">{h.message}</p>}
              </li>
            ))}
          </ol>
        </section>
      </>
    );
  }

  return (
    <Page title="Préinscription en crèche" error={!!error} breadcrumb={[familyCrumb, crecheCrumb, { label: 'Préinscription en crèche' }]}>
      <FamilyChooser me={me} />
      <div role="status">
        {done && (
          <div class="notice notice--success">
            <p>{done}</p>
          </div>
        )}
      </div>
      <ActionError error={error} />
      {body}
    </Page>
  );
}
