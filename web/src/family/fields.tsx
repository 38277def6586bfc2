/**
 * Fields of the dossier forms: ui/form's pattern (label, hint, error tied
 * by `aria-describedby`, `aria-invalid`) plus the pending value the
 * commune has not validated yet, shown beside the current one.
 */
import type { ComponentChildren } from 'preact';

import { FieldError, Req, describedBy, errorId, hintId } from '../ui/form';
import { PendingNote, pendingId } from './ui';

interface Common {
  id: string;
  label: ComponentChildren;
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | undefined;
  /** The value waiting for the commune, as text. */
  pending?: string | undefined;
}

function wrapClass(error: string | undefined, extra = ''): string {
  return `field${error ? ' field--error' : ''}${extra ? ` ${extra}` : ''}`;
}

const described = (p: Common) =>
  describedBy(p.hint ? hintId(p.id) : null, p.pending !== undefined ? pendingId(p.id) : null, p.error ? errorId(p.id) : null);

interface InputProps extends Common {
  value: string;
  onValue: (v: string) => void;
  type?: 'text' | 'email' | 'tel' | 'date' | 'number';
  autoComplete?: string;
  inputMode?: 'text' | 'numeric' | 'decimal' | 'tel' | 'email';
  maxLength?: number;
  spellcheck?: boolean;
  class?: string;
}

export function InputField(p: InputProps) {
  return (
    <div class={wrapClass(p.error, p.class)}>
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
      <input
        id={p.id}
        name={p.id}
        type={(p.type ?? 'text') as 'text'}
        value={p.value}
        onInput={(e) => p.onValue(e.currentTarget.value)}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(p)}
        autoComplete={p.autoComplete}
        inputMode={p.inputMode}
        maxLength={p.maxLength}
        spellcheck={p.spellcheck}
      />
      {p.pending !== undefined && <PendingNote id={p.id} value={p.pending} />}
    </div>
  );
}

/** A day typed the French way (JJ/MM/AAAA): predictable in every browser and language. */
export function DateField(p: Omit<InputProps, 'type' | 'inputMode'>) {
  return <InputField {...p} hint={p.hint ?? 'Format : JJ/MM/AAAA'} autoComplete={p.autoComplete ?? 'off'} maxLength={10} spellcheck={false} />;
}

interface SelectProps extends Common {
  value: string;
  onValue: (v: string) => void;
  options: Record<string, string>;
  /** The empty choice's text, when the value may be unset. */
  empty?: string;
}

export function SelectField(p: SelectProps) {
  return (
    <div class={wrapClass(p.error)}>
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
      <select
        id={p.id}
        name={p.id}
        value={p.value}
        onChange={(e) => p.onValue(e.currentTarget.value)}
        required={p.required}
        aria-invalid={p.error ? 'true' : undefined}
        aria-describedby={described(p)}
      >
        {p.empty !== undefined && <option value="">{p.empty}</option>}
        {Object.entries(p.options).map(([code, label]) => (
          <option key={code} value={code}>
            {label}
          </option>
        ))}
      </select>
      {p.pending !== undefined && <PendingNote id={p.id} value={p.pending} />}
    </div>
  );
}

interface CheckProps extends Common {
  checked: boolean;
  onChecked: (v: boolean) => void;
}

export function CheckField(p: CheckProps) {
  return (
    <div class={wrapClass(p.error)}>
      <FieldError id={p.id} message={p.error} />
      <div class="choice">
        <input
          type="checkbox"
          id={p.id}
          name={p.id}
          checked={p.checked}
          onChange={(e) => p.onChecked(e.currentTarget.checked)}
          aria-invalid={p.error ? 'true' : undefined}
          aria-describedby={described(p)}
        />
        <label for={p.id}>{p.label}</label>
      </div>
      {p.hint && (
        <p class="hint" id={hintId(p.id)}>
          {p.hint}
        </p>
      )}
      {p.pending !== undefined && <PendingNote id={p.id} value={p.pending} />}
    </div>
  );
}

interface RadiosProps extends Common {
  value: string;
  onValue: (v: string) => void;
  options: Record<string, string>;
}

/** Radio buttons in a fieldset; the first one carries the id (error links lead there). */
export function RadioField(p: RadiosProps) {
  return (
    <div class={wrapClass(p.error)}>
      <fieldset aria-describedby={described(p)}>
        <legend>
          {p.label}
          {p.required && <Req />}
        </legend>
        {p.hint && (
          <p class="hint" id={hintId(p.id)}>
            {p.hint}
          </p>
        )}
        <FieldError id={p.id} message={p.error} />
        <div class="choices">
          {Object.entries(p.options).map(([code, label], i) => (
            <div class="choice" key={code}>
              <input
                type="radio"
                id={i === 0 ? p.id : `${p.id}-${code}`}
                name={p.id}
                value={code}
                checked={p.value === code}
                onChange={() => p.onValue(code)}
                aria-invalid={p.error ? 'true' : undefined}
              />
              <label for={i === 0 ? p.id : `${p.id}-${code}`}>{label}</label>
            </div>
          ))}
        </div>
      </fieldset>
      {p.pending !== undefined && <PendingNote id={p.id} value={p.pending} />}
    </div>
  );
}
