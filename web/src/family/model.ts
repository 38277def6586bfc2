/**
 * The family file as `GET /api/family` gives it (docs/family-file.md), and
 * what the pages compute from it (the codes' labels are ../labels).
 */
import type { Schemas } from '../api';

export type { SubmittedChange } from '../api';

export type FamilySituation = Schemas['FamilySituation'];
export type Quality = Schemas['Quality'];
export type Sex = Schemas['Sex'];
export type Diet = Schemas['Diet'];
export type Relationship = Schemas['Relationship'];
export type Regime = Schemas['Regime'];

export type Fiscal = Schemas['Fiscal'];

export type Address = Schemas['Address'];

export type BankView = Schemas['BankView'];

export type Guardian = Schemas['GuardianView'];

export type Vaccine = Schemas['Vaccine'];

export type Health = Schemas['Health'];

export type Contact = Schemas['Contact'];

/** A contact being written: no id until the commune records it. */
export type ContactDraft = Omit<Contact, 'id'> & { id?: string | null };

export type Insurance = Schemas['Insurance'];

export type Appliances = Schemas['Appliances'];

export type Authorizations = Schemas['Authorizations'];

export type Child = Schemas['ChildView'];

export type Target = { kind: 'family' } | { kind: 'guardian'; id: string } | { kind: 'child'; id: string };

export type Pending = Schemas['PendingView'];

export type Dossier = Schemas['DossierView'];


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
  return [b.holder && `Titulaire : ${b.holder}`, b.iban_masked && `IBAN : ${b.iban_masked}`, b.bic && `BIC : ${b.bic}`].filter(Boolean).join(' ; ') || 'Non renseignées';
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
