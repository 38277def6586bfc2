/** A small icon per planning state, beside its name (never colour alone). */
import type { PlanningState, Slot } from './model';

const PATHS: Record<PlanningState, string> = {
  // an empty circle: nothing asked
  enrolled: 'M12 4a8 8 0 1 0 0 16a8 8 0 1 0 0-16z',
  // an hourglass: waiting for the commune
  reservation_requested: 'M7 3h10M7 21h10M8 3c0 5 8 6 8 9s-8 4-8 9M16 3c0 5-8 6-8 9s8 4 8 9',
  absence_requested: 'M7 3h10M7 21h10M8 3c0 5 8 6 8 9s-8 4-8 9M16 3c0 5-8 6-8 9s8 4 8 9',
  // a tick: reserved
  reserved: 'M4 12l5 5L20 6',
  // a cross: refused
  reservation_refused: 'M6 6l12 12M18 6L6 18',
  absence_refused: 'M6 6l12 12M18 6L6 18',
  // a crossed-out person: absent
  absent: 'M12 4a3 3 0 1 0 0 6a3 3 0 1 0 0-6zM6 20c0-3 3-5 6-5s6 2 6 5M4 4l16 16',
  // a list: waiting list
  waiting_list: 'M8 6h12M8 12h12M8 18h12M4 6h.01M4 12h.01M4 18h.01',
};

export function StateIcon({ state }: { state: PlanningState }) {
  return (
    <svg class="state-icon" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d={PATHS[state] ?? PATHS.enrolled} />
    </svg>
  );
}

const TIMING_PATHS: Record<Slot['timing'], string> = {
  // a clock: open until the deadline
  open: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18zM12 7v5l3 2',
  // a padlock: the deadline is passed
  deadline_passed: 'M6 11h12v9H6zM8 11V8a4 4 0 0 1 8 0v3',
  // a calendar page crossed out: the day is over
  past: 'M4 6h16v14H4zM4 10h16M8 3v4M16 3v4M9 13l6 5M15 13l-6 5',
};

/** Where the day stands against its deadline, as an icon beside the words. */
export function TimingIcon({ timing }: { timing: Slot['timing'] }) {
  return (
    <svg class="state-icon" viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      <path d={TIMING_PATHS[timing] ?? TIMING_PATHS.open} />
    </svg>
  );
}
