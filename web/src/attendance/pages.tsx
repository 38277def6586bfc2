/**
 * Attendance (pointage), for the staff at the activity and the agents:
 * `/pointage` (the activities), `/pointage/<activité>?date=` (the sheet of a
 * day: mark each child, print, CSV), `/pointage/<activité>/semaine?date=`
 * (the week's occupancy). Made for a phone in a school yard: one column,
 * large targets, marks saved at once and kept when the network drops.
 */
import { useState } from 'preact/hooks';

import type { Me } from '../api';
import { addDays, isDay, longDay, today as todayOnDevice } from '../dates';
import { location, navigate } from '../router';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { Page } from '../ui/page';
import './attendance.css';
import {
  MARK_LABELS,
  type Mark,
  type Sheet,
  type SheetChild,
  type SheetGroup,
  type SheetPerson,
  attendanceActivities,
  csvHref,
  sheet as loadSheet,
  week as loadWeek,
} from './api';
import { type Queued, queued, record, useQueue } from './queue';

const HOME = { href: '/pointage', label: 'Pointage' };

/** A parent on these pages: nothing to see. */
export function StaffOnlyPage() {
  return (
    <Page title="Accès réservé" breadcrumb={[{ label: 'Pointage' }]}>
      <div class="notice notice--error">
        <p>Le pointage des présences est réservé au personnel des activités et aux agents de la collectivité.</p>
      </div>
      <p>
        <a href="/mon-espace">Retour à mon espace</a>
      </p>
    </Page>
  );
}

function PendingStatus({ count }: { count: number }) {
  return (
    <p class="attendance-pending" role="status">
      {count > 0 ? `${count} pointage${count > 1 ? 's' : ''} en attente d'envoi : ils partiront dès le retour de la connexion.` : ''}
    </p>
  );
}

export function AttendanceHomePage({ me }: { me: Me }) {
  const list = useLoad(attendanceActivities);
  const pending = useQueue();
  if (me.role === 'parent') return <StaffOnlyPage />;
  const day = list.data?.today ?? todayOnDevice();
  return (
    <Page title="Pointage des présences" breadcrumb={[{ label: 'Pointage' }]}>
      <PendingStatus count={pending} />
      {list.state === 'loading' && <Loading />}
      {list.state === 'failed' && <LoadFailure error={list.error} />}
      {list.state === 'ready' &&
        (list.data.items.length === 0 ? (
          <p>Aucune activité ne vous est confiée pour le moment. Adressez-vous à la mairie.</p>
        ) : (
          <ul class="attendance-activities">
            {list.data.items.map((a) => (
              <li key={a.id} class="panel">
                <h2>
                  <a href={`/pointage/${encodeURIComponent(a.id)}?date=${day}`}>{a.name}</a>
                </h2>
                <p>
                  {a.establishment} · {a.start} – {a.end}
                  {a.capacity != null && ` · ${a.capacity} places`}
                </p>
                <p>
                  <a href={`/pointage/${encodeURIComponent(a.id)}/semaine?date=${day}`}>Vue de la semaine</a>
                </p>
              </li>
            ))}
          </ul>
        ))}
    </Page>
  );
}

function dayParam(): string {
  const d = location().query.get('date') ?? '';
  return isDay(d) ? d : todayOnDevice();
}

const GROUP_TITLES: Record<SheetGroup, string> = {
  expected: 'Enfants attendus',
  unreserved: 'Arrivés sans réservation',
  pending: 'Réservations en attente de décision',
  absent: 'Absences justifiées',
  waiting_list: "Liste d'attente",
  not_reserved: 'Autres enfants inscrits',
};

const GROUP_ORDER: SheetGroup[] = ['expected', 'unreserved', 'absent', 'pending', 'waiting_list', 'not_reserved'];

/** The marks offered for a child, by where it stands. */
function choices(c: SheetChild): Mark[] {
  if (c.group === 'expected') return ['present', 'absent_excused', 'absent_unexcused'];
  if (c.group === 'unreserved' || c.group === 'not_reserved') return ['arrived_unreserved'];
  return [];
}

function people(list: SheetPerson[]) {
  return list.map((p, i) => (
    <span key={i}>
      {i > 0 && ' ; '}
      {p.full_name}
      {p.relationship && ` (${p.relationship})`}
      {p.phone && (
        <>
          {' '}
          <a href={`tel:${p.phone.replace(/\s/g, '')}`}>{p.phone}</a>
        </>
      )}
    </span>
  ));
}

function childName(c: SheetChild): string {
  return `${c.first_name} ${c.last_name}`.trim() || 'Enfant';
}

function ChildCard({
  c,
  mark,
  waiting,
  onMark,
}: {
  c: SheetChild;
  mark: Mark | null;
  waiting: boolean;
  onMark: (c: SheetChild, mark: Mark | null) => void;
}) {
  const name = childName(c);
  const offered = choices(c);
  const group = `marque-${c.child_id}`;
  return (
    <li class="attendance-child" data-child={c.child_id}>
      <div class="attendance-child__head">
        {c.photo_url && <img class="attendance-child__photo" src={c.photo_url} alt={`Photo de ${name}`} width="56" height="56" />}
        <div>
          <h3>{name}</h3>
          <p class="attendance-child__state">
            {c.waiting_rank != null ? `${c.group_label} (rang ${c.waiting_rank})` : c.group_label}
            {c.absence_requested && ' – absence demandée par la famille'}
            {c.absence_reason && ` – motif : ${c.absence_reason}`}
          </p>
        </div>
      </div>
      <ul class="attendance-child__facts">
        {c.allergies.length > 0 && (
          <li class="attendance-alert">
            <strong>Allergies :</strong> {c.allergies.join(', ')}
          </li>
        )}
        {c.diet && (
          <li class="attendance-alert">
            <strong>Régime :</strong> {c.diet}
          </li>
        )}
        {c.special_care && (
          <li class="attendance-alert">
            <strong>Besoin d'une attention particulière</strong>
          </li>
        )}
        <li>
          <strong>Part seul :</strong> {c.leave_alone ? 'oui' : 'non'}
        </li>
        {c.authorised_adults.length > 0 && (
          <li>
            <strong>Adultes autorisés :</strong> {people(c.authorised_adults)}
          </li>
        )}
        {c.emergency_contacts.length > 0 && (
          <li>
            <strong>En cas d'urgence :</strong> {people(c.emergency_contacts)}
          </li>
        )}
        {c.guardians.length > 0 && (
          <li>
            <strong>Responsables :</strong>{' '}
            {people(c.guardians.map((g) => ({ full_name: g.full_name, relationship: g.quality, phone: g.phone })))}
          </li>
        )}
      </ul>
      {offered.length > 0 && (
        <fieldset class="attendance-marks">
          <legend>
            Pointage de {name}
            {waiting && <span class="attendance-waiting"> (en attente d'envoi)</span>}
          </legend>
          <div class="attendance-marks__choices">
            {offered.map((m) => (
              <label key={m} class={`attendance-mark attendance-mark--${m}`}>
                <input type="radio" name={group} value={m} checked={mark === m} onChange={() => onMark(c, m)} />
                <span>{MARK_LABELS[m]}</span>
              </label>
            ))}
            {mark && (
              <button type="button" class="button button--secondary attendance-clear" onClick={() => onMark(c, null)}>
                Effacer<span class="visually-hidden"> le pointage de {name}</span>
              </button>
            )}
          </div>
        </fieldset>
      )}
    </li>
  );
}

/** The printed sheet: one table, no buttons. */
function PrintTable({ s, marks }: { s: Sheet; marks: Record<string, Mark | null> }) {
  const rows = s.children.filter((c) => c.group !== 'not_reserved' || marks[c.child_id]);
  return (
    <table class="attendance-print">
      <caption>
        {s.activity} – {longDay(s.date)} – {s.establishment}, {s.start} – {s.end}
      </caption>
      <thead>
        <tr>
          <th scope="col">Enfant</th>
          <th scope="col">Situation</th>
          <th scope="col">Pointage</th>
          <th scope="col">Allergies, régime</th>
          <th scope="col">Part seul</th>
          <th scope="col">Contacts</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c) => {
          const m = marks[c.child_id] ?? null;
          return (
            <tr key={c.child_id}>
              <th scope="row">{childName(c)}</th>
              <td>
                {c.group_label}
                {c.absence_reason && ` (${c.absence_reason})`}
              </td>
              <td>{m ? MARK_LABELS[m] : ''}</td>
              <td>{[c.allergies.join(', '), c.diet ?? ''].filter(Boolean).join(' ; ')}</td>
              <td>{c.leave_alone ? 'Oui' : 'Non'}</td>
              <td>{[...c.emergency_contacts, ...c.guardians.map((g) => ({ full_name: g.full_name, phone: g.phone }))].map((p) => `${p.full_name} ${p.phone}`.trim()).join(' ; ')}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function waitingFor(activity: string, date: string): Record<string, Mark | null> {
  const out: Record<string, Mark | null> = {};
  for (const q of queued()) if (q.activity === activity && q.date === date) out[q.child] = q.mark;
  return out;
}

export function SheetPage({ me, id }: { me: Me; id: string }) {
  const date = dayParam();
  const data = useLoad(() => loadSheet(id, date), [id, date]);
  const [local, setLocal] = useState<Record<string, Mark | null>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const pending = useQueue(() => void data.reload());
  if (me.role === 'parent') return <StaffOnlyPage />;
  const s = data.data;
  const title = s ? `Pointage : ${s.activity}` : 'Pointage';
  const crumbs = [HOME, { label: s?.activity ?? 'Feuille de présence' }];
  const waiting = s ? waitingFor(id, date) : {};
  const marks: Record<string, Mark | null> = {};
  if (s) for (const c of s.children) marks[c.child_id] = c.child_id in local ? local[c.child_id]! : c.child_id in waiting ? waiting[c.child_id]! : (c.mark ?? null);

  async function onMark(c: SheetChild, mark: Mark | null) {
    const before = marks[c.child_id] ?? null;
    setLocal((l) => ({ ...l, [c.child_id]: mark }));
    setProblem(null);
    const q: Queued = { activity: id, date, child: c.child_id, mark };
    const sent = await record(q);
    if (sent.state === 'refused') {
      setLocal((l) => ({ ...l, [c.child_id]: before }));
      setProblem(`${childName(c)} : ${sent.error.detail}`);
    }
  }

  const go = (d: string) => navigate(`/pointage/${encodeURIComponent(id)}?date=${d}`);
  const present = s ? Object.values(marks).filter((m) => m === 'present' || m === 'arrived_unreserved').length : 0;
  const notMarked = s ? s.children.filter((c) => c.group === 'expected' && !marks[c.child_id]).length : 0;

  return (
    <Page title={title} breadcrumb={crumbs}>
      <div class="attendance-sheet">
        <PendingStatus count={pending} />
        <nav class="attendance-days" aria-label="Changer de jour">
          <a class="button button--secondary" href={`/pointage/${encodeURIComponent(id)}?date=${addDays(date, -1)}`}>
            <span aria-hidden="true">←</span> Jour précédent
          </a>
          <label class="attendance-date">
            <span>Jour</span>
            <input type="date" value={date} onChange={(e) => isDay(e.currentTarget.value) && go(e.currentTarget.value)} />
          </label>
          <a class="button button--secondary" href={`/pointage/${encodeURIComponent(id)}?date=${addDays(date, 1)}`}>
            Jour suivant <span aria-hidden="true">→</span>
          </a>
        </nav>
        {data.state === 'loading' && <Loading />}
        {data.state === 'failed' && <LoadFailure error={data.error} notFound="Cette activité n'existe pas, ou son pointage ne vous est pas confié." back={HOME} />}
        {s && (
          <>
            <p class="attendance-day">
              <strong>{longDay(s.date)}</strong> · {s.establishment} · {s.start} – {s.end}
            </p>
            {!s.runs && (
              <div class="notice">
                <p>{s.closed}</p>
              </div>
            )}
            <dl class="attendance-counts">
              <div>
                <dt>Réservés</dt>
                <dd>{s.capacity != null ? `${s.reserved} / ${s.capacity}` : s.reserved}</dd>
              </div>
              {s.places_left != null && (
                <div>
                  <dt>Places restantes</dt>
                  <dd>{s.places_left}</dd>
                </div>
              )}
              <div>
                <dt>Présents</dt>
                <dd>{present}</dd>
              </div>
              <div>
                <dt>Non pointés</dt>
                <dd>{notMarked}</dd>
              </div>
            </dl>
            <div class="actions attendance-tools">
              <a class="button button--secondary" href={csvHref(id, date)} download>
                Télécharger (CSV)
              </a>
              <button type="button" class="button button--secondary" onClick={() => window.print()}>
                Imprimer la feuille
              </button>
              <a class="button button--secondary" href={`/pointage/${encodeURIComponent(id)}/semaine?date=${date}`}>
                Vue de la semaine
              </a>
            </div>
            <div role="alert" class="attendance-problem">
              {problem && <p class="notice notice--error">{problem}</p>}
            </div>
            {s.children.length === 0 && <p>Aucun enfant inscrit ce jour.</p>}
            {GROUP_ORDER.map((g) => {
              const kids = s.children.filter((c) => c.group === g);
              if (!kids.length) return null;
              const list = (
                <ul class="attendance-children">
                  {kids.map((c) => (
                    <ChildCard key={c.child_id} c={c} mark={marks[c.child_id] ?? null} waiting={c.child_id in waiting} onMark={(ch, m) => void onMark(ch, m)} />
                  ))}
                </ul>
              );
              return g === 'not_reserved' ? (
                <details key={g} class="attendance-group attendance-others">
                  <summary>
                    {GROUP_TITLES[g]} ({kids.length}) : pointer un enfant arrivé sans réservation
                  </summary>
                  {list}
                </details>
              ) : (
                <section key={g} class="attendance-group" aria-labelledby={`groupe-${g}`}>
                  <h2 id={`groupe-${g}`}>
                    {GROUP_TITLES[g]} ({kids.length})
                  </h2>
                  {list}
                </section>
              );
            })}
            <PrintTable s={s} marks={marks} />
          </>
        )}
      </div>
    </Page>
  );
}

export function WeekPage({ me, id }: { me: Me; id: string }) {
  const date = dayParam();
  const data = useLoad(() => loadWeek(id, date), [id, date]);
  if (me.role === 'parent') return <StaffOnlyPage />;
  const w = data.data;
  const crumbs = [HOME, { href: `/pointage/${encodeURIComponent(id)}?date=${date}`, label: w?.activity ?? 'Feuille de présence' }, { label: 'Semaine' }];
  return (
    <Page title={w ? `Semaine : ${w.activity}` : 'Semaine'} breadcrumb={crumbs}>
      <nav class="attendance-days" aria-label="Changer de semaine">
        <a class="button button--secondary" href={`/pointage/${encodeURIComponent(id)}/semaine?date=${addDays(date, -7)}`}>
          <span aria-hidden="true">←</span> Semaine précédente
        </a>
        <a class="button button--secondary" href={`/pointage/${encodeURIComponent(id)}/semaine?date=${addDays(date, 7)}`}>
          Semaine suivante <span aria-hidden="true">→</span>
        </a>
      </nav>
      {data.state === 'loading' && <Loading />}
      {data.state === 'failed' && <LoadFailure error={data.error} notFound="Cette activité n'existe pas, ou son pointage ne vous est pas confié." back={HOME} />}
      {w && (
        <table class="attendance-week">
          <caption>
            Du {longDay(w.from)} au {longDay(w.to)}
          </caption>
          <thead>
            <tr>
              <th scope="col">Jour</th>
              <th scope="col">Réservés / capacité</th>
              <th scope="col">Présents</th>
              <th scope="col">Occupation</th>
            </tr>
          </thead>
          <tbody>
            {w.days.map((d) => {
              const cap = d.capacity ?? null;
              const share = cap ? Math.min(100, Math.round((d.reserved * 100) / cap)) : null;
              return (
                <tr key={d.date}>
                  <th scope="row">
                    <a href={`/pointage/${encodeURIComponent(id)}?date=${d.date}`}>{d.label}</a>
                  </th>
                  {d.runs ? (
                    <>
                      <td>{cap != null ? `${d.reserved} / ${cap}` : d.reserved}</td>
                      <td>{d.present}</td>
                      <td>
                        {share != null ? (
                          <span class="attendance-bar">
                            <span class="attendance-bar__track" aria-hidden="true">
                              <span class="attendance-bar__fill" style={{ width: `${share}%` }} />
                            </span>
                            <span>{share} %</span>
                          </span>
                        ) : (
                          'sans limite'
                        )}
                      </td>
                    </>
                  ) : (
                    <td colSpan={3}>Pas d'activité</td>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </Page>
  );
}
