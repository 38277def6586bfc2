/** Pages for logged-in people: the others go to the login page and come back. */
import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';

import type { Me } from './api';
import { navigate, useLocation } from './router';
import { useSession } from './session';

export function RequireLogin({ path, render }: { path: string; render: (me: Me) => ComponentChildren }) {
  const session = useSession();
  const { query } = useLocation();
  const anonymous = session.state === 'anonymous';
  useEffect(() => {
    if (anonymous) {
      const back = path + (query.toString() ? `?${query}` : '');
      navigate(`/connexion?retour=${encodeURIComponent(back)}`, { replace: true });
    }
  }, [anonymous, path]);
  if (session.state !== 'authenticated') {
    return <p role="status">Chargement…</p>;
  }
  return <>{render(session.me)}</>;
}
