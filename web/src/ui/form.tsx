/**
 * Form pieces shared by every page, the parents' and the back-office's:
 * fields with their label, hint, error and pending value (linked by
 * `aria-describedby`, flagged by `aria-invalid`), the error summary that
 * takes the focus, and the submit button.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError, type FieldProblem, asApiError } from '../api';
import { PendingNote, pendingId } from './pending';

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
      <span class="visually-hidden">Erreur : </span>
      {message}
    </p>
  );
}

// ---- fields -----------------------------------------------------------------

/** What every field has: its label, hint, error and, in the family space, the value waiting for the commune. */
interface FieldProps {
  id: string;
  label: ComponentChildren;
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | undefined;
  /** The value waiting for the commune, as text ("Modification en attente de validation"). */
  pending?: string | undefined;
  /** A class for the field's box, beside `field`. */
  class?: string;
  /** Ids of other elements describing the field. */
  extraDescribedBy?: string;
}

const boxClass = (p: { error?: string | undefined; class?: string }) => `field${p.error ? ' field--error' : ''}${p.class ? ` ${p.class}` : ''}`;

/** `aria-describedby` of a field: its hint, other describing elements, its pending value, its error. */
const described = (p: FieldProps) =>
  describedBy(p.hint ? hintId(p.id) : null, p.extraDescribedBy, p.pending !== undefined ? pendingId(p.id) : null, p.error ? errorId(p.id) : null);

/** The attributes a control shares with its label, hint and error. */
function control(p: FieldProps) {
  return {
    id: p.id,
    name: p.id,
    required: p.required,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': described(p),
  };
}

function Hint({ p }: { p: FieldProps }) {
  return p.hint ? (
    <p class="hint" id={hintId(p.id)}>
      {p.hint}
    </p>
  ) : null;
}

function Pending({ p }: { p: FieldProps }) {
  return p.pending !== undefined ? <PendingNote id={p.id} value={p.pending} /> : null;
}

/** Label, hint, error, the control, then the pending value. */
function Field({ p, children }: { p: FieldProps; children: ComponentChildren }) {
  return (
    <div class={boxClass(p)}>
      <label for={p.id}>
        {p.label}
        {p.required && <Req />}
      </label>
      <Hint p={p} />
      <FieldError id={p.id} message={p.error} />
      {children}
      <Pending p={p} />
    </div>
  );
}

interface InputFieldProps extends FieldProps {
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'email' | 'password' | 'tel' | 'date' | 'time' | 'search' | 'number';
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'decimal' | 'tel' | 'email';
  maxLength?: number;
  min?: string;
  max?: string;
  spellcheck?: boolean;
  /** A short input (codes, amounts, dates). */
  short?: boolean;
  /** A button after the input (show the password). */
  after?: ComponentChildren;
}

export function InputField(p: InputFieldProps) {
  const input = (
    <input
      {...control(p)}
      // Preact types each input type apart; these take the same attributes.
      type={(p.type ?? 'text') as 'text'}
      class={p.short ? 'input--short' : undefined}
      value={p.value}
      onInput={(e) => p.onValue(e.currentTarget.value)}
      autoComplete={p.autoComplete}
      inputMode={p.inputMode}
      maxLength={p.maxLength}
      min={p.min}
      max={p.max}
      spellcheck={p.spellcheck}
    />
  );
  return (
    <Field p={p}>
      {p.after ? (
        <div class="password-wrap">
          {input}
          {p.after}
        </div>
      ) : (
        input
      )}
    </Field>
  );
}

/** A day typed the French way (JJ/MM/AAAA): predictable in every browser and language. */
export function DateField(p: Omit<InputFieldProps, 'type' | 'inputMode'>) {
  return <InputField {...p} hint={p.hint ?? 'Format : JJ/MM/AAAA'} autoComplete={p.autoComplete ?? 'off'} maxLength={10} spellcheck={false} />;
}

type PasswordFieldProps = Omit<InputFieldProps, 'type' | 'after'> & {
  /** What the show/hide button shows, for screen readers: "le mot de passe". */
  what: string;
};

/** A password field with a button to show what was typed. */
export function PasswordField(p: PasswordFieldProps) {
  const [shown, setShown] = useState(false);
  const { what, ...rest } = p;
  return (
    <InputField
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

interface SelectFieldProps extends FieldProps {
  value: string;
  onValue: (v: string) => void;
  /** Code -> text, in order. */
  options: Record<string, string> | [string, string][];
  /** The first, empty choice ("Tous les types"), when the value may be unset. */
  empty?: string;
}

export function SelectField(p: SelectFieldProps) {
  const options = Array.isArray(p.options) ? p.options : Object.entries(p.options);
  return (
    <Field p={p}>
      <select {...control(p)} value={p.value} onChange={(e) => p.onValue(e.currentTarget.value)}>
        {p.empty !== undefined && <option value="">{p.empty}</option>}
        {options.map(([code, label]) => (
          <option key={code} value={code}>
            {label}
          </option>
        ))}
      </select>
    </Field>
  );
}

interface TextAreaFieldProps extends FieldProps {
  value: string;
  onValue: (v: string) => void;
  rows?: number;
  maxLength?: number;
}

export function TextAreaField(p: TextAreaFieldProps) {
  return (
    <Field p={p}>
      <textarea {...control(p)} rows={p.rows ?? 3} maxLength={p.maxLength} value={p.value} onInput={(e) => p.onValue(e.currentTarget.value)} />
    </Field>
  );
}

interface CheckboxProps extends FieldProps {
  checked: boolean;
  onChecked: (v: boolean) => void;
}

/** One checkbox, its label after it; the hint and the pending value below. */
export function Checkbox(p: CheckboxProps) {
  return (
    <div class={boxClass(p)}>
      <FieldError id={p.id} message={p.error} />
      <div class="choice">
        <input type="checkbox" {...control(p)} checked={p.checked} onChange={(e) => p.onChecked(e.currentTarget.checked)} />
        <label for={p.id}>
          {p.label}
          {p.required && <Req />}
        </label>
      </div>
      <Hint p={p} />
      <Pending p={p} />
    </div>
  );
}

interface ChoicesProps<V extends string> extends Omit<FieldProps, 'label'> {
  legend: ComponentChildren;
  type: 'radio' | 'checkbox';
  options: [V, string][];
  checked: (v: V) => boolean;
  onToggle: (v: V, on: boolean) => void;
  /** Side by side (the default), or one under the other. */
  inline?: boolean;
}

/** Radio buttons or checkboxes under one legend; the first one carries the group's id (error links lead there). */
export function Choices<V extends string>(p: ChoicesProps<V>) {
  const ids = { ...p, label: p.legend };
  return (
    <div class={boxClass(p)}>
      <fieldset aria-describedby={described(ids)}>
        <legend>
          {p.legend}
          {p.required && <Req />}
        </legend>
        <Hint p={ids} />
        <FieldError id={p.id} message={p.error} />
        <div class={p.inline === false ? 'bo-choices-stacked' : 'choices'}>
          {p.options.map(([v, l], i) => (
            <div class="choice" key={v}>
              <input
                type={p.type}
                id={i === 0 ? p.id : `${p.id}-${v}`}
                name={p.id}
                value={v}
                checked={p.checked(v)}
                onChange={(e) => p.onToggle(v, e.currentTarget.checked)}
                aria-invalid={p.error ? 'true' : undefined}
              />
              <label for={i === 0 ? p.id : `${p.id}-${v}`}>{l}</label>
            </div>
          ))}
        </div>
      </fieldset>
      <Pending p={ids} />
    </div>
  );
}

// ---- errors ----------------------------------------------------------------

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
  /** Its id (a back-office page may hold several forms). */
  id?: string;
  /** API field name -> id of the element to focus for it. */
  fields?: Record<string, string>;
  title?: string;
  children?: ComponentChildren;
}

/**
 * The answer's French `detail`, and each invalid field as a link to it.
 * Takes the focus each time a new error arrives.
 */
export function ErrorSummary({ error, id = 'erreurs', fields = {}, title, children }: ErrorSummaryProps) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) box.current?.focus();
  }, [error]);
  if (!error) return null;
  const listed = error.errors.filter((e) => fields[e.field] !== undefined || e.message !== error.detail);
  const detailRepeated = listed.length === 1 && listed[0]?.message === error.detail;
  return (
    <div ref={box} class="notice notice--error error-summary" role="alert" tabIndex={-1} id={id}>
      {title && <h2 class="notice__title">{title}</h2>}
      {!detailRepeated && (
        <p>
          <strong>{error.detail}</strong>
        </p>
      )}
      {listed.length > 0 && (
        <ul>
          {listed.map((e, i) => {
            const target = fields[e.field];
            return (
              <li key={`${e.field}-${e.code}-${i}`}>
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

/** Field errors found in the browser, shown like the server's. */
export function formErrors(errors: FieldProblem[]): ApiError | null {
  if (!errors.length) return null;
  const first = errors[0] as FieldProblem;
  const detail = errors.length === 1 ? first.message : `${errors.length} champs sont à corriger.`;
  return new ApiError(422, first.code || 'invalid', detail, errors);
}

export const required = (field: string, what: string): FieldProblem => ({
  field,
  code: 'required',
  message: `Le champ « ${what} » est obligatoire.`,
});

/** An action's failure with no field to point at: said at once, focused. */
export function ActionError({ error }: { error: ApiError | null }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) box.current?.focus();
  }, [error]);
  if (!error) return null;
  return (
    <div ref={box} class="notice notice--error" role="alert" tabIndex={-1}>
      <p>
        <strong>{error.detail}</strong>
      </p>
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
