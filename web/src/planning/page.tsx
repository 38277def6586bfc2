/**
 * `/planning`: the guide's planning. A `<table>` (a week: one row per
 * activity, one column per day; a month: one row per week), each cell
 * listing per child the activity, its hours and its state in words, with
 * the child's colour and name. Views "Mois", "Semaine (7 jours)",
 * "Semaine (5 jours)"; switches to show each child and activity. Each
 * entry is a button: it opens the confirmation of a reservation or an
 * absence. On narrow screens the table becomes a list of days.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { DocumentNotices } from '../documents/notices';
import { LoadError, Loading, useLoad } from '../ui/load';
import { type Me, parent } from '../api';
import {
  type Day,
  addDays,
  addMonths,
  columnDay,
  dayMonth,
  daysBetween,
  endOfMonth,
  isDay,
  longDay,
  mediumDay,
  monthYear,
  startOfMonth,
  startOfWeek,
  today,
  weekdayOf,
} from '../dates';
import { useCurrentFamily, useDossier, withQuery } from '../family/current';
import type { Child } from '../family/model';
import { FamilyChooser, NoFamily } from '../family/ui';
import { location } from '../router';
import { Page } from '../ui/page';
import { type DialogTarget, RequestDialog } from './dialog';
import { CHILD_COLOURS, type ClosedActivity, type Kind, type PlanningView, type Slot, type Submitted, activitiesOf, closedOn, stateLabel } from './model';
import { StateIcon, TimingIcon } from './state-icon';
import './planning.css';

export type View = 'mois' | 'semaine' | 'semaine5';

const VIEWS: [View, string][] = [
  ['mois', 'Mois'],
  ['semaine', 'Semaine (7 jours)'],
  ['semaine5', 'Semaine (5 jours)'],
];

export const PLANNING_CRUMBS = [
  { href: '/espace-famille', label: 'Espace famille' },
  { href: '/planning', label: 'Planning' },
];

function range(view: View, anchor: Day): { from: Day; to: Day } {
  if (view === 'mois') {
    return { from: startOfWeek(startOfMonth(anchor)), to: addDays(startOfWeek(endOfMonth(anchor)), 6) };
  }
  const from = startOfWeek(anchor);
  return { from, to: addDays(from, view === 'semaine' ? 6 : 4) };
}

function periodTitle(view: View, anchor: Day): string {
  if (view === 'mois') {
    const m = monthYear(anchor);
    return m.charAt(0).toUpperCase() + m.slice(1);
  }
  const { from, to } = range(view, anchor);
  return `${mediumDay(from)} — ${mediumDay(to)}`;
}

/** Whether the screen is narrow (375 px, or 200 % zoom). */
function useNarrow(): boolean {
  const query = '(max-width: 47.99rem)';
  const [narrow, setNarrow] = useState(() => window.matchMedia(query).matches);
  useEffect(() => {
    const m = window.matchMedia(query);
    const l = () => setNarrow(m.matches);
    m.addEventListener('change', l);
    return () => m.removeEventListener('change', l);
  }, []);
  return narrow;
}

export const slotId = (date: Day, s: Pick<Slot, 'child_id' | 'activity_id'>) => `case-${date}-${s.child_id}-${s.activity_id}`;

interface EntryProps {
  date: Day;
  slot: Slot;
  child: Child | undefined;
  colour: number;
  onOpen: (t: DialogTarget) => void;
}

function Entry({ date, slot, child, colour, onOpen }: EntryProps) {
  const name = child?.first_name ?? 'Enfant';
  const timing = slot.timing === 'open' ? '' : slot.timing === 'past' ? 'Jour passé' : 'Délai dépassé';
  // Read as one sentence: « Maéva, 2/Repas Ecoles, de 11:30 à 13:30, Réservé, Jour passé, lundi 7 décembre 2026 ».
  const label = [name, slot.activity, `de ${slot.start} à ${slot.end}`, stateLabel(slot), timing, longDay(date)].filter(Boolean).join(', ');
  return (
    <button
      type="button"
      id={slotId(date, slot)}
      class={`slot slot--${slot.state} slot--${slot.timing} child-${colour}`}
      aria-label={label}
      onClick={() => onOpen({ date, slot, childName: name })}
    >
      <span class="slot__child">{name}</span>
      <span class="slot__activity">{slot.activity}</span>
      <span class="slot__hours">
        {slot.start} - {slot.end}
      </span>
      <span class="slot__state">
        <StateIcon state={slot.state} />
        {stateLabel(slot)}
      </span>
      {timing && (
        <span class="slot__timing">
          <TimingIcon timing={slot.timing} />
          {timing}
        </span>
      )}
    </button>
  );
}

export function PlanningPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const { query } = location();
  const initialView = (VIEWS.some(([v]) => v === query.get('vue')) ? query.get('vue') : 'semaine5') as View;
  const wantedDay = query.get('date') ?? '';
  const [view, setView] = useState<View>(initialView);
  const [anchor, setAnchor] = useState<Day>(isDay(wantedDay) ? wantedDay : today());
  const [hiddenChildren, setHiddenChildren] = useState<Set<string>>(new Set());
  const [hiddenActivities, setHiddenActivities] = useState<Set<string>>(new Set());
  const [target, setTarget] = useState<DialogTarget | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const focusAfter = useRef<string | null>(null);
  const narrow = useNarrow();
  // On narrow screens the controls above the slots fold behind one button,
  // closed at first, so that the first screen shows the days.
  const [controlsOpen, setControlsOpen] = useState(false);
  const folded = narrow && !controlsOpen;
  const { from, to } = range(view, anchor);
  const planning = useLoad<PlanningView>(family ? () => parent.planning({ family_id: family.family_id, from, to }) : null, [family?.family_id, from, to]);
  const reload = planning.reload;

  // The address keeps the view and the period (a reload, a shared link).
  useEffect(() => {
    const url = withQuery('/planning', { vue: view, date: anchor });
    if (window.location.pathname + window.location.search !== url) history.replaceState(null, '', url);
  }, [view, anchor]);

  // The last planning read stays on screen while the next period loads:
  // the toolbar keeps its focus.
  const [data, setData] = useState<PlanningView | null>(null);
  useEffect(() => {
    if (planning.state === 'ready') setData(planning.data);
  }, [planning]);

  useEffect(() => {
    if (planning.state === 'ready' && data === planning.data && focusAfter.current) {
      document.getElementById(focusAfter.current)?.focus();
      focusAfter.current = null;
    }
  }, [data]);

  const children = dossier.state === 'ready' ? dossier.data.children : [];
  const colourOf = (id: string) => {
    const i = children.findIndex((c) => c.id === id);
    return (i < 0 ? 0 : i) % CHILD_COLOURS;
  };
  const childOf = (id: string) => children.find((c) => c.id === id);

  function move(step: number) {
    setDone(null);
    setAnchor(view === 'mois' ? addMonths(anchor, step) : addDays(startOfWeek(anchor), 7 * step));
  }

  function closed(result: { kind: Kind; answer: Submitted } | null) {
    const t = target;
    setTarget(null);
    if (!t) return;
    const id = slotId(t.date, t.slot);
    if (result) {
      const r = result.answer.requests[0];
      const what = result.kind === 'reservation' ? (r?.description?.includes("liste d'attente") ? "Votre demande de place en liste d'attente" : 'Votre demande de réservation') : "Votre déclaration d'absence";
      const state = r?.state === 'accepted' ? 'Elle est acceptée.' : r?.state === 'refused' ? 'Elle est refusée.' : 'Elle attend la validation de la collectivité.';
      setDone(`${what} pour ${t.childName}, ${t.slot.activity}, le ${longDay(t.date)}, est enregistrée. ${state}`);
      focusAfter.current = id;
      void reload();
    } else {
      setTimeout(() => document.getElementById(id)?.focus(), 0);
    }
  }

  let body;
  if (!family) body = <NoFamily />;
  else if (planning.state === 'failed') body = <LoadError error={planning.error} retry={() => void reload()} />;
  else if (!data || dossier.state === 'loading') body = <Loading text="Chargement du planning…" />;
  else {
    const activities = activitiesOf(data.enrolments);
    const enrolledChildren = children.filter((c) => data.enrolments.some((e) => e.child_id === c.id));
    const visible = (s: Slot) => !hiddenChildren.has(s.child_id) && !hiddenActivities.has(s.activity_id);
    const slotsOf = (date: Day) => (data.days.find((d) => d.date === date)?.slots ?? []).filter(visible);
    const shownEnrolments = data.enrolments.filter((e) => !hiddenChildren.has(e.child_id) && !hiddenActivities.has(e.activity_id));
    const shownDays = daysBetween(from, to);
    const closures = new Map(shownDays.map((d) => [d, closedOn(shownEnrolments, d, weekdayOf(d))]));
    const closuresOf = (date: Day) => closures.get(date) ?? [];
    const inMonth = (d: Day) => view !== 'mois' || d.slice(0, 7) === anchor.slice(0, 7);
    const entry = (date: Day, s: Slot) => <Entry key={slotId(date, s)} date={date} slot={s} child={childOf(s.child_id)} colour={colourOf(s.child_id)} onOpen={setTarget} />;
    const toggle = (set: Set<string>, id: string, update: (s: Set<string>) => void) => {
      const next = new Set(set);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      update(next);
    };

    let grid;
    if (data.enrolments.length === 0) {
      grid = <p>Vos enfants ne sont inscrits à aucune activité pour le moment. Pour les inscrire, adressez-vous à la collectivité.</p>;
    } else if (narrow) {
      const days = shownDays.filter((d) => inMonth(d) && (view !== 'mois' || slotsOf(d).length > 0 || closuresOf(d).length > 0));
      grid = (
        <ol class="day-list" aria-label={`Planning : ${periodTitle(view, anchor)}`}>
          {days.length === 0 && <li>Aucune activité sur cette période.</li>}
          {days.map((d) => {
            const slots = slotsOf(d);
            return (
              <li key={d}>
                <h3 class="day-list__day">{dayMonth(d)}</h3>
                {slots.length ? (
                  <ul class="slots">
                    {slots.map((s) => (
                      <li key={slotId(d, s)}>{entry(d, s)}</li>
                    ))}
                  </ul>
                ) : closuresOf(d).length === 0 ? (
                  <p class="muted">Aucune activité.</p>
                ) : null}
                <Closures closed={closuresOf(d)} />
              </li>
            );
          })}
        </ol>
      );
    } else if (view === 'mois') {
      const weeks: Day[][] = [];
      for (let i = 0; i < shownDays.length; i += 7) weeks.push(shownDays.slice(i, i + 7));
      grid = (
        <div class="table-wrap">
          <table class="planning planning--month">
            <caption class="visually-hidden">Planning du mois : {periodTitle(view, anchor)}</caption>
            <thead>
              <tr>
                {['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'].map((w) => (
                  <th scope="col" key={w}>
                    <abbr title={w}>{w.slice(0, 3)}.</abbr>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {weeks.map((week) => (
                <tr key={week[0]}>
                  {week.map((d) =>
                    inMonth(d) ? (
                      <td key={d} class={d === today() ? 'today' : undefined}>
                        <span class="planning__date">
                          <span aria-hidden="true">{Number(d.slice(8, 10))}</span>
                          <span class="visually-hidden">{longDay(d)}</span>
                          {d === today() && <span class="visually-hidden"> (aujourd'hui)</span>}
                        </span>
                        <div class="slots">{slotsOf(d).map((s) => entry(d, s))}</div>
                        <Closures closed={closuresOf(d)} />
                      </td>
                    ) : (
                      <td key={d} class="planning__outside" />
                    ),
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    } else {
      const shownActivities = activities.filter((a) => !hiddenActivities.has(a.activity_id));
      grid = (
        <div class="table-wrap">
          <table class="planning planning--week">
            <caption class="visually-hidden">Planning de la semaine : {periodTitle(view, anchor)}</caption>
            <thead>
              <tr>
                <th scope="col">Activité</th>
                {shownDays.map((d) => (
                  <th scope="col" key={d} class={d === today() ? 'today' : undefined}>
                    <span aria-hidden="true">{columnDay(d)}</span>
                    <span class="visually-hidden">{longDay(d)}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shownActivities.length === 0 && (
                <tr>
                  <td colSpan={shownDays.length + 1}>Aucune activité affichée : activez au moins une activité.</td>
                </tr>
              )}
              {shownActivities.map((a) => (
                <tr key={a.activity_id}>
                  <th scope="row">
                    <span class="planning__activity">{a.activity}</span>
                    <span class="planning__hours">
                      {a.start} - {a.end}
                    </span>
                    <span class="planning__place">{a.establishment}</span>
                  </th>
                  {shownDays.map((d) => (
                    <td key={d} class={d === today() ? 'today' : undefined}>
                      <div class="slots">{slotsOf(d).filter((s) => s.activity_id === a.activity_id).map((s) => entry(d, s))}</div>
                      <Closures closed={closuresOf(d).filter((c) => c.activity_id === a.activity_id)} named={false} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      );
    }

    body = (
      <div class="planning-layout">
        {narrow && (
          <button
            type="button"
            class="button button--secondary controls-toggle"
            aria-expanded={controlsOpen ? 'true' : 'false'}
            aria-controls="planning-controles planning-periode"
            onClick={() => setControlsOpen(!controlsOpen)}
          >
            <span class="controls-toggle__sign" aria-hidden="true">
              {controlsOpen ? '−' : '+'}
            </span>
            Affichage, enfants, activités et demandes
          </button>
        )}
        <aside id="planning-controles" class="planning-side" aria-label="Affichage et demandes" hidden={folded}>
          <section class="panel" aria-labelledby="longue-periode">
            <h2 id="longue-periode">Faire une demande sur une longue période</h2>
            <p class="actions actions--tight">
              <a class="button" href="/planning/demande?type=reservation">
                Réservations
              </a>
              <a class="button button--secondary" href="/planning/demande?type=absence">
                Absences
              </a>
            </p>
          </section>
          {enrolledChildren.length > 0 && (
            <fieldset class="panel switches">
              <legend>Enfants</legend>
              {enrolledChildren.map((c) => (
                <div class="choice" key={c.id}>
                  <input type="checkbox" id={`voir-enfant-${c.id}`} checked={!hiddenChildren.has(c.id)} onChange={() => toggle(hiddenChildren, c.id, setHiddenChildren)} />
                  <label for={`voir-enfant-${c.id}`}>
                    <span class={`swatch child-${colourOf(c.id)}`} aria-hidden="true" />
                    {c.last_name} {c.first_name}
                  </label>
                </div>
              ))}
            </fieldset>
          )}
          {activities.length > 0 && (
            <fieldset class="panel switches">
              <legend>Activités</legend>
              {activities.map((a) => (
                <div class="choice" key={a.activity_id}>
                  <input type="checkbox" id={`voir-activite-${a.activity_id}`} checked={!hiddenActivities.has(a.activity_id)} onChange={() => toggle(hiddenActivities, a.activity_id, setHiddenActivities)} />
                  <label for={`voir-activite-${a.activity_id}`}>
                    {a.activity} ({a.start} - {a.end})
                  </label>
                </div>
              ))}
            </fieldset>
          )}
        </aside>
        <div class="planning-main">
          <div id="planning-periode" class="planning-toolbar" hidden={folded}>
            <div class="views" role="group" aria-label="Affichage">
              {VIEWS.map(([v, label]) => (
                <button
                  key={v}
                  type="button"
                  class="button button--secondary button--small"
                  aria-pressed={view === v ? 'true' : 'false'}
                  onClick={() => {
                    setDone(null);
                    setView(v);
                  }}
                >
                  {view === v && <span aria-hidden="true">✓ </span>}
                  {label}
                </button>
              ))}
            </div>
            <div class="period-nav">
              <button type="button" class="button button--secondary button--small" onClick={() => move(-1)}>
                <span aria-hidden="true">‹ </span>
                {view === 'mois' ? 'Mois précédent' : 'Semaine précédente'}
              </button>
              <button
                type="button"
                class="button button--secondary button--small"
                onClick={() => {
                  setDone(null);
                  setAnchor(today());
                }}
              >
                Aujourd'hui
              </button>
              <button type="button" class="button button--secondary button--small" onClick={() => move(1)}>
                {view === 'mois' ? 'Mois suivant' : 'Semaine suivante'}
                <span aria-hidden="true"> ›</span>
              </button>
            </div>
          </div>
          <h2 class="period-title" aria-live="polite">
            {periodTitle(view, anchor)}
          </h2>
          <p class="visually-hidden" role="status">
            {planning.state === 'loading' ? 'Chargement du planning…' : ''}
          </p>
          {grid}
        </div>
      </div>
    );
  }

  return (
    <Page title="Planning" breadcrumb={[PLANNING_CRUMBS[0] as { href: string; label: string }, { label: 'Planning' }]}>
      <FamilyChooser me={me} />
      <nav class="planning-switch" aria-label="Planning ou liste">
        <a href="/planning" aria-current="page">
          Planning
        </a>
        <span aria-hidden="true"> / </span>
        <a href="/planning/liste">Liste</a>
      </nav>
      <p class="lead">Cliquer sur les cases du planning pour faire vos demandes.</p>
      {family && <DocumentNotices familyId={family.family_id} />}
      <div role="status">
        {done && (
          <div class="notice notice--success">
            <p>{done}</p>
          </div>
        )}
      </div>
      {body}
      {target && family && <RequestDialog target={target} familyId={family.family_id} onClose={closed} />}
    </Page>
  );
}

/** Activities the commune closed on a day ("4/Péri SOIR : fermé, Vacances d'hiver"). */
function Closures({ closed, named = true }: { closed: ClosedActivity[]; named?: boolean }) {
  if (closed.length === 0) return null;
  return (
    <ul class="planning__closures">
      {closed.map((c) => (
        <li key={c.activity_id} class="planning__closed">
          {named ? `${c.activity} : fermé` : 'Fermé'} ({c.label})
        </li>
      ))}
    </ul>
  );
}
