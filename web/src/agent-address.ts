/**
 * Which back-office page an address names: read by the door in the parents'
 * bundle (agent-gate) and by the back-office's own routes, so it holds
 * nothing of the back-office.
 */

/** The back-office's sections; an address outside them is "Page introuvable". */
const SECTIONS = new Set([undefined, 'demandes', 'familles', 'activites', 'accuse-de-traitement', 'boite-envoi', 'regies', 'facturation', 'import-factures', 'paiements-en-ligne', 'pieces-justificatives', 'creche', 'creches']);

/** `/agent/<section>/<id>`, or null when the address is no back-office page. */
export function agentAddress(path: string): { section: string | undefined; id: string | undefined } | null {
  const [section, id, more, extra] = path.split('/').slice(2);
  // A crèche commission session: /agent/creche/commissions/{id}.
  if (section === 'creche' && id === 'commissions' && more && extra === undefined) return { section: 'creche-commissions', id: more };
  // An activity's tariff: /agent/activites/{id}/facturation.
  if (section === 'activites' && id && more === 'facturation' && extra === undefined) return { section: 'activite-facturation', id };
  if (more !== undefined || !SECTIONS.has(section)) return null;
  return { section, id };
}
