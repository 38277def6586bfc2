/** The back-office pages (role `agent`), under /agent. */
import type { ComponentChildren } from 'preact';

import { NotFoundPage } from '../pages/info';

export function agentRoute(_path: string): ComponentChildren {
  return <NotFoundPage />;
}
