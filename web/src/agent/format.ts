/** French wording of the back-office: codes to labels, dates, times, money. */
import type { Decision, RequestKind, RequestState, Weekday } from './api';

export const KINDS: Record<RequestKind, string> = {
  reservation: 'Réservation',
  absence: 'Absence',
  dossier_change: 'Modification du dossier',
  document: 'Pièce justificative',
  creche_application: 'Préinscription en crèche',
};

export const STATES: Record<RequestState, string> = {
  pending: 'En attente',
  accepted: 'Acceptée',
  refused: 'Refusée',
  cancelled: 'Annulée',
};

export const DECIDED: Record<Decision, string> = {
  accepted: 'acceptée',
  refused: 'refusée',
};

export const WEEKDAYS: [Weekday, string][] = [
  ['mon', 'lundi'],
  ['tue', 'mardi'],
  ['wed', 'mercredi'],
  ['thu', 'jeudi'],
  ['fri', 'vendredi'],
  ['sat', 'samedi'],
  ['sun', 'dimanche'],
];

export const CIVILITIES: Record<string, string> = { 'M.': 'Monsieur', Mme: 'Madame' };

export const QUALITIES: Record<string, string> = {
  father: 'Père',
  mother: 'Mère',
  legal_guardian: 'Tuteur / Tutrice',
  step_parent: 'Beau-parent',
  grandparent: 'Grand-parent',
  other: 'Autre',
};

export const SITUATIONS: Record<string, string> = {
  married: 'Marié(e)',
  civil_partnership: 'Pacsé(e)',
  cohabiting: 'Vie maritale',
  single: 'Célibataire',
  separated: 'Séparé(e)',
  divorced: 'Divorcé(e)',
  widowed: 'Veuf / Veuve',
};

export const SEXES: Record<string, string> = { M: 'Masculin', F: 'Féminin' };

export const DIETS: Record<string, string> = {
  standard: 'Sans particularité',
  vegetarian: 'Végétarien',
  no_meat_no_fish: 'Sans viande ni poisson',
  medical: 'Régime médical (PAI)',
};

export const RELATIONSHIPS: Record<string, string> = {
  grandparent: 'Grand-parent',
  uncle_aunt: 'Oncle / Tante',
  sibling: 'Frère / Sœur',
  neighbour: 'Voisin / Voisine',
  family_friend: 'Ami(e) de la famille',
  childminder: 'Assistant(e) maternel(le)',
  other: 'Autre',
};

export const REGIMES: Record<string, string> = { caf: 'CAF', msa: 'MSA', other: 'Autre régime', none: 'Aucun' };

export const AUTHORIZATIONS: [string, string][] = [
  ['sport', 'Pratiquer du sport'],
  ['photo', 'Être pris en photo'],
  ['leave_alone', 'Partir seul'],
  ['school_outings', 'Participer aux sorties scolaires'],
  ['hospitalization', 'Être hospitalisé en cas de besoin'],
];

export const APPLIANCES: [string, string][] = [
  ['glasses', 'Port de lunettes'],
  ['dental', "Port d'un appareil dentaire"],
  ['hearing', "Port d'un appareil auditif"],
];

/** Why a request of a bulk decision was left aside. */
export const SKIP_REASONS: Record<string, string> = {
  already_decided: 'elle a déjà été traitée',
  not_found: "elle n'existe plus",
  conflict: 'elle a changé entre-temps ; recommencez',
  target_gone: "la personne concernée n'est plus dans le dossier",
  full: "l'activité est complète ce jour-là",
};

export const label = (table: Record<string, string>, code: string | null | undefined, none = 'Non renseigné') =>
  code ? (table[code] ?? code) : none;

export const yesNo = (v: boolean | null | undefined) => (v ? 'Oui' : 'Non');

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
  const names = WEEKDAYS.filter(([d]) => days.includes(d)).map(([, n]) => n);
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
