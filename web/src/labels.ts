/**
 * The French label of every code the API sends or takes, for the parents'
 * pages and the back-office alike (the guide's wording).
 */
import type { Civility, Schemas } from './api';
import type { Weekday } from './dates';
import type { Appliances, Authorizations, Diet, FamilySituation, Quality, Regime, Relationship, Sex } from './family/model';

// Wire codes straight from the contract (the feature models import this
// file, so it takes nothing from them).
type PlanningState = Schemas['PlanningState'];
type RequestKind = Schemas['RequestKind'];
type RequestState = Schemas['RequestState'];
type FamilyEventKind = Schemas['FamilyEventKind'];

// ---- requests ----------------------------------------------------------------

export const REQUEST_KINDS: Record<RequestKind, string> = {
  reservation: 'Réservation',
  absence: 'Absence',
  dossier_change: 'Modification du dossier',
  document: 'Pièce justificative',
  creche_application: 'Préinscription en crèche',
};

export const REQUEST_STATES: Record<RequestState, string> = {
  pending: 'En attente',
  accepted: 'Acceptée',
  refused: 'Refusée',
  cancelled: 'Annulée',
};

/** "La demande a été acceptée." */
export const DECISIONS: Record<'accepted' | 'refused', string> = {
  accepted: 'acceptée',
  refused: 'refusée',
};

/** What happened to a family's link with an account (the dossier's history). */
export const FAMILY_EVENTS: Record<FamilyEventKind, string> = {
  account_unlinked: 'Lien retiré par la commune',
  account_left: 'Compte retiré par la famille',
};

/** Why a request of a bulk decision was left aside (the server's `code`). */
export const SKIP_REASONS: Record<string, string> = {
  already_decided: 'elle a déjà été traitée',
  not_found: "elle n'existe plus",
  conflict: 'elle a changé entre-temps ; recommencez',
  target_gone: "la personne concernée n'est plus dans le dossier",
  full: "l'activité est complète ce jour-là",
};

// ---- planning and activities --------------------------------------------------

/** The guide's legend. */
export const PLANNING_STATES: Record<PlanningState, string> = {
  enrolled: 'Non réservé',
  reservation_requested: 'Réservation en attente',
  reserved: 'Réservé',
  reservation_refused: 'Réservation refusée',
  absence_requested: 'Absence en attente',
  absent: 'Absent',
  absence_refused: 'Absence refusée',
  waiting_list: "Liste d'attente",
};

export const VALIDATIONS: Record<'manual' | 'automatic', string> = {
  manual: "Manuelle : chaque demande attend la décision d'un agent",
  automatic: 'Automatique : les demandes sont décidées aussitôt selon les règles',
};

export const WEEKDAY_NAMES: Record<Weekday, string> = {
  mon: 'lundi',
  tue: 'mardi',
  wed: 'mercredi',
  thu: 'jeudi',
  fri: 'vendredi',
  sat: 'samedi',
  sun: 'dimanche',
};

// ---- the family file -----------------------------------------------------------

export const CIVILITIES: Record<Civility, string> = { 'M.': 'Monsieur', Mme: 'Madame' };

export const FAMILY_SITUATIONS: Record<FamilySituation, string> = {
  married: 'Marié(e)',
  civil_partnership: 'Pacsé(e)',
  cohabiting: 'Vie maritale',
  single: 'Célibataire',
  separated: 'Séparé(e)',
  divorced: 'Divorcé(e)',
  widowed: 'Veuf / Veuve',
};

export const QUALITIES: Record<Quality, string> = {
  father: 'Père',
  mother: 'Mère',
  legal_guardian: 'Tuteur / Tutrice',
  step_parent: 'Beau-parent',
  grandparent: 'Grand-parent',
  other: 'Autre',
};

export const SEXES: Record<Sex, string> = { M: 'Masculin', F: 'Féminin' };

export const DIETS: Record<Diet, string> = {
  standard: 'Sans particularité',
  vegetarian: 'Végétarien',
  no_meat_no_fish: 'Sans viande ni poisson',
  medical: 'Régime médical (PAI)',
};

export const RELATIONSHIPS: Record<Relationship, string> = {
  grandparent: 'Grand-parent',
  uncle_aunt: 'Oncle / Tante',
  sibling: 'Frère / Sœur',
  neighbour: 'Voisin / Voisine',
  family_friend: 'Ami(e) de la famille',
  childminder: 'Assistant(e) maternel(le)',
  other: 'Autre',
};

export const REGIMES: Record<Regime, string> = {
  caf: 'CAF',
  msa: 'MSA',
  other: 'Autre régime',
  none: 'Aucun',
};

/** A child's authorizations, as the back-office lists them ("Pratiquer du sport"). */
export const AUTHORIZATIONS: [keyof Authorizations, string][] = [
  ['sport', 'Pratiquer du sport'],
  ['photo', 'Être pris en photo'],
  ['leave_alone', 'Partir seul'],
  ['school_outings', 'Participer aux sorties scolaires'],
  ['hospitalization', 'Être hospitalisé en cas de besoin'],
];

/** An authorization as the parent gives it: "J'autorise mon enfant à pratiquer du sport". */
export const authorizationText = (label: string) => `J'autorise mon enfant à ${label.charAt(0).toLowerCase()}${label.slice(1)}`;

export const APPLIANCES: [keyof Appliances, string][] = [
  ['glasses', 'Port de lunettes'],
  ['dental', "Port d'un appareil dentaire"],
  ['hearing', "Port d'un appareil auditif"],
];

// ---- reading them -----------------------------------------------------------------

/** The label of a code in one of the tables above, the code itself if unknown, `none` without one. */
export function labelOf(table: Record<string, string>, code: unknown, none = 'Non renseigné'): string {
  if (typeof code !== 'string' || code === '') return none;
  return table[code] ?? code;
}

export const yesNo = (v: unknown) => (v ? 'Oui' : 'Non');

/** A word agreed with the civility of the parent addressed: "connectée" to "Mme", "connecté" to "M." or when it is unknown. */
export function agree(civility: Civility | null | undefined, masculine: string, feminine: string): string {
  return civility === 'Mme' ? feminine : masculine;
}
