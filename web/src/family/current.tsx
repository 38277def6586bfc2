/**
 * Which family the pages show, when an account is linked to several: the
 * choice is kept for the browser tab, and every call carries `family_id`.
 * Also the dossier loader shared by the family pages.
 */
import { useEffect, useState } from 'preact/hooks';

import { type Me, type MeFamily, parent } from '../api';
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

/** After leaving a family: forgotten if it was the one chosen (the first one left is shown instead). */
export function forgetFamily(id: string): void {
  if (stored() !== id) return;
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing kept, nothing to forget.
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

export { withQuery } from '../api/core';

export function useDossier(family: MeFamily | null): Loaded<Dossier> {
  return useLoad<Dossier>(family ? () => parent.dossier(family.family_id) : null, [family?.family_id]);
}
