/**
 * The typed call: a path of the contract (`paths`, generated from
 * openapi.json into ./schema.d.ts), its method, its parameters and body,
 * and the answer's type, all checked by `tsc`. A route the server no longer
 * has, a renamed parameter or a changed body does not compile.
 */
import { request } from './http';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** The operation at `path` for `method`. */
type Op<P extends keyof paths, M extends Method> = paths[P] extends { [K in M]: infer O } ? O : never;

type Json<C> = C extends { content: { 'application/json': infer T } } ? T : void;

/** The body of a success (2xx), `void` when there is none (204). */
type Answer<O> = O extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 | 202 | 204 ? Json<R[S]> : never }[keyof R]
  : never;

type Parameters_<O> = O extends { parameters: infer P } ? P : Record<never, never>;
/** `{id}` in `/api/requests/{id}`: read from the path itself (the contract does not declare every one). */
type PathParams<P> = P extends `${string}{${infer K}}${infer Rest}` ? K | PathParams<Rest> : never;
type QueryParams<O> = Parameters_<O> extends { query?: infer Q } ? Q : never;
type Body<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

export interface CallOptions<P, O> {
  path?: Record<PathParams<P>, string>;
  query?: QueryParams<O>;
  body?: Body<O>;
  headers?: Record<string, string>;
}

/** `path` with its query; empty and missing values left out. */
export function withQuery(path: string, params: object | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params ?? {})) if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

/** `/api/requests/{id}` with `{ id }` filled in, encoded. */
export function fillPath(path: string, params: object | undefined): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(String((params as Record<string, unknown> | undefined)?.[name] ?? '')));
}

export function call<P extends keyof paths, M extends Method & keyof paths[P]>(
  method: M,
  path: P,
  options: CallOptions<P, Op<P, M>> = {},
): Promise<Answer<Op<P, M>>> {
  const url = withQuery(fillPath(path, options.path as object | undefined), options.query as object | undefined);
  // A POST always carries a JSON body, `{}` when it has nothing to say.
  const body = options.body ?? (method === 'post' ? {} : undefined);
  return request<Answer<Op<P, M>>>(method.toUpperCase(), url, body, options.headers);
}
