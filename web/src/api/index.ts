/** The portal's API: the HTTP layer (errors as `ApiError`) and the parents' typed client. */
export * from './http';
export * from './client';
export type { Schemas } from './core';
