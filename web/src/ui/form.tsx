/**
 * Form pieces shared by every page: fields with their label, hint and error
 * (linked by `aria-describedby`, flagged by `aria-invalid`), the error
 * summary that takes the focus, and the submit button.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { type ApiError, asApiError } from '../api';

/** `aria-describedby` from the ids that exist. */
export function describedBy(...ids: (string | false | null | undefined)[]): string | undefined {
  const list = ids.filter((x): x is string => typeof x === 'string' && x !== '');
  return list.length ? list.join(' ') : undefined;
}

export const errorId = (id: string) => `${id}-erreur`;
export const hintId = (id: string) => `${id}-aide`;

export function RequiredNote() {
  return <p class="required-note">Les champs marqués d'un astérisque (*) sont obligatoires.</p>;
}

export function Req() {
  return (
    <span class="req" aria-hidden="true">
      *
    </span>
  );
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <p class="field-error" id={errorId(id)}>
      <span class="visually-hidden">Erreur : </span>
      {message}
    </p>
  );
}

interface TextFieldProps {
  id: string;
  label: ComponentChildren;
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'email' | 'password';
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | undefined;
  autoComplete?: string;
  spellcheck?: boolean;
  maxLength?: number;
  /** A button after the input (show the password). */
  after?: ComponentChildren;
  /** Ids of other elements describing the field. */
  extraDescribedBy?: string;
}

export function TextField(p: TextFieldProps) {
  const input = (
    <input
      id={p.id}
      name={p.id}
      // Preact types each input type apart; these three take the same attributes.
      type={(p.type ?? 'text') as 'text'}
      value={p.value}
      onInput={(e) => p.onValue(e.currentTarget.value)}
      required={p.required}
      aria-invalid={p.error ? 'true' : undefined}
      aria-describedby={describedBy(p.hint ? hintId(p.id) : null, p.extraDescribedBy, p.error ? errorId(p.id) : null)}
      autoComplete={p.autoComplete}
      spellcheck={p.spellcheck}
      maxLength={p.maxLength}
    />
  );
  return (
    <div class={p.error ? 'field field--error' : 'field'}>
      <label for={p.id}>
        {p.label}
        {p.required && <Req />}
      </label>
      {p.hint && (
        <p class="hint" id={hintId(p.id)}>
          {p.hint}
        </p>
      )}
      <FieldError id={p.id} message={p.error} />
      {p.after ? (
        <div class="password-wrap">
          {input}
          {p.after}
        </div>
      ) : (
        input
      )}
    </div>
  );
}

type PasswordFieldProps = Omit<TextFieldProps, 'type' | 'after'> & {
  /** What the show/hide button shows, for screen readers: "le mot de passe". */
  what: string;
};

/** A password field with a button to show what was typed. */
export function PasswordField(p: PasswordFieldProps) {
  const [shown, setShown] = useState(false);
  const { what, ...rest } = p;
  return (
    <TextField
      {...rest}
      type={shown ? 'text' : 'password'}
      spellcheck={false}
      after={
        <button
          type="button"
          class="button button--secondary button--small"
          aria-controls={p.id}
          aria-pressed={shown ? 'true' : 'false'}
          onClick={() => setShown(!shown)}
        >
          Afficher<span class="visually-hidden"> {what}</span>
        </button>
      }
    />
  );
}

interface CheckboxProps {
  id: string;
  checked: boolean;
  onChecked: (v: boolean) => void;
  label: ComponentChildren;
  required?: boolean;
  error?: string | undefined;
}

export function Checkbox(p: CheckboxProps) {
  return (
    <div class={p.error ? 'field field--error' : 'field'}>
      <FieldError id={p.id} message={p.error} />
      <div class="choice">
        <input
          type="checkbox"
          id={p.id}
          name={p.id}
          checked={p.checked}
          onChange={(e) => p.onChecked(e.currentTarget.checked)}
          required={p.required}
          aria-invalid={p.error ? 'true' : undefined}
          aria-describedby={p.error ? errorId(p.id) : undefined}
        />
        <label for={p.id}>
          {p.label}
          {p.required && <Req />}
        </label>
      </div>
    </div>
  );
}

function focusField(id: string): void {
  const el = document.getElementById(id);
  if (!el) return;
  // A container (the captcha): its first control.
  const target = el.matches('input, select, textarea, button, a[href]')
    ? el
    : (el.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea, button') ?? el);
  target.focus();
  target.scrollIntoView({ block: 'center' });
}

interface ErrorSummaryProps {
  error: ApiError | null;
  /** API field name -> id of the element to focus for it. */
  fields?: Record<string, string>;
  title?: string;
  children?: ComponentChildren;
}

/**
 * The answer's French `detail`, and each invalid field as a link to it.
 * Takes the focus each time a new error arrives.
 */
export function ErrorSummary({ error, fields = {}, title, children }: ErrorSummaryProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) box.current?.focus();
  }, [error]);
  if (!error) return null;
  const listed = error.errors.filter((e) => fields[e.field] !== undefined || e.message !== error.detail);
  const detailRepeated = listed.length === 1 && listed[0]?.message === error.detail;
  return (
    <div ref={box} class="notice notice--error error-summary" role="alert" tabIndex={-1} id="erreurs">
      {title && <h2 class="notice__title">{title}</h2>}
      {!detailRepeated && (
        <p>
          <strong>{error.detail}</strong>
        </p>
      )}
      {listed.length > 0 && (
        <ul>
          {listed.map((e) => {
            const target = fields[e.field];
            return (
              <li key={e.field + e.code}>
                {target ? (
                  <a
                    href={`#${target}`}
                    onClick={(ev) => {
                      ev.preventDefault();
                      focusField(target);
                    }}
                  >
                    {e.message}
                  </a>
                ) : (
                  e.message
                )}
              </li>
            );
          })}
        </ul>
      )}
      {children}
    </div>
  );
}

export function SubmitButton({ busy, children, busyText = 'Envoi en cours…' }: { busy: boolean; children: ComponentChildren; busyText?: string }) {
  return (
    <button type="submit" class="button" aria-disabled={busy ? 'true' : undefined}>
      {busy ? busyText : children}
    </button>
  );
}

/**
 * A form's sending state: `run` calls the API once at a time, keeps the
 * error to show, and hands the answer to `done`.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const running = useRef(false);
  async function run<T>(action: () => Promise<T>, done: (result: T) => void, failed?: (e: ApiError) => void): Promise<void> {
    if (running.current) return;
    running.current = true;
    setBusy(true);
    try {
      const result = await action();
      setError(null);
      done(result);
    } catch (e) {
      const err = asApiError(e);
      setError(err);
      failed?.(err);
    } finally {
      running.current = false;
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
