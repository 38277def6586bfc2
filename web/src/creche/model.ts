/** Crèche pre-registration in French: states, history, schedule, situation, deadlines. */
import type { Schemas } from '../api/core';
import { numericDay } from '../dates';

type Status = Schemas['Status'];
type Slot = Schemas['Slot'];
type Weekday = Schemas['Weekday'];
type WorkSituation = Schemas['WorkSituation'];
type HistoryEntry = Schemas['CrecheHistoryView'];

/** The guide's states, in words. */
export const STATUS_LABELS: Record<Status, string> = {
  submitted: 'Déposée',
  incomplete: 'Incomplète',
  under_review: "En cours d'étude",
  offered: 'Place proposée',
  accepted: 'Acceptée',
  declined: 'Refusée par la famille',
  waiting: "En liste d'attente",
  withdrawn: 'Retirée',
  closed: 'Clôturée',
};

export const statusLabel = (s: Status) => STATUS_LABELS[s] ?? s;

/** A state's badge class (the words carry the meaning). */
export function statusBadge(s: Status): string {
  if (s === 'accepted') return 'accepted';
  if (s === 'declined' || s === 'withdrawn' || s === 'closed') return 'cancelled';
  if (s === 'incomplete') return 'refused';
  return 'pending';
}

/** Monday to Friday, the crèches' days. */
export const CRECHE_DAYS: [Weekday, string][] = [
  ['mon', 'Lundi'],
  ['tue', 'Mardi'],
  ['wed', 'Mercredi'],
  ['thu', 'Jeudi'],
  ['fri', 'Vendredi'],
];

export const dayName = (d: Weekday) => CRECHE_DAYS.find(([k]) => k === d)?.[1] ?? d;

export const WORK_SITUATIONS: [WorkSituation, string][] = [
  ['employed', 'Salarié'],
  ['self_employed', 'Indépendant'],
  ['job_seeker', "En recherche d'emploi"],
  ['student', 'Étudiant'],
  ['training', 'En formation'],
  ['parental_leave', 'En congé parental'],
  ['other', 'Autre'],
];

export const workLabel = (w: WorkSituation) => WORK_SITUATIONS.find(([k]) => k === w)?.[1] ?? w;

/** "HH:MM" -> minutes, or null. */
export function minutes(t: string): number | null {
  const m = /^(\d{1,2})[:hH](\d{2})$/.exec(t.trim());
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  return h < 24 && min < 60 ? h * 60 + min : null;
}

/** Hours a week of the days whose arrival precedes the departure. */
export function weeklyHours(slots: { start: string; end: string }[]): number {
  let total = 0;
  for (const s of slots) {
    const a = minutes(s.start);
    const b = minutes(s.end);
    if (a !== null && b !== null && b > a) total += b - a;
  }
  return Math.round((total / 60) * 100) / 100;
}

/** "37,5 h" */
export const hoursText = (h: number) => `${h.toLocaleString('fr-FR', { maximumFractionDigits: 2 })} h`;

/** "Lundi 08:30–17:30, Mardi …". */
export function scheduleText(schedule: Slot[]): string {
  return schedule.map((s) => `${dayName(s.weekday)} ${s.start.slice(0, 5)}–${s.end.slice(0, 5)}`).join(', ');
}

/** "18/01/2027 à 23:59" (Paris time). */
export function deadlineText(rfc3339: string): string {
  const d = new Date(rfc3339);
  if (Number.isNaN(d.getTime())) return rfc3339;
  const opts = { timeZone: 'Europe/Paris' } as const;
  return `${d.toLocaleDateString('fr-FR', opts)} à ${d.toLocaleTimeString('fr-FR', { ...opts, hour: '2-digit', minute: '2-digit' })}`;
}

/** What a history step says. */
export function eventText(h: HistoryEntry): string {
  switch (h.event) {
    case 'submitted':
      return 'Demande déposée';
    case 'status':
      return `État : ${statusLabel(h.status)}`;
    case 'offered':
      return 'Place proposée';
    case 'answered':
      return h.status === 'accepted' ? 'Place acceptée' : 'Place refusée';
    case 'withdrawn':
      return 'Demande retirée';
    case 'renewed':
      return 'Intérêt confirmé';
    case 'lapsed':
      return 'Proposition expirée';
    case 'birth':
      return 'Naissance déclarée';
    default:
      return h.event;
  }
}

export const byText = (h: HistoryEntry) => (h.by === 'family' ? 'la famille' : 'la collectivité');

/** "01/09/2027". */
export const day = (d: string) => numericDay(d);

/**
 * A day and a time typed in Paris -> RFC 3339 with Paris's offset of that
 * day (+01:00 or +02:00), or null.
 */
export function parisInstant(date: string, time: string): string | null {
  const t = minutes(time);
  if (t === null || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const hm = `${String(Math.floor(t / 60)).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
  for (const offset of ['+01:00', '+02:00']) {
    const candidate = `${date}T${hm}:00${offset}`;
    const d = new Date(candidate);
    const back = d.toLocaleTimeString('fr-FR', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit' });
    if (back === hm) return candidate;
  }
  return null;
}
