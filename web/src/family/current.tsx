/**
 * Which family the pages show, when an account is linked to several: the
 * choice is kept for the browser tab, and every call carries `family_id`.
 * Also the dossier loader shared by the family pages.
 */
import { useEffect, useState } from 'preact/hooks';

import { type Me, type MeFamily, api } from '../api';
import { type Loaded, useLoad } from '../ui/load';
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

export function useDossier(family: MeFamily | null): Loaded<Dossier> {
  const path = family ? withQuery('/api/family', { family_id: family.family_id }) : null;
  return useLoad<Dossier>(path ? () => api.get<Dossier>(path) : null, [path]);
}
