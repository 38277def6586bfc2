/**
 * Which family the pages show, when an account is linked to several: the
 * choice is kept for the browser tab, and every call carries `family_id`.
 * Also the dossier loader shared by the family pages.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { type ApiError, type Me, type MeFamily, api, asApiError } from '../api';
import type { Dossier } from './model';

const KEY = 'marelle.famille';
const listeners = new Set<() => void>();

function stored(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function chooseFamily(id: string): void {
  try {
    sessionStorage.setItem(KEY, id);
  } catch {
    // Private browsing without storage: the choice lasts until the next page.
  }
  for (const l of listeners) l();
}

/** The family shown: the one chosen, else the first. Null without any. */
export function currentFamily(me: Me): MeFamily | null {
  const id = stored();
  return me.families.find((f) => f.family_id === id) ?? me.families[0] ?? null;
}

export function useCurrentFamily(me: Me): MeFamily | null {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return currentFamily(me);
}

/** `path` with `family_id` (and other parameters) in its query. */
export function withQuery(path: string, params: Record<string, string | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? `${path}${path.includes('?') ? '&' : '?'}${s}` : path;
}

export type Loaded<T> = { state: 'loading' } | { state: 'failed'; error: ApiError } | { state: 'ready'; data: T };

/** GETs `path` (again when it changes, or on `reload`). */
export function useLoad<T>(path: string | null): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const seq = useRef(0);
  async function load(): Promise<void> {
    if (!path) return;
    const mine = ++seq.current;
    try {
      const data = await api.get<T>(path);
      if (mine === seq.current) setLoaded({ state: 'ready', data });
    } catch (e) {
      if (mine === seq.current) setLoaded({ state: 'failed', error: asApiError(e) });
    }
  }
  useEffect(() => {
    setLoaded({ state: 'loading' });
    void load();
  }, [path]);
  return [loaded, load];
}

export function useDossier(family: MeFamily | null): [Loaded<Dossier>, () => Promise<void>] {
  return useLoad<Dossier>(family ? withQuery('/api/family', { family_id: family.family_id }) : null);
}
