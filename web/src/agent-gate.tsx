/**
 * The door to the back-office (/agent): checked here, in the parents'
 * bundle, so that a visitor or a parent never downloads the back-office's
 * code. Agents get it loaded on demand (its own chunks, ./agent/routes).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import type { Me } from './api';
import { agentAddress } from './agent-address';
import { commune, ofCommune } from './commune';
import { useLogout } from './layout';
import { NotFoundPage } from './pages/info';
import { RequireLogin } from './require-login';
import { Page } from './ui/page';

/** What a parent (or activity staff) sees on a back-office address: no data, a way out. */
export function AgentsOnlyPage({ staff = false }: { staff?: boolean }) {
  const { busy, logout } = useLogout();
  if (staff) {
    return (
      <Page title="Accès réservé aux agents" breadcrumb={[{ label: 'Back-office' }]}>
        <div class="prose">
          <div class="notice notice--error">
            <p>
              <strong>Cette page est réservée aux agents {ofCommune(commune.name)}.</strong> Votre compte du personnel des activités donne
              accès au pointage des présences uniquement.
            </p>
          </div>
          <p>
            <a href="/pointage">Aller au pointage des présences</a>
          </p>
        </div>
      </Page>
    );
  }
  return (
    <Page title="Accès réservé aux agents" breadcrumb={[{ label: 'Back-office' }]}>
      <div class="prose">
        <div class="notice notice--error">
          <p>
            <strong>Cette page est réservée aux agents {ofCommune(commune.name)}.</strong> Votre compte citoyen ne donne pas accès au
            back-office.
          </p>
        </div>
        <p>Pour vos démarches, rendez-vous dans votre espace :</p>
        <ul>
          <li>
            <a href="/mon-espace">Mon espace citoyen</a>
          </li>
          <li>
            <a href="/espace-famille">Espace famille</a>
          </li>
        </ul>
        <p>Vous êtes agent de la collectivité ? Déconnectez-vous, puis connectez-vous avec votre compte agent.</p>
        <div class="actions">
          <button type="button" class="button button--secondary" onClick={logout} aria-disabled={busy ? 'true' : undefined}>
            Se déconnecter
          </button>
        </div>
      </div>
    </Page>
  );
}

type AgentModule = typeof import('./agent/routes');

/** The back-office's code, fetched once, the first time an agent needs it. */
let loading: Promise<AgentModule> | null = null;
function loadAgent(): Promise<AgentModule> {
  loading ??= import('./agent/routes').catch((e: unknown) => {
    loading = null; // a failed download is tried again next time
    throw e;
  });
  return loading;
}

function AgentPages({ path, me }: { path: string; me: Me }) {
  const [mod, setMod] = useState<AgentModule | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadAgent().then(
      (m) => live && setMod(m),
      () => live && setFailed(true),
    );
    return () => void (live = false);
  }, []);
  if (failed) {
    return (
      <div class="notice notice--error" role="alert">
        <p>
          <strong>Le back-office n'a pas pu être chargé.</strong> Vérifiez votre connexion à Internet, puis rechargez la page.
        </p>
      </div>
    );
  }
  if (!mod) return <p role="status">Chargement…</p>;
  return <>{mod.agentPage(path, me)}</>;
}

/** Agents only: visitors log in first and come back; parents get the refusal. */
export function agentRoute(path: string): ComponentChildren {
  if (!agentAddress(path)) return <NotFoundPage />;
  return <RequireAgent path={path} />;
}

function RequireAgent({ path }: { path: string }) {
  return <RequireLogin path={path} render={(me) => (me.role === 'agent' ? <AgentPages path={path} me={me} /> : <AgentsOnlyPage staff={me.role === 'staff'} />)} />;
}
