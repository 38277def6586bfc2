/** The back-office pages (role `agent`), under /agent. */
import './agent.css';

import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

import type { Me } from '../api';
import { commune } from '../commune';
import { useLogout } from '../layout';
import { NotFoundPage } from '../pages/info';
import { navigate, useLocation } from '../router';
import { useSession } from '../session';
import { Page } from '../ui/page';
import { ActivitiesPage, NewActivityPage } from './activities';
import { ActivityPage } from './activity';
import { FamiliesPage } from './families';
import { FamilyPage } from './family';
import { AgentHomePage } from './home';
import { ImportPage } from './import';
import { NewFamilyPage } from './new-family';
import { QueuePage } from './queue';
import { RequestPage } from './request';

/** What a parent sees on a back-office address: no data, a way out. */
export function AgentsOnlyPage() {
  const { busy, logout } = useLogout();
  return (
    <Page title="Accès réservé aux agents" breadcrumb={[{ label: 'Back-office' }]}>
      <div class="prose">
        <div class="notice notice--error">
          <p>
            <strong>Cette page est réservée aux agents de {commune.name}.</strong> Votre compte citoyen ne donne pas accès au
            back-office.
          </p>
        </div>
        <p>Pour vos démarches, rendez-vous dans votre espace :</p>
        <ul>
          <li>
            <a href="/mon-espace">Mon espace citoyen</a>
          </li>
          <li>
            <a href="/espace-famille">Espace famille</a>
          </li>
        </ul>
        <p>Vous êtes agent de la collectivité ? Déconnectez-vous, puis connectez-vous avec votre compte agent.</p>
        <div class="actions">
          <button type="button" class="button button--secondary" onClick={logout} aria-disabled={busy ? 'true' : undefined}>
            Se déconnecter
          </button>
        </div>
      </div>
    </Page>
  );
}

/** Agents only: visitors log in first and come back; parents get the refusal. */
function RequireAgent({ path, render }: { path: string; render: (me: Me) => ComponentChildren }) {
  const session = useSession();
  const { query } = useLocation();
  const anonymous = session.state === 'anonymous';
  useEffect(() => {
    if (anonymous) {
      const back = path + (query.toString() ? `?${query}` : '');
      navigate(`/connexion?retour=${encodeURIComponent(back)}`, { replace: true });
    }
  }, [anonymous, path]);
  if (session.state !== 'authenticated') return <p role="status">Chargement…</p>;
  if (session.me.role !== 'agent') return <AgentsOnlyPage />;
  return <>{render(session.me)}</>;
}

function page(path: string): ((me: Me) => ComponentChildren) | null {
  const [section, id, more] = path.split('/').slice(2);
  if (more !== undefined) return null;
  switch (section) {
    case undefined:
      return (me) => <AgentHomePage me={me} />;
    case 'demandes':
      return id ? () => <RequestPage id={id} /> : () => <QueuePage />;
    case 'familles':
      if (id === 'nouvelle') return () => <NewFamilyPage />;
      if (id === 'importer') return () => <ImportPage />;
      return id ? () => <FamilyPage id={id} /> : () => <FamiliesPage />;
    case 'activites':
      if (id === 'nouvelle') return () => <NewActivityPage />;
      return id ? () => <ActivityPage id={id} /> : () => <ActivitiesPage />;
    default:
      return null;
  }
}

export function agentRoute(path: string): ComponentChildren {
  const render = page(path);
  if (!render) return <NotFoundPage />;
  return <RequireAgent path={path} render={render} />;
}
