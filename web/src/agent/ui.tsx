/**
 * Pieces shared by the back-office pages: the page frame, loading, fields
 * the parents' form kit has no use for (dates, times, numbers, lists, long
 * texts), scrollable tables, confirmation dialogs and focused notices.
 * Same conventions as ../ui/form: label, hint, error tied by
 * `aria-describedby`, `aria-invalid`, French text.
 */
import type { ComponentChildren } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

import { ApiError, type FieldProblem, asApiError } from '../api';
import { location } from '../router';
import { FieldError, Req, describedBy, errorId, hintId } from '../ui/form';
import { Page } from '../ui/page';

export interface Crumb {
  href?: string;
  label: string;
}

interface AgentPageProps {
  title: string;
  documentTitle?: string;
  error?: boolean;
  /** Below "Back-office". */
  crumbs?: Crumb[];
  children?: ComponentChildren;
}

/** A back-office page: its breadcrumb starts at the back-office home. */
export function AgentPage({ title, documentTitle, error, crumbs = [], children }: AgentPageProps) {
  const breadcrumb = crumbs.length ? [{ href: '/agent', label: 'Back-office' }, ...crumbs] : [{ label: 'Back-office' }];
  return (
    <div class="bo">
      <Page title={title} documentTitle={documentTitle} error={error} breadcrumb={breadcrumb}>
        {children}
      </Page>
    </div>
  );
}

// ---- loading ------------------------------------------------------------------

export interface Loaded<T> {
  data: T | null;
  error: ApiError | null;
  loading: boolean;
  reload: () => Promise<void>;
  setData: (d: T) => void;
}

/** Loads once, then on `reload()`; keeps the shown data while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data: T | null; error: ApiError | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const seq = useRef(0);
  const reload = useCallback(async () => {
    const n = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await load();
      if (n === seq.current) setState({ data, error: null, loading: false });
    } catch (e) {
      if (n === seq.current) setState({ data: null, error: asApiError(e), loading: false });
    }
  }, deps);
  useEffect(() => {
    void reload();
    return () => void (seq.current += 1);
  }, [reload]);
  const setData = useCallback((data: T) => setState({ data, error: null, loading: false }), []);
  return { ...state, reload, setData };
}

export function Loading({ what = 'Chargement…' }: { what?: string }) {
  return (
    <p class="status" role="status">
      {what}
    </p>
  );
}

/** Why a page could not load, with the way out. */
export function LoadFailure({ error, notFound, back }: { error: ApiError; notFound?: string; back?: Crumb }) {
  const here = location();
  const retour = encodeURIComponent(here.path + (here.query.toString() ? `?${here.query}` : ''));
  let body: ComponentChildren;
  if (error.status === 401) {
    body = (
      <p>
        Votre session a expiré. <a href={`/connexion?retour=${retour}`}>Reconnectez-vous</a> pour continuer.
      </p>
    );
  } else if (error.status === 403) {
    body = <p>{error.detail || 'Cette page est réservée aux agents de la collectivité.'}</p>;
  } else if (error.status === 404) {
    body = <p>{notFound ?? "L'élément demandé n'existe pas."}</p>;
  } else {
    body = <p>{error.detail}</p>;
  }
  return (
    <div class="notice notice--error" role="alert">
      {body}
      {back?.href && (
        <p>
          <a href={back.href}>{back.label}</a>
        </p>
      )}
    </div>
  );
}

// ---- fields -------------------------------------------------------------------

interface BaseField {
  id: string;
  label: ComponentChildren;
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | undefined;
  class?: string;
}

function aria(p: BaseField) {
  return {
    id: p.id,
    name: p.id,
    required: p.required,
    'aria-invalid': p.error ? ('true' as const) : undefined,
    'aria-describedby': describedBy(p.hint ? hintId(p.id) : null, p.error ? errorId(p.id) : null),
  };
}

function Frame({ p, children }: { p: BaseField; children: ComponentChildren }) {
  return (
    <div class={`field${p.error ? ' field--error' : ''}${p.class ? ` ${p.class}` : ''}`}>
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
      {children}
    </div>
  );
}

interface InputProps extends BaseField {
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'email' | 'tel' | 'date' | 'time' | 'search';
  autoComplete?: string;
  inputMode?: 'numeric' | 'decimal' | 'text' | 'tel' | 'email';
  maxLength?: number;
  min?: string;
  max?: string;
  spellcheck?: boolean;
  /** A short field (codes, amounts, dates). */
  short?: boolean;
}

export function Input(p: InputProps) {
  return (
    <Frame p={p}>
      <input
        {...aria(p)}
        type={(p.type ?? 'text') as 'text'}
        class={p.short ? 'input--short' : undefined}
        value={p.value}
        onInput={(e) => p.onValue(e.currentTarget.value)}
        autoComplete={p.autoComplete ?? 'off'}
        inputMode={p.inputMode}
        maxLength={p.maxLength}
        min={p.min}
        max={p.max}
        spellcheck={p.spellcheck}
      />
    </Frame>
  );
}

interface SelectProps extends BaseField {
  value: string;
  onValue: (v: string) => void;
  options: [string, string][];
  /** The first, empty choice ("Tous les types"). */
  empty?: string;
}

export function Select(p: SelectProps) {
  return (
    <Frame p={p}>
      <select {...aria(p)} value={p.value} onChange={(e) => p.onValue(e.currentTarget.value)}>
        {p.empty !== undefined && <option value="">{p.empty}</option>}
        {p.options.map(([v, l]) => (
          <option key={v} value={v}>
            {l}
          </option>
        ))}
      </select>
    </Frame>
  );
}

interface TextAreaProps extends BaseField {
  value: string;
  onValue: (v: string) => void;
  rows?: number;
  maxLength?: number;
}

export function TextArea(p: TextAreaProps) {
  return (
    <Frame p={p}>
      <textarea {...aria(p)} rows={p.rows ?? 3} maxLength={p.maxLength} value={p.value} onInput={(e) => p.onValue(e.currentTarget.value)} />
    </Frame>
  );
}

/** Radio buttons or checkboxes under one legend. */
export function Choices<V extends string>(p: {
  id: string;
  legend: ComponentChildren;
  type: 'radio' | 'checkbox';
  options: [V, string][];
  checked: (v: V) => boolean;
  onToggle: (v: V, on: boolean) => void;
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | undefined;
  inline?: boolean;
}) {
  return (
    <div class={`field${p.error ? ' field--error' : ''}`}>
      <fieldset aria-describedby={describedBy(p.hint ? hintId(p.id) : null, p.error ? errorId(p.id) : null)}>
        <legend>
          {p.legend}
          {p.required && <Req />}
        </legend>
        {p.hint && (
          <p class="hint" id={hintId(p.id)}>
            {p.hint}
          </p>
        )}
        <FieldError id={p.id} message={p.error} />
        <div class={p.inline === false ? 'bo-choices-stacked' : 'choices'}>
          {p.options.map(([v, l], i) => (
            <div class="choice" key={v}>
              <input
                type={p.type}
                // The first choice carries the group's id: the error summary leads there.
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
    </div>
  );
}

// ---- errors found before sending ------------------------------------------------

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
  message: `Le champ « ${what} » est obligatoire.`,
});

// ---- tables ---------------------------------------------------------------------

/**
 * A table that may be wider than a phone: it scrolls inside a labelled,
 * focusable region, not the page.
 */
export function TableRegion({ labelledBy, children }: { labelledBy: string; children: ComponentChildren }) {
  return (
    <div class="bo-table-scroll" role="region" aria-labelledby={labelledBy} tabIndex={0}>
      {children}
    </div>
  );
}

// ---- confirmation -----------------------------------------------------------------

interface ConfirmProps {
  id: string;
  open: boolean;
  title: string;
  confirm: string;
  onConfirm: () => void;
  onClose: () => void;
  children: ComponentChildren;
}

/** A modal dialog (native `<dialog>`: focus kept inside, Échap closes). */
export function ConfirmDialog({ id, open, title, confirm, onConfirm, onClose, children }: ConfirmProps) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} id={id} class="bo-dialog" aria-labelledby={`${id}-titre`} aria-describedby={`${id}-texte`} onClose={onClose}>
      <h2 id={`${id}-titre`}>{title}</h2>
      <div id={`${id}-texte`}>{children}</div>
      <div class="actions">
        <button type="button" class="button" onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" class="button button--secondary" onClick={onClose}>
          Annuler
        </button>
      </div>
    </dialog>
  );
}

// ---- results --------------------------------------------------------------------

/** A message that takes the focus when it appears or changes (results of an action). */
export function Result({ kind = 'success', children, token }: { kind?: 'success' | 'info'; children: ComponentChildren; token: unknown }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, [token]);
  return (
    <div ref={box} class={`notice${kind === 'success' ? ' notice--success' : ''}`} role="status" tabIndex={-1}>
      {children}
    </div>
  );
}

/** "État : En attente", in words and with a mark (colour never alone). */
export function StateBadge({ state, text }: { state: string; text: string }) {
  // Marks every font has; the words carry the meaning.
  const marks: Record<string, string> = { accepted: '✓', refused: '✗', cancelled: '–' };
  const mark = marks[state];
  return (
    <span class={`bo-badge bo-badge--${state}`}>
      {mark && <span aria-hidden="true">{mark} </span>}
      {text}
    </span>
  );
}

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

function focusField(id: string): void {
  const el = document.getElementById(id);
  if (!el) return;
  const target = el.matches('input, select, textarea, button, a[href]')
    ? el
    : (el.querySelector<HTMLElement>('input:not([type="hidden"]), select, textarea, button') ?? el);
  target.focus();
  target.scrollIntoView({ block: 'center' });
}

/**
 * The error summary of ../ui/form (the answer's French `detail`, each
 * invalid field as a link to it, focused when a new error arrives), with
 * its own id: a back-office page may hold several forms.
 */
export function FormErrors({ id = 'erreurs', error, fields = {} }: { id?: string; error: ApiError | null; fields?: Record<string, string> }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) box.current?.focus();
  }, [error]);
  if (!error) return null;
  const listed = error.errors.filter((e) => fields[e.field] !== undefined || e.message !== error.detail);
  const detailRepeated = listed.length === 1 && listed[0]?.message === error.detail;
  return (
    <div ref={box} class="notice notice--error error-summary" role="alert" tabIndex={-1} id={id}>
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
    </div>
  );
}
