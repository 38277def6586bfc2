/**
 * Loading what a page shows: one hook for every page (the parents' and the
 * back-office's), the "Chargement…" status, and why it failed.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { type ApiError, asApiError } from '../api';
import { location } from '../router';

export type Loaded<T> = (
  | { state: 'loading'; data: T | null; error: null }
  | { state: 'failed'; data: null; error: ApiError }
  | { state: 'ready'; data: T; error: null }
) & {
  /** A load is under way (the data shown, if any, is the previous one). */
  loading: boolean;
  /** Loads again, keeping what is shown until the answer arrives. */
  reload: () => Promise<void>;
  /** What an action's answer says, without loading again. */
  setData: (d: T) => void;
};

interface LoadOptions {
  /** Keep showing the previous data while `deps` change (the back-office's filters); else "Chargement…" again. */
  keep?: boolean;
}

/**
 * Calls `load` once, again when `deps` change, and on `reload()`. A null
 * `load` waits (nothing to load yet). Only the latest answer is kept.
 */
export function useLoad<T>(load: (() => Promise<T>) | null, deps: unknown[] = [], { keep = false }: LoadOptions = {}): Loaded<T> {
  const [s, setS] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({ data: null, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(async () => {
    if (!load) return;
    const n = ++seq.current;
    setS((old) => ({ ...old, loading: true }));
    try {
      const data = await load();
      if (n === seq.current) setS({ data, error: null, loading: false });
    } catch (e) {
      if (n === seq.current) setS({ data: null, error: asApiError(e), loading: false });
    }
  }, deps);
  const first = useRef(true);
  useEffect(() => {
    if (!keep && !first.current) setS({ data: null, error: null, loading: true });
    first.current = false;
    void reload();
    return () => void (seq.current += 1);
  }, [reload]);
  const setData = useCallback((data: T) => setS({ data, error: null, loading: false }), []);
  const state = s.error ? 'failed' : !s.loading || s.data !== null ? 'ready' : 'loading';
  return { ...s, state, reload, setData } as Loaded<T>;
}

export function Loading({ text = 'Chargement…' }: { text?: string }) {
  return (
    <p class="status" role="status">
      {text}
    </p>
  );
}

/** Why a parent's page could not load, and a way to try again. */
export function LoadError({ error, retry }: { error: ApiError; retry?: () => void }) {
  return (
    <div class="notice notice--error" role="alert">
      <p>
        <strong>{error.detail}</strong>
      </p>
      {retry && (
        <p>
          <button type="button" class="button button--secondary button--small" onClick={retry}>
            Réessayer
          </button>
        </p>
      )}
    </div>
  );
}

/** Why a back-office page could not load, with the way out (log in again, back to the list). */
export function LoadFailure({ error, notFound, back }: { error: ApiError; notFound?: string; back?: { href?: string; label: string } }) {
  const here = location();
  const retour = encodeURIComponent(here.path + (here.query.toString() ? `?${here.query}` : ''));
  let body: ComponentChildren;
  if (error.status === 401) {
    body = (
      <p>
        Votre session a expiré. <a href={`/connexion?retour=${retour}`}>Reconnectez-vous</a> pour continuer.
      </p>
    );
  } else if (error.status === 403) {
    body = <p>{error.detail || 'Cette page est réservée aux agents de la collectivité.'}</p>;
  } else if (error.status === 404) {
    body = <p>{notFound ?? "L'élément demandé n'existe pas."}</p>;
  } else {
    body = <p>{error.detail}</p>;
  }
  return (
    <div class="notice notice--error" role="alert">
      {body}
      {back?.href && (
        <p>
          <a href={back.href}>{back.label}</a>
        </p>
      )}
    </div>
  );
}
