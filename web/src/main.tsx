import { render } from 'preact';

import './theme.css';
import { App } from './app';
import { loadCommune } from './commune';
import { startRouter } from './router';
import { refreshSession } from './session';

async function start(): Promise<void> {
  // Branding and session in parallel; the page renders once both are known.
  await Promise.all([loadCommune(), refreshSession()]);
  startRouter();
  const root = document.getElementById('app');
  if (!root) throw new Error('#app manquant dans index.html');
  root.textContent = '';
  render(<App />, root);
}

void start();
