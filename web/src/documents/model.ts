/** Supporting documents in French: validity, state, what a planning notice says. */
import type { DocumentRow } from '../api';
import { numericDay } from '../dates';

/** The guide's words: "Semestriel", "Annuel", "Année scolaire", "6 mois", "Jusqu'au 31/08/2027", "Permanent". */
export function validityLabel(v: string): string {
  if (v.startsWith('months:')) return `${v.slice(7)} mois`;
  if (v.startsWith('until:')) {
    const day = v.slice(6);
    return /^\d{4}-\d{2}-\d{2}$/.test(day) ? `Jusqu'au ${numericDay(day)}` : v;
  }
  const texts: Record<string, string> = { semester: 'Semestriel', year: 'Annuel', school_year: 'Année scolaire', permanent: 'Permanent' };
  return texts[v] ?? v;
}

/** What a state's words read: a row of the table, or a document a crèche application asks for. */
export type StateOf = Pick<DocumentRow, 'state' | 'message' | 'expires_on' | 'expires_soon'>;

/** Where a row stands, in words (never a colour alone). */
export function stateLabel(r: StateOf): string {
  switch (r.state) {
    case 'missing':
      return 'À fournir';
    case 'pending':
      return 'En attente de validation';
    case 'refused':
      return r.message ? `Refusée : ${r.message}` : 'Refusée';
    case 'expired':
      return r.expires_on ? `Expirée depuis le ${numericDay(r.expires_on)}` : 'Expirée';
    case 'accepted':
      if (r.expires_soon && r.expires_on) return `Acceptée, expire bientôt : le ${numericDay(r.expires_on)}`;
      return r.expires_on ? `Acceptée, valable jusqu'au ${numericDay(r.expires_on)}` : 'Acceptée';
    default:
      return r.state;
  }
}

/** A state's class (its colour, beside the words). */
export function stateClass(r: StateOf): string {
  if (r.state === 'accepted' && r.expires_soon) return 'doc-state doc-state--soon';
  return `doc-state doc-state--${r.state}`;
}

/** Who the row is for: the child's first name, or "Famille". */
export const whose = (r: DocumentRow) => r.child ?? 'Famille';

/**
 * A mandatory document the planning warns about: missing, refused, expired,
 * or accepted and ending within 30 days.
 */
export function needsAttention(r: DocumentRow): boolean {
  if (!r.mandatory) return false;
  return r.state === 'missing' || r.state === 'refused' || r.state === 'expired' || (r.state === 'accepted' && r.expires_soon);
}

export interface Notice {
  /** The child's id, or "" for the family. */
  key: string;
  /** "pour Maéva", "pour la famille". */
  who: string;
  /** "Carnet de vaccination", "Carnet de vaccination (expire le 31/12/2026)". */
  items: string[];
}

/** One notice per child (family-scope rows: one for the family), in the table's order. */
export function planningNotices(rows: DocumentRow[]): Notice[] {
  const out: Notice[] = [];
  for (const r of rows.filter(needsAttention)) {
    const key = r.child_id ?? '';
    let n = out.find((x) => x.key === key);
    if (!n) {
      n = { key, who: r.child ? `pour ${r.child}` : 'pour la famille', items: [] };
      out.push(n);
    }
    const why =
      r.state === 'accepted' && r.expires_on
        ? ` (expire le ${numericDay(r.expires_on)})`
        : r.state === 'refused'
          ? ' (refusée)'
          : r.state === 'expired'
            ? ' (expirée)'
            : '';
    n.items.push(`${r.name}${why}`);
  }
  return out;
}
