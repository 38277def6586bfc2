/**
 * What surrounds every page: skip link, header (commune, who is logged in),
 * main navigation, footer. On narrow screens (under 40rem) the user zone and
 * the links fold behind the navigation's "Menu" button, closed by default,
 * and open over the page; on wide screens they are always shown and the
 * button is not.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { asApiError } from './api';
import { commune } from './commune';
import { agree } from './labels';
import { navigate, useLocation } from './router';
import { displayName, logOut, setFlash, useSession } from './session';

const sections = [
  { href: '/mon-espace', label: 'Mon espace citoyen', also: ['/mes-demandes'] },
  { href: '/espace-famille', label: 'Espace famille', also: ['/planning', '/pieces-justificatives', '/creche'] },
  { href: '/espace-facturation', label: 'Espace facturation', also: [] },
  { href: '/nous-contacter', label: 'Nous contacter', also: [] },
];

/** "page" on the section's own page, "true" on the pages under it. */
function current(path: string, s: (typeof sections)[number]): 'page' | 'true' | undefined {
  if (path === s.href) return 'page';
  const under = (p: string) => path === p || path.startsWith(`${p}/`);
  return under(s.href) || s.also.some(under) ? 'true' : undefined;
}

/** Logs out from anywhere and says so on the home page. */
export function useLogout() {
  const [busy, setBusy] = useState(false);
  const session = useSession();
  const civility = session.state === 'authenticated' ? session.me.civility : null;
  async function logout() {
    if (busy) return;
    setBusy(true);
    try {
      await logOut();
      setFlash(`Vous êtes ${agree(civility, 'déconnecté', 'déconnectée')}. À bientôt sur le portail !`);
      navigate('/');
    } catch (e) {
      window.alert(asApiError(e).detail);
    } finally {
      setBusy(false);
    }
  }
  return { busy, logout };
}

function UserZone({ class: extra = '' }: { class?: string }) {
  const session = useSession();
  const { busy, logout } = useLogout();
  const cls = `user-zone ${extra}`.trim();
  if (session.state === 'unknown') return <div class={cls} />;
  if (session.state === 'anonymous') {
    return (
      <div class={cls}>
        <a class="button button--secondary button--small" href="/connexion">
          Se connecter
        </a>
        <a class="button button--small" href="/inscription">
          Créer un compte
        </a>
      </div>
    );
  }
  return (
    <div class={cls}>
      <p class="user-zone__name">
        <span class="visually-hidden">Connecté en tant que </span>
        <a href="/mon-espace">{displayName(session.me)}</a>
      </p>
      <button type="button" class="button button--secondary button--small" onClick={logout} aria-disabled={busy ? 'true' : undefined}>
        Se déconnecter
      </button>
    </div>
  );
}

/** Agents also get the back-office in the menu. */
const backOffice = { href: '/agent', label: 'Back-office', also: [] };
/** Activity staff see attendance only. */
const attendance = { href: '/pointage', label: 'Pointage', also: [] };

export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  const session = useSession();
  const role = session.state === 'authenticated' ? session.me.role : null;
  const menu = role === 'agent' ? [...sections, backOffice] : role === 'staff' ? [attendance] : sections;
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  // A new page closes the menu (on narrow screens it would hide the page).
  useEffect(() => setOpen(false), [path]);
  /** Escape closes the open menu and gives the focus back to its button. */
  function onKeyDown(e: KeyboardEvent) {
    if (e.key === 'Escape' && open) {
      setOpen(false);
      toggle.current?.focus();
    }
  }
  return (
    <>
      <a class="skip-link" href="#contenu">
        Aller au contenu
      </a>
      <header class="site-header">
        <div class="container site-header__top">
          <a class="brand" href="/">
            <img src={commune.logo} alt="" width="48" height="48" />
            <span>
              <span class="brand__name">{commune.name}</span>
              <span class="brand__portal">{commune.portal_name}</span>
            </span>
            <span class="visually-hidden"> – Accueil</span>
          </a>
          <UserZone class="user-zone--top" />
        </div>
        <nav class="site-nav" aria-label="Menu principal" onKeyDown={onKeyDown}>
          <button
            ref={toggle}
            type="button"
            class="menu-toggle"
            aria-expanded={open ? 'true' : 'false'}
            aria-controls="menu-principal"
            onClick={() => setOpen(!open)}
          >
            <span class="menu-toggle__icon" aria-hidden="true" />
            Menu
          </button>
          <div id="menu-principal" class="site-menu" data-open={open ? 'true' : 'false'}>
            <UserZone class="user-zone--menu container" />
            <div class="container">
              <ul>
                {menu.map((s) => (
                  <li key={s.href}>
                    <a href={s.href} aria-current={current(path, s)}>
                      {s.label}
                    </a>
                  </li>
                ))}
              </ul>
            </div>
          </div>
        </nav>
      </header>
      <main id="contenu" class="container" tabIndex={-1}>
        {children}
      </main>
      <footer class="site-footer">
        <div class="container">
          <ul>
            <li>
              <a href="/conditions">Conditions d'utilisation et données personnelles</a>
            </li>
            <li>
              <a href="/nous-contacter">Nous contacter</a>
            </li>
          </ul>
          <p>
            {commune.name} – {commune.portal_name}, propulsé par Marelle, logiciel libre.
          </p>
        </div>
      </footer>
    </>
  );
}
