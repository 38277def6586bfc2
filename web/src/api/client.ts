/**
 * The portal's routes, for the parents' pages: one function per call, its
 * parameters, body and answer typed by the contract (./schema.d.ts,
 * generated from openapi.json). The back-office's routes are in ./agent
 * (bundled with the back-office only).
 */
import { type Schemas, call, withQuery } from './core';
import { request } from './http';
import type { paths } from './schema';

type Query<P extends keyof paths> = paths[P] extends { get: { parameters: { query?: infer Q } } } ? NonNullable<Q> : never;

// ---- accounts ---------------------------------------------------------------

export type Civility = Schemas['Civility'];
export type Me = Schemas['Me'];
export type MeFamily = Schemas['MeFamily'];
export type SignUp = Schemas['SignUpForm'];

/** The captcha's challenges (the ALTCHA widget fetches them itself). */
export const CAPTCHA_URL: keyof paths = '/api/captcha';

/** The commune and its contact (the same as at the foot of every e-mail). */
export const communeInfo = () => call('get', '/api/commune');

/** Accounts and sessions. */
export const accounts = {
  me: () => call('get', '/api/me'),
  logIn: (email: string, password: string) => call('post', '/api/session', { body: { email, password } }),
  logOut: () => call('delete', '/api/session'),
  signUp: (body: SignUp) => call('post', '/api/accounts', { body }),
  activate: (token: string) => call('post', '/api/accounts/activation', { body: { token } }),
  resendActivation: (email: string) => call('post', '/api/accounts/activation/resend', { body: { email } }),
  forgotPassword: (email: string) => call('post', '/api/password-reset', { body: { email } }),
  newPassword: (body: Schemas['ResetConfirmation']) => call('post', '/api/password-reset/confirm', { body }),
};

/** What a reservation or absence keeps about its activity (the contract leaves a request's `details` open). */
export interface PlanningDetails {
  activity?: string;
  establishment?: string;
  start?: string;
  end?: string;
  reason?: string | null;
  waiting_list?: boolean;
}

// ---- the family space ---------------------------------------------------------------

/** The answer to a dossier change: the request the commune decides. */
export type SubmittedChange = Schemas['ChangeSubmitted'];

/** Every call of the family space carries the family shown (`family_id`). */
export const parent = {
  subscriptions: () => call('get', '/api/subscriptions'),
  subscribe: (body: Schemas['SubscribeRequest']) => call('post', '/api/subscriptions', { body }),
  /** The account leaves the family file (it no longer sees it). */
  leave: (familyId: string) => call('delete', '/api/subscriptions/{family_id}', { path: { family_id: familyId } }),
  dossier: (familyId: string) => call('get', '/api/family', { query: { family_id: familyId } }),
  changeFamily: (familyId: string, body: Schemas['FamilyPatch']) => call('patch', '/api/family', { query: { family_id: familyId }, body }),
  changeGuardian: (familyId: string, id: string, body: Schemas['GuardianPatch']) =>
    call('patch', '/api/family/guardians/{id}', { path: { id }, query: { family_id: familyId }, body }),
  changeChild: (familyId: string, id: string, body: Schemas['ChildPatch']) =>
    call('patch', '/api/family/children/{id}', { path: { id }, query: { family_id: familyId }, body }),
  photoUpload: (familyId: string, id: string, body: Schemas['PhotoUpload']) =>
    call('post', '/api/family/children/{id}/photo', { path: { id }, query: { family_id: familyId }, body }),
  photoConfirm: (familyId: string, id: string, body: Schemas['PhotoConfirm']) =>
    call('post', '/api/family/children/{id}/photo/confirm', { path: { id }, query: { family_id: familyId }, body }),

  requests: (query: Query<'/api/requests'>) => call('get', '/api/requests', { query }),
  request: (id: string) => call('get', '/api/requests/{id}', { path: { id } }),
  planning: (query: Query<'/api/planning'>) => call('get', '/api/planning', { query }),
  /**
   * Reservations and absences; sent again with the same key after a
   * failure (the family is the child's; `family_id` is accepted).
   */
  submit: (familyId: string | undefined, body: Schemas['Submission'], idempotencyKey: string) =>
    request<Schemas['Submitted']>('POST', withQuery('/api/requests', { family_id: familyId }), body, { 'Idempotency-Key': idempotencyKey }),
};

// ---- the billing space ---------------------------------------------------------------

export type InvoiceView = Schemas['InvoiceView'];
export type InvoiceDetail = Schemas['InvoiceDetail'];
export type InvoicePage = Schemas['InvoicePage'];
export type OperationPage = Schemas['OperationPage'];
export type PaymentPage = Schemas['PaymentPage'];

/** "Votre espace de facturation": invoices, operations, payments of the family shown. */
export const billing = {
  invoices: (query: Query<'/api/billing/invoices'>) => call('get', '/api/billing/invoices', { query }),
  invoice: (familyId: string, id: string) => call('get', '/api/billing/invoices/{id}', { path: { id }, query: { family_id: familyId } }),
  operations: (query: Query<'/api/billing/operations'>) => call('get', '/api/billing/operations', { query }),
  payments: (query: Query<'/api/billing/payments'>) => call('get', '/api/billing/payments', { query }),
  /** Starts the online payment of an invoice's whole balance: the browser then goes to `redirect_url`. */
  payOnline: (familyId: string, id: string) => call('post', '/api/billing/invoices/{id}/payment', { path: { id }, query: { family_id: familyId } }),
  onlinePayment: (familyId: string, id: string) => call('get', '/api/billing/online-payments/{id}', { path: { id }, query: { family_id: familyId } }),
};

export type OnlinePaymentView = Schemas['OnlinePaymentView'];

// ---- supporting documents ---------------------------------------------------------------

export type DocumentRow = Schemas['DocumentRow'];

/** "Pièces justificatives": the table, sending a file in three steps, a 5-minute link. */
export const documents = {
  list: (familyId: string) => call('get', '/api/documents', { query: { family_id: familyId } }),
  start: (familyId: string, body: Schemas['DocumentUpload']) => call('post', '/api/documents', { query: { family_id: familyId }, body }),
  confirm: (uploadId: string) => call('post', '/api/documents/confirm', { body: { upload_id: uploadId } }),
  link: (id: string) => call('get', '/api/documents/{id}/link', { path: { id } }),
};

// ---- crèche pre-registration ------------------------------------------------------------

export type CrecheApplication = Schemas['ApplicationView'];
export type CrecheStatus = Schemas['Status'];
export type CrecheSlot = Schemas['Slot'];
export type CrecheStructure = Schemas['Structure'];
export type WorkSituation = Schemas['WorkSituation'];
export type NewCrecheApplication = Schemas['NewApplication'];

/** "Préinscrire votre enfant en crèche": the crèches, the family's applications, its answers. */
export const creche = {
  structures: () => call('get', '/api/creche/structures'),
  list: (familyId: string) => call('get', '/api/creche/applications', { query: { family_id: familyId } }),
  read: (familyId: string, id: string) => call('get', '/api/creche/applications/{id}', { path: { id }, query: { family_id: familyId } }),
  apply: (familyId: string, body: NewCrecheApplication) => call('post', '/api/creche/applications', { query: { family_id: familyId }, body }),
  answer: (familyId: string, id: string, answer: 'accept' | 'decline') =>
    call('post', '/api/creche/applications/{id}/answer', { path: { id }, query: { family_id: familyId }, body: { answer } }),
  withdraw: (familyId: string, id: string) => call('post', '/api/creche/applications/{id}/withdraw', { path: { id }, query: { family_id: familyId } }),
  renew: (familyId: string, id: string) => call('post', '/api/creche/applications/{id}/renewal', { path: { id }, query: { family_id: familyId } }),
  birth: (familyId: string, id: string, body: Schemas['BirthBody']) =>
    call('post', '/api/creche/applications/{id}/birth', { path: { id }, query: { family_id: familyId }, body }),
};
