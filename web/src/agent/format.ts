/** French wording of the back-office: dates, times, money (the codes' labels are ../labels'). */
import { WEEKDAYS } from '../dates';
import { WEEKDAY_NAMES } from '../labels';
import type { Weekday } from '../api/agent';

export const plural = (n: number, one: string, many: string) => `${n} ${n > 1 ? many : one}`;

function ymd(date: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

/** "01/02/2027". */
export function shortDate(date: string | null | undefined): string {
  if (!date) return '';
  const d = ymd(date);
  return d ? d.toLocaleDateString('fr-FR', { timeZone: 'UTC' }) : date;
}

/** "lundi 1 février 2027". */
export function longDate(date: string | null | undefined): string {
  if (!date) return '';
  const d = ymd(date);
  return d
    ? d.toLocaleDateString('fr-FR', { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' })
    : date;
}

/** "lun. 01/02/2027". */
export function dayDate(date: string | null | undefined): string {
  if (!date) return '';
  const d = ymd(date);
  if (!d) return date;
  const day = d.toLocaleDateString('fr-FR', { timeZone: 'UTC', weekday: 'short' });
  return `${day} ${shortDate(date)}`;
}

/** "28/11/2026 à 14:55" (Paris time). */
export function dateTime(instant: string | null | undefined): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  const opts = { timeZone: 'Europe/Paris' } as const;
  const date = d.toLocaleDateString('fr-FR', opts);
  const time = d.toLocaleTimeString('fr-FR', { ...opts, hour: '2-digit', minute: '2-digit' });
  return `${date} à ${time}`;
}

/** "16:30" from "16:30" or "16:30:00". */
export const hhmm = (t: string | null | undefined) => (t ? t.slice(0, 5) : '');

/** "du 01/09/2026 au 03/07/2027". */
export const period = (p: { from: string; to: string }) =>
  p.from === p.to ? `le ${shortDate(p.from)}` : `du ${shortDate(p.from)} au ${shortDate(p.to)}`;

export function weekdays(days: Weekday[]): string {
  const names = WEEKDAYS.filter((d) => days.includes(d)).map((d) => WEEKDAY_NAMES[d]);
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} et ${names[names.length - 1]}`;
}

/** "12,50 €". */
export const euros = (cents: number) =>
  (cents / 100).toLocaleString('fr-FR', { style: 'currency', currency: 'EUR' });

/**
 * "12,50", "12.5", "12" -> 1250; null when it is not an amount in euros
 * with at most two decimals.
 */
export function parseEuros(text: string): number | null {
  const clean = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(clean)) return null;
  const [whole, dec = ''] = clean.split('.');
  return Number(whole) * 100 + Number(dec.padEnd(2, '0'));
}

export function fullName(p: { civility?: string | null; first_name: string; last_name: string }): string {
  return [p.first_name, p.last_name].filter(Boolean).join(' ');
}
