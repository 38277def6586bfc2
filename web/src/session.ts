/**
 * Who is logged in, shared by every page: read from `GET /api/me` at start,
 * set by the login answer, cleared by logout.
 */
import { useEffect, useState } from 'preact/hooks';

import { ApiError, type Me, accounts } from './api';

export type Session =
  | { state: 'unknown' }
  | { state: 'anonymous' }
  | { state: 'authenticated'; me: Me };

let session: Session = { state: 'unknown' };
const listeners = new Set<() => void>();

function set(next: Session): void {
  session = next;
  for (const l of listeners) l();
}

export function currentSession(): Session {
  return session;
}

export function useSession(): Session {
  const [, setTick] = useState(0);
  const seen = session;
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    // Changed between this render and now (a child's effect navigated)?
    if (session !== seen) l();
    return () => void listeners.delete(l);
  }, []);
  return session;
}

export async function refreshSession(): Promise<void> {
  try {
    set({ state: 'authenticated', me: await accounts.me() });
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) console.warn('GET /api/me :', e);
    set({ state: 'anonymous' });
  }
}

export function loggedIn(me: Me): void {
  set({ state: 'authenticated', me });
}

export function loggedOut(): void {
  set({ state: 'anonymous' });
}

export async function logIn(email: string, password: string): Promise<Me> {
  const me = await accounts.logIn(email, password);
  loggedIn(me);
  return me;
}

export async function logOut(): Promise<void> {
  await accounts.logOut();
  loggedOut();
}

/** "Mme Camille Martin". */
export function displayName(me: Pick<Me, 'civility' | 'first_name' | 'last_name'>): string {
  return [me.civility, me.first_name, me.last_name].filter(Boolean).join(' ');
}

// ---- one-shot messages shown on the next page ---------------------------------

let flash: string | null = null;

export function setFlash(message: string): void {
  flash = message;
}

export function takeFlash(): string | null {
  const m = flash;
  flash = null;
  return m;
}
