/** Requests as "Mes demandes" shows them (docs/family-file.md). */
import type { Schemas } from '../api';
import { numericDay } from '../dates';
import { type Contact, type Vaccine, formatAddress, formatBank } from '../family/model';
import { CIVILITIES, DIETS, FAMILY_SITUATIONS, QUALITIES, REGIMES, RELATIONSHIPS, SEXES, labelOf, yesNo } from '../labels';

export type RequestKind = Schemas['RequestKind'];
export type RequestState = Schemas['RequestState'];

export type RequestSummary = Schemas['RequestSummary'];

export type HistoryItem = Schemas['HistoryView'];

export type ChangeLine = Schemas['ChangeLine'];

export type RequestDetail = Schemas['RequestDetail'];

export type RequestPage = Schemas['RequestPage'];

export type { PlanningDetails } from '../api';

/** "1 nouveau(x) message(s)", as the guide writes it. */
export const newMessages = (n: number) => `${n} nouveau(x) message(s)`;

const TABLES: Record<string, Record<string, string>> = {
  civility: CIVILITIES,
  family_situation: FAMILY_SITUATIONS,
  quality: QUALITIES,
  sex: SEXES,
  diet: DIETS,
  regime: REGIMES,
  relationship: RELATIONSHIPS,
};

const KEY_LABELS: Record<string, string> = {
  company: 'compagnie',
  number: 'n°',
  glasses: 'lunettes',
  dental: 'appareil dentaire',
  hearing: 'appareil auditif',
  sport: 'sport',
  photo: 'photo',
  leave_alone: 'partir seul',
  school_outings: 'sorties scolaires',
  hospitalization: 'hospitalisation',
  diet: 'pratiques alimentaires',
  allergies: 'allergies',
  special_care: 'attention particulière',
  vaccines: 'vaccins',
  regime: 'régime',
  allocataire_number: "n° d'allocataire",
  quotient_familial: 'quotient familial',
};

/** A changed value, old or new, as text. */
export function formatValue(field: string, value: unknown): string {
  if (value === null || value === undefined || value === '') return '(vide)';
  if (field === 'photo_url' || field === 'photo_key' || field === 'photo') return 'nouvelle photo';
  if (typeof value === 'boolean') return yesNo(value);
  if (field === 'birth_date' && typeof value === 'string') return numericDay(value);
  const table = TABLES[field];
  if (table && typeof value === 'string') return labelOf(table, value);
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (field === 'address') return formatAddress(value as never);
  if (field === 'bank') return formatBank(value as never);
  if (field === 'contacts' && Array.isArray(value)) {
    return value.length ? (value as Contact[]).map((c) => `${c.full_name} (${labelOf(RELATIONSHIPS, c.relationship)})`).join(', ') : 'aucun';
  }
  if (Array.isArray(value)) {
    if (value.length === 0) return 'aucun';
    return value
      .map((v) => (typeof v === 'object' && v && 'name' in v ? `${(v as Vaccine).name} (${(v as Vaccine).date ? numericDay((v as Vaccine).date) : ''})` : String(v)))
      .join(', ');
  }
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${KEY_LABELS[k] ?? k} : ${formatValue(k, v)}`)
      .join(' ; ');
  }
  return String(value);
}
