/**
 * The family file as `GET /api/family` gives it (docs/family-file.md), and
 * what the pages compute from it (the codes' labels are ../labels).
 */
import type { Civility } from '../api';

export type FamilySituation = 'married' | 'civil_partnership' | 'cohabiting' | 'single' | 'separated' | 'divorced' | 'widowed';
export type Quality = 'father' | 'mother' | 'legal_guardian' | 'step_parent' | 'grandparent' | 'other';
export type Sex = 'M' | 'F';
export type Diet = 'standard' | 'vegetarian' | 'no_meat_no_fish' | 'medical';
export type Relationship = 'grandparent' | 'uncle_aunt' | 'sibling' | 'neighbour' | 'family_friend' | 'childminder' | 'other';
export type Regime = 'caf' | 'msa' | 'other' | 'none';

export interface Fiscal {
  regime: Regime;
  allocataire_number?: string;
  quotient_familial?: number | null;
}

export interface Address {
  line1: string;
  line2?: string;
  postal_code: string;
  city: string;
}

export interface BankView {
  holder: string;
  iban_masked: string;
  bic: string;
}

export interface Guardian {
  id: string;
  civility: Civility | null;
  family_situation: FamilySituation | null;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  mobile: string;
  quality: Quality | null;
  accepts_email: boolean;
  accepts_sms: boolean;
  address: Address | null;
  bank: BankView | null;
}

export interface Vaccine {
  name: string;
  date: string;
  booster_date: string | null;
}

export interface Health {
  diet: Diet;
  allergies: string[];
  special_care: boolean;
  vaccines: Vaccine[];
}

export interface Contact {
  id?: string | null;
  full_name: string;
  mobile: string;
  phone: string;
  relationship: Relationship;
  emergency_call: boolean;
  may_pick_up: boolean;
}

export interface Insurance {
  company: string;
  number: string;
}

export interface Appliances {
  glasses: boolean;
  dental: boolean;
  hearing: boolean;
}

export interface Authorizations {
  sport: boolean;
  photo: boolean;
  leave_alone: boolean;
  school_outings: boolean;
  hospitalization: boolean;
}

export interface Child {
  id: string;
  last_name: string;
  first_name: string;
  birth_date: string;
  sex: Sex;
  insurance: Insurance;
  appliances: Appliances;
  authorizations: Authorizations;
  health: Health;
  photo_url: string | null;
  contacts: Contact[];
}

export type Target = { kind: 'family' } | { kind: 'guardian'; id: string } | { kind: 'child'; id: string };

export interface Pending {
  request_id: string;
  submitted_at: string;
  target: Target;
  changes: Record<string, unknown>;
}

export interface Dossier {
  id: string;
  label: string;
  fiscal: Fiscal | null;
  guardians: Guardian[];
  children: Child[];
  pending: Pending[];
}

/** The answer to every dossier change: a request the commune decides. */
export interface SubmittedChange {
  request_id: string;
}

export function fullName(p: { first_name: string; last_name: string }): string {
  return `${p.first_name} ${p.last_name}`.trim();
}

export function formatAddress(a: Partial<Address> | null | undefined): string {
  if (!a) return 'Non renseignée';
  const parts = [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' ')].filter((p) => p && p.trim() !== '');
  return parts.length ? parts.join(', ') : 'Non renseignée';
}

export function formatBank(b: Partial<BankView> | null | undefined): string {
  if (!b) return 'Non renseignées';
  return [b.holder && `Titulaire : ${b.holder}`, b.iban_masked && `IBAN : ${b.iban_masked}`, b.bic && `BIC : ${b.bic}`].filter(Boolean).join(' ; ') || 'Non renseignées';
}

/** The pending changes of one target, merged (the newest wins), by field. */
export function pendingFor(dossier: Dossier, target: Target): Map<string, { value: unknown; at: string }> {
  const out = new Map<string, { value: unknown; at: string }>();
  const list = dossier.pending
    .filter((p) => p.target.kind === target.kind && (target.kind === 'family' || ('id' in p.target && 'id' in target && p.target.id === target.id)))
    .sort((a, b) => a.submitted_at.localeCompare(b.submitted_at));
  for (const p of list) {
    for (const [field, value] of Object.entries(p.changes)) out.set(field, { value, at: p.submitted_at });
  }
  return out;
}
