/**
 * "Je ne suis pas un robot": the ALTCHA widget. Its checkbox is a real,
 * labelled `<input type="checkbox">` (keyboard: Tab, then Space); once the
 * proof of work is done, its hidden input holds the payload the form sends
 * as `captcha`.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { FieldError, errorId } from '../ui/form';

export interface CaptchaControl {
  /** The payload when verified (waiting for a verification under way), else null. */
  payload(): Promise<string | null>;
  /** Back to unchecked, for a new challenge (a payload is usable once). */
  reset(): void;
}

type WidgetState = 'loading' | 'unverified' | 'verifying' | 'verified' | 'expired' | 'error' | 'code' | 'failed';

interface AltchaElement extends HTMLElement {
  getState?: () => string;
  reset?: () => void;
}

const NAME = 'altcha';

interface CaptchaProps {
  id: string;
  error?: string | undefined;
  control: RefObject<CaptchaControl | null>;
}

export function Captcha({ id, error, control }: CaptchaProps) {
  const host = useRef<HTMLDivElement>(null);
  const widget = useRef<AltchaElement | null>(null);
  const [state, setState] = useState<WidgetState>('loading');

  useEffect(() => {
    let cancelled = false;
    import('./altcha')
      .then(({ createWidget }) => {
        if (cancelled || !host.current) return;
        const el = createWidget(NAME) as AltchaElement;
        el.addEventListener('statechange', (ev) => {
          const s = (ev as CustomEvent<{ state: WidgetState }>).detail?.state;
          if (s) setState(s);
        });
        host.current.appendChild(el);
        widget.current = el;
        setState('unverified');
      })
      .catch((e: unknown) => {
        console.error(e);
        if (!cancelled) setState('failed');
      });
    return () => {
      cancelled = true;
      widget.current?.remove();
      widget.current = null;
    };
  }, []);

  // Tie the widget's checkbox to our error message.
  useEffect(() => {
    const box = host.current?.querySelector<HTMLInputElement>('input[type="checkbox"]');
    if (!box) return;
    if (error) {
      box.setAttribute('aria-invalid', 'true');
      box.setAttribute('aria-describedby', errorId(id));
    } else {
      box.removeAttribute('aria-invalid');
      box.removeAttribute('aria-describedby');
    }
  });

  control.current = {
    async payload() {
      const el = widget.current;
      if (!el) return null;
      if (el.getState?.() === 'verifying') {
        await new Promise<void>((resolve) => {
          const done = (ev: Event) => {
            const s = (ev as CustomEvent<{ state: string }>).detail?.state;
            if (s !== 'verifying') {
              el.removeEventListener('statechange', done);
              resolve();
            }
          };
          el.addEventListener('statechange', done);
        });
      }
      if (el.getState?.() !== 'verified') return null;
      const input = el.querySelector<HTMLInputElement>(`input[name="${NAME}"]`);
      return input?.value || null;
    },
    reset() {
      widget.current?.reset?.();
    },
  };

  return (
    <div class={error ? 'field field--error' : 'field'}>
      <FieldError id={id} message={error} />
      <div class="captcha" id={id} ref={host} />
      {state === 'loading' && <p class="hint">Chargement de la vérification « Je ne suis pas un robot »…</p>}
      {state === 'failed' && (
        <p class="field-error">La vérification « Je ne suis pas un robot » n'a pas pu être chargée. Rechargez la page.</p>
      )}
    </div>
  );
}
