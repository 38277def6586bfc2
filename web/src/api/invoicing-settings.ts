/**
 * The agents' invoicing settings (`/api/agent/activities/{id}/billing`,
 * `/api/agent/families/{id}/quotients`): an activity's billing settings
 * and tariff, a family's quotients familiaux. Bundled with the back-office.
 */
import { type Schemas, call } from './core';

export type BillingView = Schemas['BillingView'];
export type BillingSettings = Schemas['BillingSettings'];
export type TariffVersion = Schemas['TariffVersion'];
export type Bracket = Schemas['Bracket'];
export type Unit = Schemas['Unit'];
export type BilledOn = Schemas['BilledOn'];
export type Quotient = Schemas['Quotient'];
export type QuotientsView = Schemas['QuotientsView'];
export type QuotientsUpdate = Schemas['QuotientsUpdate'];

export const invoicingSettings = {
  billing: (id: string) => call('get', '/api/agent/activities/{id}/billing', { path: { id } }),
  saveBilling: (id: string, body: BillingSettings) => call('put', '/api/agent/activities/{id}/billing', { path: { id }, body }),
  quotients: (id: string) => call('get', '/api/agent/families/{id}/quotients', { path: { id } }),
  saveQuotients: (id: string, body: QuotientsUpdate) => call('put', '/api/agent/families/{id}/quotients', { path: { id }, body }),
};
