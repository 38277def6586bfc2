/** The planning as `GET /api/planning` gives it, and the requests it sends. */
import type { Schemas } from '../api';
import type { Day, Weekday } from '../dates';
import type { RequestSummary } from '../requests/model';
import { PLANNING_STATES } from '../labels';

export type PlanningState = Schemas['PlanningState'];

export type Slot = Schemas['SlotView'];

export type PlanningDay = Schemas['DayView'];

export type Enrolment = Schemas['EnrolmentView'];

/** A closure that keeps an enrolled activity shut on a day it would run. */
export interface ClosedActivity {
  activity_id: string;
  activity: string;
  label: string;
}

/** The shown activities closed on `day` (once each, whatever the number of children). */
export function closedOn(enrolments: Enrolment[], day: Day, weekday: Weekday): ClosedActivity[] {
  const out: ClosedActivity[] = [];
  for (const e of enrolments) {
    if (day < e.from || day > e.to || !e.weekdays.includes(weekday)) continue;
    if (out.some((c) => c.activity_id === e.activity_id)) continue;
    const c = e.closures?.find((x) => x.from <= day && day <= x.to);
    if (c) out.push({ activity_id: e.activity_id, activity: e.activity, label: c.label });
  }
  return out;
}

export type PlanningView = Schemas['PlanningView'];

export const stateLabel = (s: Slot) => PLANNING_STATES[s.state] ?? s.state_label ?? s.state;

export interface Refusal {
  date: Day;
  code: string;
  message: string;
}

/** A request recorded despite a missing mandatory supporting document (an activity that only warns). */
export type DocumentWarning = Schemas['Warning'];

/** `POST /api/requests` answers one request per day recorded. */
export interface Submitted {
  requests: RequestSummary[];
  refused: Refusal[];
  /** One per missing mandatory document, for an activity that only warns. */
  warnings?: DocumentWarning[];
}

export type Kind = 'reservation' | 'absence';

/** A random v4 UUID, also where `crypto.randomUUID` is missing (plain http). */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40;
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** Activities of the enrolments, once each, by start time. */
export function activitiesOf(enrolments: Enrolment[]): Enrolment[] {
  const seen = new Map<string, Enrolment>();
  for (const e of enrolments) if (!seen.has(e.activity_id)) seen.set(e.activity_id, e);
  return [...seen.values()].sort((a, b) => a.start.localeCompare(b.start) || a.activity.localeCompare(b.activity, 'fr'));
}

/** The number of colours in planning.css (`.child-0` …). */
export const CHILD_COLOURS = 6;
