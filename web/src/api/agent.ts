/**
 * The back-office routes (`/api/agent/...`, role `agent`), one function
 * each, typed by the contract (./schema.d.ts); bundled with the back-office
 * only. Errors are the `ApiError` of ./http.
 */
import { type Schemas, call, withQuery } from './core';
import { ApiError, sendToUpload, toError } from './http';
export type { PlanningDetails } from './client';
import type { paths } from './schema';

export type RequestKind = Schemas['RequestKind'];
export type RequestState = Schemas['RequestState'];
export type Decision = Schemas['Decision'];
export type Weekday = Schemas['Weekday'];

export interface Paged<T> {
  items: T[];
  next_page?: string | null;
}

export type RequestSummary = Schemas['RequestSummary'];

export type QueueItem = Schemas['QueueItem'];

/** An enrolment with the names the back-office shows. */
export type EnrolmentLine = Schemas['EnrolmentLine'];

export type HistoryEntry = Schemas['HistoryView'];

export type ChangeLine = Schemas['ChangeLine'];

export type RequestDetail = Schemas['RequestDetail'];
export type DocumentVersion = Schemas['DocumentVersion'];

export type BulkAnswer = Schemas['BulkAnswer'];

export interface QueueFilter {
  kind?: RequestKind | undefined;
  family_id?: string | undefined;
  activity_id?: string | undefined;
  date?: string | undefined;
}

// ---- families -------------------------------------------------------------

export type Address = Schemas['Address'];

export type Guardian = Schemas['GuardianView'];

export type Contact = Schemas['Contact'];

export type Vaccine = Schemas['Vaccine'];

export type Child = Schemas['ChildView'];

export type Pending = Schemas['PendingView'];

export type Dossier = Schemas['DossierView'];

export type FamilyLine = Schemas['FamilyLine'];

export type NewGuardian = Schemas['NewGuardian'];

export type NewChild = Schemas['NewChild'];

export type ImportReport = Schemas['ImportReport'];

export type NewInvoice = Schemas['NewInvoice'];

/** An account's link to the family that ended (`history` of a dossier), newest first. */
export type FamilyEvent = Schemas['FamilyEvent'];

// ---- activities -------------------------------------------------------------

export type Period = Schemas['Period'];

export type Closure = Schemas['Closure'];

export type Activity = Schemas['Activity'];
export type ActivityDetail = Schemas['ActivityDetail'];

export type NewActivity = Schemas['NewActivity'];

export type ActivityPatch = Schemas['ActivityPatch'];

export type ClosureAnswer = Schemas['ClosureAnswer'];

export type Enrolment = Schemas['Enrolment'];

// ---- the calls --------------------------------------------------------------

export const agent = {
  queue: (f: QueueFilter, page?: string | null) =>
    call('get', '/api/agent/requests', { query: { state: 'pending', ...f, page: page ?? undefined } }),
  request: (id: string) => call('get', '/api/agent/requests/{id}', { path: { id } }),
  decide: (id: string, decision: Decision, message: string) =>
    call('post', '/api/agent/requests/{id}/decision', { path: { id }, body: { decision, message: message.trim() || null } }),
  decideMany: (body: Schemas['BulkDecision']) => call('post', '/api/agent/requests/decisions', { body }),
  message: (id: string, message: string) => call('post', '/api/agent/requests/{id}/messages', { path: { id }, body: { message } }),

  families: (q: string, page?: string | null) =>
    call('get', '/api/agent/families', { query: { q, page: page ?? undefined } }),
  family: (id: string) => call('get', '/api/agent/families/{id}', { path: { id } }),
  createFamily: (body: Schemas['NewFamily']) => call('post', '/api/agent/families', { body }),
  renewCode: (id: string) => call('post', '/api/agent/families/{id}/subscriber-code', { path: { id } }),
  revokeCode: (id: string) => call('delete', '/api/agent/families/{id}/subscriber-code', { path: { id } }),
  unlink: (id: string, accountId: string, reason: string) =>
    call('post', '/api/agent/families/{id}/unlink', { path: { id }, body: { account_id: accountId, reason } }),
  createInvoice: (body: NewInvoice) => call('post', '/api/agent/invoices', { body }),
  familyInvoices: (id: string, page?: string | null) =>
    call('get', '/api/agent/families/{id}/invoices', { path: { id }, query: { page: page ?? undefined } }),
  recordPayment: (body: Schemas['NewPayment']) => call('post', '/api/agent/payments', { body }),
  cancelInvoice: (id: string, reason: string) => call('post', '/api/agent/invoices/{id}/cancel', { path: { id }, body: { reason } }),
  openInvoices: (id: string, page?: string | null) =>
    call('get', '/api/agent/families/{id}/invoices', { path: { id }, query: { nature: 'to_pay', page: page ?? undefined } }),
  onlinePayments: (q: { state: ReviewState; family_id?: string; limit?: number }, page?: string | null) =>
    call('get', '/api/agent/online-payments', { query: { ...q, page: page ?? undefined } }),
  settleOnlinePayment: (id: string, body: Schemas['SettleBody']) =>
    call('post', '/api/agent/online-payments/{id}/settle', { path: { id }, body }),

  regies: () => call('get', '/api/agent/regies'),
  createRegie: (body: Schemas['NewRegie']) => call('post', '/api/agent/regies', { body }),
  updateRegie: (id: string, body: Schemas['RegiePatch']) => call('patch', '/api/agent/regies/{id}', { path: { id }, body }),

  documentTypes: () => call('get', '/api/agent/document-types'),
  createDocumentType: (body: Schemas['NewDocumentType']) => call('post', '/api/agent/document-types', { body }),
  updateDocumentType: (id: string, body: Schemas['DocumentTypePatch']) =>
    call('patch', '/api/agent/document-types/{id}', { path: { id }, body }),

  crecheStructures: () => call('get', '/api/agent/creche/structures'),
  createCrecheStructure: (body: Schemas['NewStructure']) => call('post', '/api/agent/creche/structures', { body }),
  crecheApplications: (q: CrecheFilters, page?: string | null) =>
    call('get', '/api/agent/creche/applications', {
      query: {
        status: q.status,
        structure: q.structure,
        start_month: q.start_month,
        age_from_months: q.age_from_months,
        age_to_months: q.age_to_months,
        birth_overdue: q.birth_overdue,
        page: page ?? undefined,
      },
    }),
  crechePlaces: (q: { from?: string; months?: number }) => call('get', '/api/agent/creche/places', { query: q }),
  crecheApplication: (id: string) => call('get', '/api/agent/creche/applications/{id}', { path: { id } }),
  setCrecheStatus: (id: string, body: Schemas['StatusBody']) => call('post', '/api/agent/creche/applications/{id}/status', { path: { id }, body }),
  offerCrechePlace: (id: string, body: Schemas['OfferBody']) => call('post', '/api/agent/creche/applications/{id}/offer', { path: { id }, body }),
  crecheCommissions: (page?: string | null) => call('get', '/api/agent/creche/commissions', { query: { page: page ?? undefined } }),
  crecheCommission: (id: string) => call('get', '/api/agent/creche/commissions/{id}', { path: { id } }),
  createCrecheCommission: (body: Schemas['NewCommission']) => call('post', '/api/agent/creche/commissions', { body }),
  applyCrecheCommission: (id: string) => call('post', '/api/agent/creche/commissions/{id}/apply', { path: { id } }),
  sendCrecheCommission: (id: string) => call('post', '/api/agent/creche/commissions/{id}/send', { path: { id } }),
  /** Without a year: the portal's current year. */
  crecheStats: (year?: number) => call('get', '/api/agent/creche/stats', { query: { year } }),

  activities: () => call('get', '/api/agent/activities'),
  activity: (id: string) => call('get', '/api/agent/activities/{id}', { path: { id } }),
  createActivity: (body: NewActivity) => call('post', '/api/agent/activities', { body }),
  updateActivity: (id: string, body: ActivityPatch) => call('patch', '/api/agent/activities/{id}', { path: { id }, body }),
  addClosure: (id: string, body: Closure) => call('post', '/api/agent/activities/{id}/closures', { path: { id }, body }),
  enrolments: (activityId: string) =>
    call('get', '/api/agent/enrolments', { query: { activity_id: activityId } }),
  enrol: (body: Schemas['NewEnrolment']) => call('post', '/api/agent/enrolments', { body }),

  digestPreview: () => call('get', '/api/agent/digest/preview'),
};

export type AgentInvoice = Schemas['InvoiceView'];
export type OnlinePaymentReview = Schemas['OnlinePaymentReview'];
export type ReviewState = Schemas['ReviewState'];
export type Regie = Schemas['RegieView'];
export type PaymentMethod = Schemas['PaymentMethod'];
export type DocumentType = Schemas['DocumentTypeView'];
export type DocumentScope = Schemas['Scope'];
export type CrecheApplication = Schemas['ApplicationView'];
export type CrecheStatus = Schemas['Status'];
export type CrecheStructure = Schemas['Structure'];
export type CrechePlaces = Schemas['StructurePlaces'];
export type MonthPlaces = Schemas['MonthPlaces'];
export interface CrecheFilters {
  status?: Schemas['Status'];
  structure?: string;
  /** `YYYY-MM`. */
  start_month?: string;
  age_from_months?: number;
  age_to_months?: number;
  birth_overdue?: boolean;
}
export type AgeGroup = Schemas['AgeGroup'];
export type CrecheCommission = Schemas['CommissionView'];
export type CommissionDecisionKind = Schemas['DecisionKind'];

/** Largest invoice PDF the server takes. */
export const PDF_MAX_BYTES = 10 * 1024 * 1024;

/**
 * The commune's own PDF of an invoice, in two steps: the portal gives a
 * short-lived upload address, the file goes there (S3 on AWS, so no
 * gateway limit), then the portal checks what it received and keeps it.
 */
export async function uploadInvoicePdf(id: string, file: Blob): Promise<void> {
  const grant = await call('post', '/api/agent/invoices/{id}/pdf/upload', { path: { id }, body: { size: file.size } });
  await sendToUpload(grant.upload, file, 'du PDF');
  await call('post', '/api/agent/invoices/{id}/pdf/confirm', { path: { id }, body: { upload_id: grant.upload_id } });
}

/** Largest logo the server takes. */
export const LOGO_MAX_BYTES = 512 * 1024;

const LOGO_PATH: keyof paths = '/api/agent/commune/logo';

/** The commune's logo, or `null` when none was given. */
export async function communeLogo(): Promise<Blob | null> {
  let resp: Response;
  try {
    resp = await fetch(LOGO_PATH, { credentials: 'same-origin', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'network', 'Le portail ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.');
  }
  if (resp.status === 404) return null;
  if (!resp.ok) throw await toError(resp);
  return resp.blob();
}

/** `PUT /api/agent/commune/logo`: the body is the image. */
export async function putCommuneLogo(file: Blob): Promise<void> {
  let resp: Response;
  try {
    resp = await fetch(LOGO_PATH, {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': file.type || 'application/octet-stream' },
      body: file,
    });
  } catch {
    throw new ApiError(0, 'network', 'Le portail ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.');
  }
  if (!resp.ok) throw await toError(resp);
}

export const deleteCommuneLogo = () => call('delete', '/api/agent/commune/logo');

/** The import route: its body is a CSV file, not JSON, so it is sent here rather than by `call`. */
const IMPORT_PATH: keyof paths = '/api/agent/families/import';

/** Largest CSV file the server takes. */
export const IMPORT_MAX_BYTES = 8 * 1024 * 1024;

function isReport(v: unknown): v is ImportReport {
  return !!v && typeof v === 'object' && 'dry_run' in v && Array.isArray((v as ImportReport).errors);
}

/**
 * POSTs a CSV file (`text/csv`) to an import route. A file with errors
 * comes back as a report (422) like a good one (200); other failures are an
 * `ApiError`, explained in French (`maxBytes`: the route's size limit).
 */
async function postCsv<R>(path: string, file: Blob, dryRun: boolean, isReport: (v: unknown) => v is R, maxBytes: number): Promise<R> {
  let resp: Response;
  try {
    resp = await fetch(withQuery(path, { dry_run: dryRun }), {
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
    401: 'Votre session a expiré : reconnectez-vous.',
    403: 'Cette page est réservée aux agents de la collectivité.',
    413: `Le fichier est trop volumineux (${maxBytes / (1024 * 1024)} Mo au plus).`,
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

/** `POST /api/agent/families/import`: the file as `text/csv`. */
export function importCsv(file: Blob, dryRun: boolean): Promise<ImportReport> {
  return postCsv(IMPORT_PATH, file, dryRun, isReport, IMPORT_MAX_BYTES);
}

// ---- billing imports ------------------------------------------------------------

export type BillingImportReport = Schemas['BillingImportReport'];
export type BillingImportKind = 'invoices' | 'payments';

const BILLING_IMPORT_PATHS: Record<BillingImportKind, keyof paths> = {
  invoices: '/api/agent/invoices/import',
  payments: '/api/agent/payments/import',
};

/** Largest invoices or payments file the server takes. */
export const BILLING_IMPORT_MAX_BYTES = 10 * 1024 * 1024;

function isBillingReport(v: unknown): v is BillingImportReport {
  return !!v && typeof v === 'object' && 'dry_run' in v && 'created' in v && Array.isArray((v as BillingImportReport).errors);
}

/**
 * `POST /api/agent/invoices/import` or `…/payments/import`: the file as
 * `text/csv`; a file with errors is a report too (422 `invalid_import`).
 */
export function importBilling(kind: BillingImportKind, file: Blob, dryRun: boolean): Promise<BillingImportReport> {
  return postCsv(BILLING_IMPORT_PATHS[kind], file, dryRun, isBillingReport, BILLING_IMPORT_MAX_BYTES);
}

// ---- background billing imports ------------------------------------------------

export type ImportJob = Schemas['ImportJob'];

export const imports = {
  list: () => call('get', '/api/agent/imports'),
  get: (id: string) => call('get', '/api/agent/imports/{id}', { path: { id } }),
};

/**
 * Sends the file where the server says (`POST /api/agent/imports`, then a
 * PUT to the presigned URL): the import's id.
 */
export async function uploadImport(kind: BillingImportKind, file: Blob): Promise<string> {
  const target = await call('post', '/api/agent/imports', { body: { kind, size: file.size } });
  await sendToUpload(target.upload, file, 'du fichier');
  return target.import_id;
}

function isJob(v: unknown): v is ImportJob {
  return !!v && typeof v === 'object' && 'state' in v && 'rows_done' in v;
}

/**
 * `POST /api/agent/imports/{id}/check` or `…/start`: the report (a file
 * with errors is a report too, 422 `invalid_import`), or the job started.
 */
async function postImport(path: string): Promise<BillingImportReport | ImportJob> {
  let resp: Response;
  try {
    resp = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: '{}',
    });
  } catch {
    throw new ApiError(0, 'network', 'Le portail ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.');
  }
  if (resp.ok || resp.status === 422) {
    const body: unknown = await resp
      .clone()
      .json()
      .catch(() => null);
    if (isBillingReport(body) || (resp.ok && isJob(body))) return body;
  }
  throw await toError(resp);
}

export const checkImport = (id: string) => postImport(`/api/agent/imports/${encodeURIComponent(id)}/check`) as Promise<BillingImportReport>;
export const startImport = (id: string) => postImport(`/api/agent/imports/${encodeURIComponent(id)}/start`);
export const isImportJob = isJob;

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
