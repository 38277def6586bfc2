/**
 * The back-office routes (`/api/agent/...`, role `agent`): their shapes, as
 * `GET /api/openapi.json` and docs/family-file.md give them, and one small
 * function per route. Errors are the `ApiError` of ../api.
 */
import { ApiError, api } from '../api';

export type RequestKind = 'reservation' | 'absence' | 'dossier_change' | 'document' | 'creche_application';
export type RequestState = 'pending' | 'accepted' | 'refused' | 'cancelled';
export type Decision = 'accepted' | 'refused';
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

export interface Paged<T> {
  items: T[];
  next_page?: string | null;
}

export interface RequestSummary {
  id: string;
  kind: RequestKind;
  state: RequestState;
  created_at: string;
  decided_at?: string | null;
  description: string;
  new_messages: number;
  family_id: string;
  child_id?: string | null;
  activity_id?: string | null;
  date?: string | null;
  activity?: string | null;
  establishment?: string | null;
  start?: string | null;
}

export interface QueueItem extends RequestSummary {
  family_label: string;
  /** Planning requests: whose day it is. */
  child_first_name?: string | null;
  child_last_name?: string | null;
}

/** An enrolment with the names the back-office shows. */
export interface EnrolmentLine extends Enrolment {
  child_first_name: string;
  child_last_name: string;
  family_label: string;
}

export interface HistoryEntry {
  at: string;
  event: 'submitted' | 'accepted' | 'refused' | 'cancelled' | 'message';
  by: 'family' | 'commune';
  message?: string | null;
}

export interface ChangeLine {
  field: string;
  label: string;
  old: unknown;
  new: unknown;
  current?: unknown;
}

/** What a reservation or absence keeps about its activity. */
export interface PlanningDetails {
  activity?: string;
  establishment?: string;
  start?: string;
  end?: string;
  reason?: string;
  waiting_list?: boolean;
}

export interface RequestDetail extends RequestSummary {
  history: HistoryEntry[];
  changes?: ChangeLine[];
  details?: PlanningDetails | null;
}

export interface BulkAnswer {
  decided: string[];
  skipped: { id: string; code: string }[];
}

export interface QueueFilter {
  kind?: RequestKind | undefined;
  family_id?: string | undefined;
  activity_id?: string | undefined;
  date?: string | undefined;
}

// ---- families -------------------------------------------------------------

export interface Address {
  line1: string;
  line2?: string;
  postal_code: string;
  city: string;
}

export interface Guardian {
  id: string;
  civility?: 'M.' | 'Mme' | null;
  family_situation?: string | null;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  mobile: string;
  quality?: string | null;
  accepts_email: boolean;
  accepts_sms: boolean;
  address?: Address | null;
  bank?: { holder: string; iban_masked?: string; iban?: string; bic: string } | null;
  /** Agents only: the full IBAN. */
  iban?: string | null;
  /** Agents only: printed on invoices. */
  personal_code?: string | null;
}

export interface Contact {
  id: string;
  full_name: string;
  mobile: string;
  phone: string;
  relationship: string;
  emergency_call: boolean;
  may_pick_up: boolean;
}

export interface Vaccine {
  name: string;
  date: string;
  booster_date?: string | null;
}

export interface Child {
  id: string;
  last_name: string;
  first_name: string;
  birth_date: string;
  sex: 'M' | 'F';
  insurance: { company?: string; number?: string };
  appliances: { glasses?: boolean; dental?: boolean; hearing?: boolean };
  authorizations: { sport?: boolean; photo?: boolean; leave_alone?: boolean; school_outings?: boolean; hospitalization?: boolean };
  health: { diet: string; allergies?: string[]; special_care?: boolean; vaccines?: Vaccine[] };
  photo_url?: string | null;
  contacts: Contact[];
}

export interface Pending {
  request_id: string;
  submitted_at: string;
  target: { kind: 'family' | 'guardian' | 'child'; id?: string };
  changes: Record<string, unknown>;
}

export interface Dossier {
  id: string;
  label: string;
  fiscal?: { regime: string; allocataire_number?: string; quotient_familial?: number | null } | null;
  guardians: Guardian[];
  children: Child[];
  pending: Pending[];
  subscriber_code?: string | null;
  subscribers?: { account_id: string; email: string; linked_at: string }[] | null;
}

export interface FamilyLine {
  id: string;
  label: string;
}

export interface NewGuardian {
  civility: 'M.' | 'Mme' | null;
  last_name: string;
  first_name: string;
  email: string;
  phone: string;
  mobile: string;
  quality: string | null;
  address: Address | null;
}

export interface NewChild {
  first_name: string;
  last_name: string;
  birth_date: string;
  sex: 'M' | 'F';
}

export interface ImportReport {
  dry_run: boolean;
  families: number;
  guardians: number;
  children: number;
  skipped: number;
  errors: { line: number; field: string; message: string }[];
}

export interface NewInvoice {
  family_id: string;
  guardian_id: string;
  emission_code: string;
  reference: string;
  amount_cents: number;
  issued_on: string;
  due_on: string;
}

// ---- activities -------------------------------------------------------------

export interface Period {
  from: string;
  to: string;
}

export interface Closure extends Period {
  label: string;
}

export interface Activity {
  id: string;
  name: string;
  establishment: string;
  start: string;
  end: string;
  weekdays: Weekday[];
  period: Period;
  closures: Closure[];
  capacity?: number | null;
  validation: 'manual' | 'automatic';
  booking_deadline?: string | null;
  cancel_deadline?: string | null;
}

export type NewActivity = Omit<Activity, 'id'>;

export interface ClosureAnswer {
  closure: Closure;
  cancelled: number;
  families: number;
}

export interface Enrolment {
  id: string;
  family_id: string;
  child_id: string;
  activity_id: string;
  period: Period;
}

// ---- the calls --------------------------------------------------------------

function query(params: Record<string, string | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const enc = encodeURIComponent;

export const agent = {
  queue: (f: QueueFilter, page?: string | null) =>
    api.get<Paged<QueueItem>>(`/api/agent/requests${query({ state: 'pending', ...f, page })}`),
  request: (id: string) => api.get<RequestDetail>(`/api/agent/requests/${enc(id)}`),
  decide: (id: string, decision: Decision, message: string) =>
    api.post<RequestSummary>(`/api/agent/requests/${enc(id)}/decision`, { decision, message: message.trim() || null }),
  decideMany: (body: { ids?: string[]; activity_id?: string; date?: string; decision: Decision; message?: string | null }) =>
    api.post<BulkAnswer>('/api/agent/requests/decisions', body),
  message: (id: string, message: string) => api.post<RequestSummary>(`/api/agent/requests/${enc(id)}/messages`, { message }),

  families: (q: string, page?: string | null) => api.get<Paged<FamilyLine>>(`/api/agent/families${query({ q, page })}`),
  family: (id: string) => api.get<Dossier>(`/api/agent/families/${enc(id)}`),
  createFamily: (body: { guardians: NewGuardian[]; children: NewChild[] }) => api.post<Dossier>('/api/agent/families', body),
  renewCode: (id: string) => api.post<{ subscriber_code: string }>(`/api/agent/families/${enc(id)}/subscriber-code`),
  revokeCode: (id: string) => api.delete<void>(`/api/agent/families/${enc(id)}/subscriber-code`),
  createInvoice: (body: NewInvoice) => api.post<{ id: string }>('/api/agent/invoices', body),

  activities: () => api.get<{ items: Activity[] }>('/api/agent/activities'),
  activity: (id: string) => api.get<Activity>(`/api/agent/activities/${enc(id)}`),
  createActivity: (body: NewActivity) => api.post<Activity>('/api/agent/activities', body),
  addClosure: (id: string, body: Closure) => api.post<ClosureAnswer>(`/api/agent/activities/${enc(id)}/closures`, body),
  enrolments: (activityId: string) => api.get<{ items: EnrolmentLine[] }>(`/api/agent/enrolments${query({ activity_id: activityId })}`),
  enrol: (body: { child_id: string; activity_id: string; from: string; to: string }) => api.post<Enrolment>('/api/agent/enrolments', body),
};

/** Largest CSV file the server takes. */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;

function isReport(v: unknown): v is ImportReport {
  return !!v && typeof v === 'object' && 'dry_run' in v && Array.isArray((v as ImportReport).errors);
}

/**
 * `POST /api/agent/families/import`: the file as `text/csv`. A file with
 * errors comes back as a report (422) like a good one (200); other
 * failures are an `ApiError`.
 */
export async function importCsv(file: Blob, dryRun: boolean): Promise<ImportReport> {
  let resp: Response;
  try {
    resp = await fetch(`/api/agent/families/import?dry_run=${dryRun}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'text/csv; charset=utf-8' },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'network', 'Le portail ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.');
  }
  let body: unknown = null;
  if ((resp.headers.get('Content-Type') ?? '').includes('json')) {
    try {
      body = await resp.json();
    } catch {
      body = null;
    }
  }
  if ((resp.ok || resp.status === 422) && isReport(body)) return body;
  const problem = (body ?? {}) as { code?: unknown; detail?: unknown };
  const fallback: Record<number, string> = {
    401: 'Votre session a expiré : reconnectez-vous.',
    403: 'Cette page est réservée aux agents de la collectivité.',
    413: 'Le fichier est trop volumineux (8 Mo au plus).',
    415: 'Envoyez un fichier CSV.',
  };
  throw new ApiError(
    resp.status,
    typeof problem.code === 'string' ? problem.code : `http_${resp.status}`,
    typeof problem.detail === 'string' && problem.detail
      ? problem.detail
      : (fallback[resp.status] ?? "L'import n'a pas pu aboutir. Réessayez plus tard."),
  );
}

// ---- family search ------------------------------------------------------------

/** Where a family search stands: its queries and their next pages. */
export interface FamilySearch {
  queries: string[];
  /** `''` before the first page, null after the last. */
  cursors: (string | null)[];
}

export const moreFamilies = (s: FamilySearch) => s.cursors.some((c) => c !== null);

/**
 * Families whose label starts with `text`. Labels read "Famille DUPONT", so
 * "dupont" is also looked up as "Famille dupont" (the server searches by
 * the beginning of the label). `from` continues a previous search.
 */
export async function searchFamilies(text: string, from?: FamilySearch): Promise<{ items: FamilyLine[]; search: FamilySearch }> {
  const t = text.trim();
  const queries = from?.queries ?? (t && !/^famille(\s|$)/i.test(t) ? [t, `Famille ${t}`] : [t]);
  const cursors = from?.cursors ?? queries.map(() => '');
  const pages = await Promise.all(
    queries.map((q, i) => {
      const c = cursors[i];
      return c === null ? Promise.resolve({ items: [], next_page: null }) : agent.families(q, c || null);
    }),
  );
  const seen = new Set<string>();
  const items: FamilyLine[] = [];
  for (const p of pages) {
    for (const f of p.items) {
      if (!seen.has(f.id)) {
        seen.add(f.id);
        items.push(f);
      }
    }
  }
  items.sort((a, b) => a.label.localeCompare(b.label, 'fr'));
  return { items, search: { queries, cursors: pages.map((p) => p.next_page ?? null) } };
}
