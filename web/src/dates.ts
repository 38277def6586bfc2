/**
 * Days as the API writes them (`YYYY-MM-DD`), computed in UTC so that no
 * time zone shifts them, and written in French. Instants (RFC 3339) are
 * shown in Europe/Paris, the commune's time.
 */

export type Day = string;

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDay(value: string): boolean {
  const m = DAY_RE.exec(value);
  if (!m) return false;
  const d = toDate(value);
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() + 1 === Number(m[2]) && d.getUTCDate() === Number(m[3]);
}

export function toDate(day: Day): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1));
}

export function fromDate(date: Date): Day {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: Day, n: number): Day {
  const d = toDate(day);
  d.setUTCDate(d.getUTCDate() + n);
  return fromDate(d);
}

export function addMonths(day: Day, n: number): Day {
  const d = toDate(day);
  return fromDate(new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + n, 1)));
}

/** 0 for Monday … 6 for Sunday. */
export function weekdayIndex(day: Day): number {
  return (toDate(day).getUTCDay() + 6) % 7;
}

export function weekdayOf(day: Day): Weekday {
  return WEEKDAYS[weekdayIndex(day)] as Weekday;
}

export function startOfWeek(day: Day): Day {
  return addDays(day, -weekdayIndex(day));
}

export function startOfMonth(day: Day): Day {
  return `${day.slice(0, 7)}-01`;
}

export function endOfMonth(day: Day): Day {
  return addDays(addMonths(day, 1), -1);
}

export function daysBetween(from: Day, to: Day): Day[] {
  const out: Day[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Today in Paris. */
export function today(): Day {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  return parts.slice(0, 10);
}

const fmt = (opts: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', ...opts });
const LONG = fmt({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const MEDIUM = fmt({ day: 'numeric', month: 'short', year: 'numeric' });
const NUMERIC = fmt({ day: '2-digit', month: '2-digit', year: 'numeric' });
const DAY_MONTH = fmt({ weekday: 'long', day: 'numeric', month: 'long' });
const SHORT_HEAD = fmt({ weekday: 'short' });
const MONTH_YEAR = fmt({ month: 'long', year: 'numeric' });

/** "lundi 1 février 2027". */
export const longDay = (day: Day) => LONG.format(toDate(day));
/** "1 févr. 2027". */
export const mediumDay = (day: Day) => MEDIUM.format(toDate(day));
/** "01/02/2027". */
export const numericDay = (day: Day) => NUMERIC.format(toDate(day));
/** "lundi 1 février". */
export const dayMonth = (day: Day) => DAY_MONTH.format(toDate(day));
/** "lun. 01/02". */
export const columnDay = (day: Day) => `${SHORT_HEAD.format(toDate(day))} ${day.slice(8, 10)}/${day.slice(5, 7)}`;
/** "février 2027". */
export const monthYear = (day: Day) => MONTH_YEAR.format(toDate(day));

/** "JJ/MM/AAAA" or "AAAA-MM-JJ" typed by hand -> a day, or null. */
export function parseTypedDay(value: string): Day | null {
  const v = value.trim();
  if (isDay(v)) return v;
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(v);
  if (!m) return null;
  const day = `${m[3]}-${(m[2] ?? '').padStart(2, '0')}-${(m[1] ?? '').padStart(2, '0')}`;
  return isDay(day) ? day : null;
}

const INSTANT = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const INSTANT_SHORT = new Intl.DateTimeFormat('fr-FR', {
  timeZone: 'Europe/Paris',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "9 déc. 2018 13:59:09" (Paris time). */
export function instant(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : INSTANT.format(d).replace(' à ', ' ').replace(',', '');
}

/** "9 décembre 2018 à 13:59" (Paris time). */
export function instantLong(rfc3339: string): string {
  const d = new Date(rfc3339);
  return Number.isNaN(d.getTime()) ? rfc3339 : INSTANT_SHORT.format(d).replace(',', ' à');
}
