/** Requests as "Mes demandes" shows them (docs/family-file.md). */
import { numericDay } from '../dates';
import { type Contact, type Vaccine, formatAddress, formatBank } from '../family/model';
import { CIVILITIES, DIETS, FAMILY_SITUATIONS, QUALITIES, REGIMES, RELATIONSHIPS, SEXES, labelOf, yesNo } from '../labels';

export type RequestKind = 'reservation' | 'absence' | 'dossier_change' | 'document' | 'creche_application';
export type RequestState = 'pending' | 'accepted' | 'refused' | 'cancelled';

export interface RequestSummary {
  id: string;
  kind: RequestKind;
  state: RequestState;
  created_at: string;
  decided_at: string | null;
  description: string;
  new_messages: number;
  family_id: string;
  child_id: string | null;
  activity_id: string | null;
  date: string | null;
  activity?: string | null;
  establishment?: string | null;
  start?: string | null;
}

export interface HistoryItem {
  at: string;
  event: 'submitted' | 'accepted' | 'refused' | 'cancelled' | 'message';
  by: 'family' | 'commune';
  message: string | null;
}

export interface ChangeLine {
  field: string;
  label: string;
  old: unknown;
  new: unknown;
}

export interface RequestDetail extends RequestSummary {
  history: HistoryItem[];
  changes?: ChangeLine[];
  details?: {
    activity?: string;
    establishment?: string;
    start?: string;
    end?: string;
    reason?: string | null;
    waiting_list?: boolean;
  } | null;
}

export interface RequestPage {
  items: RequestSummary[];
  next_page?: string | null;
}

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
      .map(([k, v]) => `${KEY_LABELS[k] ?? k} : ${formatValue(k, v)}`)
      .join(' ; ');
  }
  return String(value);
}
