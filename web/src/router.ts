/**
 * Client-side routing on the History API. The server answers `index.html`
 * for every path outside `/api`, so every address here is a deep link.
 *
 * Same-origin links are intercepted globally: pages write plain
 * `<a href="/connexion">`. After a navigation the page title (`<h1>`)
 * takes the focus, so screen-reader users hear where they arrived.
 */
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  path: string;
  query: URLSearchParams;
}

type Listener = () => void;
const listeners = new Set<Listener>();

let current = read();
/** Set by a client-side navigation, consumed by the next page shown. */
let focusPending = false;

function read(): Location {
  const path = window.location.pathname.replace(/\/+$/, '') || '/';
  return { path, query: new URLSearchParams(window.location.search) };
}

function changed(): void {
  current = read();
  focusPending = true;
  for (const l of listeners) l();
}

export function location(): Location {
  return current;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  const url = new URL(to, window.location.href);
  if (url.origin !== window.location.origin) {
    window.location.assign(url.href);
    return;
  }
  const target = url.pathname + url.search + url.hash;
  if (opts.replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  if (!url.hash) window.scrollTo(0, 0);
  changed();
}

/** Whether the page being shown should take the focus (and clears it). */
export function takeFocusRequest(): boolean {
  const pending = focusPending;
  focusPending = false;
  return pending;
}

/** A path of this portal to go back to after logging in, or null. */
export function safeReturnPath(value: string | null): string | null {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return null;
  if (value.startsWith('/api')) return null;
  return value;
}

export function useLocation(): Location {
  const [, setTick] = useState(0);
  const seen = current;
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    // Changed between this render and now (a child's effect navigated)?
    if (current !== seen) l();
    return () => void listeners.delete(l);
  }, []);
  return current;
}

function onClick(ev: MouseEvent): void {
  if (ev.defaultPrevented || ev.button !== 0) return;
  if (ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const target = ev.target instanceof Element ? ev.target.closest('a') : null;
  if (!target || !target.href) return;
  if (target.target && target.target !== '_self') return;
  if (target.hasAttribute('download') || target.dataset['external'] !== undefined) return;
  const url = new URL(target.href);
  if (url.origin !== window.location.origin) return;
  if (url.pathname.startsWith('/api/') || /\.[a-z0-9]+$/i.test(url.pathname)) return;
  // A link to a place in the same page: let the browser handle it.
  if (url.pathname === window.location.pathname && url.search === window.location.search && url.hash) return;
  ev.preventDefault();
  navigate(url.pathname + url.search + url.hash);
}

export function startRouter(): void {
  document.addEventListener('click', onClick);
  window.addEventListener('popstate', changed);
}
