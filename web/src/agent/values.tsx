/**
 * A dossier value in words, whatever its field: what the request page puts
 * side by side (current value, requested value) and the family page lists.
 */
import type { ComponentChildren } from 'preact';

import { APPLIANCES, AUTHORIZATIONS, CIVILITIES, DIETS, FAMILY_SITUATIONS, QUALITIES, REGIMES, RELATIONSHIPS, SEXES, labelOf, yesNo } from '../labels';
import type { Address } from '../api/agent';
import { shortDate } from './format';

const NONE = <span class="bo-muted">Non renseigné</span>;

const ENUMS: Record<string, Record<string, string>> = {
  civility: CIVILITIES,
  family_situation: FAMILY_SITUATIONS,
  quality: QUALITIES,
  sex: SEXES,
  diet: DIETS,
  relationship: RELATIONSHIPS,
  regime: REGIMES,
};

const KEYS: Record<string, string> = {
  holder: 'Titulaire',
  iban: 'IBAN',
  iban_masked: 'IBAN',
  bic: 'BIC',
  regime: 'Régime',
  allocataire_number: "N° d'allocataire",
  quotient_familial: 'Quotient familial',
  company: "Compagnie d'assurance",
  number: 'N° de contrat',
  diet: 'Pratiques alimentaires',
  allergies: 'Allergies',
  special_care: "Besoin d'une attention particulière",
  vaccines: 'Vaccins',
  full_name: 'Nom complet',
  mobile: 'Mobile',
  phone: 'Téléphone',
  relationship: 'Lien de parenté',
  emergency_call: "Appelé en cas d'urgence",
  may_pick_up: "Autorisé à récupérer l'enfant",
  ...Object.fromEntries(AUTHORIZATIONS),
  ...Object.fromEntries(APPLIANCES),
};

export function addressText(a: Address | null | undefined): string {
  if (!a) return '';
  return [a.line1, a.line2, `${a.postal_code} ${a.city}`.trim()].filter((x) => x && x.trim()).join(', ');
}

function scalar(field: string, v: unknown): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'boolean') return yesNo(v);
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') {
    const table = ENUMS[field];
    if (table) return table[v] ?? v;
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return shortDate(v);
    return v;
  }
  return null;
}

/** A value of `field` (a dossier field name) in French. */
export function ValueView({ field, value }: { field: string; value: unknown }): ComponentChildren {
  if (value === null || value === undefined || value === '') return NONE;
  if (field === 'photo_url' && typeof value === 'string') {
    return <img class="bo-photo" src={value} alt="Photo de l'enfant" width={96} />;
  }
  const s = scalar(field, value);
  if (s !== null) return s;
  if (field === 'address' && typeof value === 'object') return addressText(value as Address) || NONE;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="bo-muted">Aucun</span>;
    return (
      <ul class="bo-values">
        {value.map((item, i) => (
          <li key={i}>
            {field === 'vaccines' && item && typeof item === 'object' ? (
              vaccineText(item as Record<string, unknown>)
            ) : field === 'contacts' && item && typeof item === 'object' ? (
              contactText(item as Record<string, unknown>)
            ) : (
              <ValueView field={field} value={item} />
            )}
          </li>
        ))}
      </ul>
    );
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([k]) => k !== 'id');
    if (entries.length === 0) return NONE;
    return (
      <ul class="bo-values">
        {entries.map(([k, v]) => (
          <li key={k}>
            {KEYS[k] ?? k} : <ValueView field={k} value={v} />
          </li>
        ))}
      </ul>
    );
  }
  return String(value);
}

function vaccineText(v: Record<string, unknown>): string {
  const booster = v['booster_date'] ? `, rappel le ${shortDate(String(v['booster_date']))}` : '';
  return `${String(v['name'] ?? '')} (le ${shortDate(String(v['date'] ?? ''))}${booster})`;
}

function contactText(c: Record<string, unknown>): string {
  const rel = labelOf(RELATIONSHIPS, c['relationship'], '');
  const phones = [c['mobile'], c['phone']].filter((x) => typeof x === 'string' && x).join(' / ');
  const flags = [c['emergency_call'] ? "appelé en cas d'urgence" : '', c['may_pick_up'] ? "autorisé à récupérer l'enfant" : '']
    .filter(Boolean)
    .join(', ');
  return [String(c['full_name'] ?? ''), rel, phones, flags].filter(Boolean).join(' – ');
}

/** Whether two values are the same (the change is already in the dossier, or nothing moved). */
export function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
