/**
 * Marks that could not be sent (no network, the portal unreachable) wait in
 * localStorage and are sent again when the browser is back online, on the
 * next page load, and every 30 seconds while some wait. The server's PUT
 * and DELETE are idempotent: a mark sent twice does no harm. Only the
 * latest mark of a child on a day is kept.
 */
import { useEffect, useState } from 'preact/hooks';

import { ApiError, asApiError } from '../api';
import { type Mark, clearMark, setMark } from './api';

export interface Queued {
  activity: string;
  date: string;
  child: string;
  /** `null`: the mark is cleared. */
  mark: Mark | null;
}

const KEY = 'marelle.pointage.attente';
/** At most this many marks wait (a sheet holds at most 800 children). */
const MAX = 2000;

const listeners = new Set<() => void>();

function same(a: Queued, b: Queued): boolean {
  return a.activity === b.activity && a.date === b.date && a.child === b.child;
}

export function queued(): Queued[] {
  try {
    const raw = window.localStorage.getItem(KEY);
    const list: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(list) ? (list as Queued[]) : [];
  } catch {
    return [];
  }
}

function save(list: Queued[]): void {
  try {
    if (list.length) window.localStorage.setItem(KEY, JSON.stringify(list.slice(-MAX)));
    else window.localStorage.removeItem(KEY);
  } catch {
    // Storage full or refused: the marks stay on screen only.
  }
  for (const l of listeners) l();
}

function put(q: Queued): void {
  save([...queued().filter((x) => !same(x, q)), q]);
}

function drop(q: Queued): void {
  save(queued().filter((x) => !(same(x, q) && x.mark === q.mark)));
}

/** A failure worth trying again later (no answer, or the portal unavailable). */
function transient(e: ApiError): boolean {
  return e.status === 0 || e.status === 429 || e.status >= 500;
}

async function send(q: Queued): Promise<void> {
  if (q.mark) await setMark(q.activity, q.date, q.child, q.mark);
  else await clearMark(q.activity, q.date, q.child);
}

export type Sent = { state: 'sent' } | { state: 'queued' } | { state: 'refused'; error: ApiError };

/**
 * Sends a mark at once; kept to send later if the network fails. Refused by
 * the server (a rule): nothing waits, the error says why.
 */
export async function record(q: Queued): Promise<Sent> {
  put(q);
  try {
    await send(q);
    drop(q);
    return { state: 'sent' };
  } catch (e) {
    const error = asApiError(e);
    if (transient(error)) return { state: 'queued' };
    drop(q);
    return { state: 'refused', error };
  }
}

let flushing = false;

/** Sends what waits, oldest first; stops at the first network failure. */
export async function flush(): Promise<void> {
  if (flushing) return;
  flushing = true;
  try {
    for (const q of queued()) {
      try {
        await send(q);
        drop(q);
      } catch (e) {
        if (transient(asApiError(e))) return;
        drop(q); // refused (the day closed meanwhile…): nothing more to do
      }
    }
  } finally {
    flushing = false;
  }
}

/** How many marks wait, kept up to date; sends them when the browser is back online. */
export function useQueue(onFlushed?: () => void): number {
  const [count, setCount] = useState(() => queued().length);
  useEffect(() => {
    const changed = () => setCount(queued().length);
    listeners.add(changed);
    const retry = () => {
      const before = queued().length;
      void flush().then(() => {
        if (before && !queued().length) onFlushed?.();
      });
    };
    window.addEventListener('online', retry);
    const timer = window.setInterval(() => {
      if (queued().length) retry();
    }, 30_000);
    retry();
    return () => {
      listeners.delete(changed);
      window.removeEventListener('online', retry);
      window.clearInterval(timer);
    };
  }, []);
  return count;
}
