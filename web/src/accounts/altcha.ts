/**
 * The ALTCHA widget, loaded on the sign-up page only. The "external" build
 * keeps its styles and its proof-of-work worker in files of their own, so
 * the portal's Content-Security-Policy needs no inline script.
 */
import 'altcha/external';
import 'altcha/i18n/fr-fr';
import 'altcha/altcha.css';
import Pbkdf2Worker from 'altcha/workers/pbkdf2?worker';

import { CAPTCHA_URL } from '../api';

// The portal's challenges use PBKDF2/SHA-256 (see shared/api/src/captcha.rs).
for (const algorithm of ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512']) {
  globalThis.$altcha.algorithms.set(algorithm, () => new Pbkdf2Worker());
}

export function createWidget(name: string): HTMLElement {
  const widget = document.createElement('altcha-widget');
  widget.setAttribute('challenge', CAPTCHA_URL);
  widget.setAttribute('language', 'fr');
  widget.setAttribute('name', name);
  widget.setAttribute('type', 'checkbox');
  widget.setAttribute('auto', 'off');
  widget.setAttribute(
    'configuration',
    JSON.stringify({
      hideFooter: true,
      hideLogo: true,
      // No pointer or scroll tracking: the proof of work is enough here.
      humanInteractionSignature: false,
      credentials: 'same-origin',
    }),
  );
  return widget;
}
