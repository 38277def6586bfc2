/**
 * The confirmation a click on the planning opens: "Demander une
 * réservation", "Déclarer une absence" or, on a full day, "Demander une
 * place en liste d'attente", for one child, activity and day.
 * A modal `<dialog>` (the rest of the page is inert, Escape closes it, the
 * focus goes back to the planning). It offers only the requests the
 * planning says the rules allow now (`actions`), with the deadline in
 * words; with none, it says why and offers no confirmation. The server
 * has the last word: its refusal is shown here, and a full day offers the
 * waiting list. A request recorded despite a missing mandatory supporting
 * document (an activity that only warns) says so here before closing.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { type ApiError, type Schemas, asApiError, parent } from '../api';
import { type Day, longDay } from '../dates';
import { describedBy } from '../ui/form';
import { type Kind, type Slot, type Submitted, stateLabel, uuid } from './model';
import { TimingIcon } from './state-icon';

export interface DialogTarget {
  date: Day;
  slot: Slot;
  childName: string;
}

/** A request the planning allows on the day. */
type Action = Schemas['DayAction'];

const TITLES: Record<Action, string> = {
  reservation: 'Demander une réservation',
  absence: 'Déclarer une absence',
  waiting_list: "Demander une place en liste d'attente",
};

/** What a click proposes first: the first request the rules allow now (none: the day says why). */
export function defaultAction(slot: Slot): Action | null {
  return slot.actions?.[0] ?? null;
}

interface Props {
  target: DialogTarget;
  familyId: string;
  /** Closed: with the answer when a request was recorded. */
  onClose: (done: { kind: Kind; answer: Submitted } | null) => void;
}

export function RequestDialog({ target, familyId, onClose }: Props) {
  const dialog = useRef<HTMLDialogElement>(null);
  const alertBox = useRef<HTMLDivElement>(null);
  const allowed = target.slot.actions ?? [];
  const [action, setAction] = useState<Action | null>(defaultAction(target.slot));
  const kind: Kind | null = action === null ? null : action === 'absence' ? 'absence' : 'reservation';
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  // Recorded, with warnings to read before closing.
  const [recorded, setRecorded] = useState<{ kind: Kind; answer: Submitted } | null>(null);
  const recordedBox = useRef<HTMLDivElement>(null);
  // One key per confirmation; kept when the same request is sent again
  // after a failure of the network or the server, new when it changes.
  const key = useRef<{ body: string; value: string; spent: boolean } | null>(null);
  const { slot, date } = target;

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (!d.open) d.showModal();
    (d.querySelector<HTMLElement>('input[type="radio"]:checked') ?? d.querySelector<HTMLElement>('.actions .button'))?.focus();
    return () => {
      if (d.open) d.close();
    };
  }, []);

  useEffect(() => {
    if (error) alertBox.current?.focus();
  }, [error]);

  useEffect(() => {
    if (recorded) recordedBox.current?.focus();
  }, [recorded]);

  async function send(waitingList: boolean) {
    if (busy || !kind) return;
    const body: Schemas['Submission'] = { kind, child_id: slot.child_id, activity_id: slot.activity_id, dates: [date] };
    if (kind === 'absence' && reason.trim() !== '') body['reason'] = reason.trim();
    if (waitingList || action === 'waiting_list') body['waiting_list'] = true;
    const text = JSON.stringify(body);
    if (!key.current || key.current.body !== text || key.current.spent) key.current = { body: text, value: uuid(), spent: false };
    setBusy(true);
    try {
      const answer = await parent.submit(familyId, body, key.current.value);
      if (answer.warnings?.length) setRecorded({ kind, answer });
      else onClose({ kind, answer });
    } catch (e) {
      const err = asApiError(e);
      // A definite answer spends the key; a network or server failure keeps it for the retry.
      if (err.status >= 400 && err.status < 500) key.current.spent = true;
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  if (recorded) {
    const warnings = recorded.answer.warnings ?? [];
    return (
      <dialog
        ref={dialog}
        class="dialog"
        aria-labelledby="demande-titre"
        onCancel={(e) => {
          e.preventDefault();
          onClose(recorded);
        }}
      >
        <h2 id="demande-titre">Demande enregistrée</h2>
        <div ref={recordedBox} class="notice" role="status" tabIndex={-1}>
          <p>
            <strong>
              Votre demande pour {target.childName}, {slot.activity}, le {longDay(date)}, est enregistrée. Attention :
            </strong>
          </p>
          <ul>
            {warnings.map((w) => (
              <li key={w.type_id}>{w.message}</li>
            ))}
          </ul>
        </div>
        <div class="actions">
          <button type="button" class="button" onClick={() => onClose(recorded)}>
            Fermer
          </button>
        </div>
      </dialog>
    );
  }

  const title = action ? TITLES[action] : 'Aucune demande possible ce jour';
  // Why nothing is possible; past its deadline, the deadline line says it.
  const showDeadline = !!slot.deadline && slot.timing !== 'past';
  const why = action === null && !(slot.timing === 'deadline_passed' && slot.deadline) ? slot.reason : null;
  const full = error?.code === 'full' || error?.errors.some((e) => e.code === 'full');
  const dayMessage = error?.errors.find((e) => e.field === date)?.message;
  return (
    <dialog
      ref={dialog}
      class="dialog"
      aria-labelledby="demande-titre"
      aria-describedby={describedBy('demande-resume', action === null && (why ? 'demande-raison-refus' : showDeadline && 'demande-delai'))}
      onCancel={(e) => {
        e.preventDefault();
        onClose(null);
      }}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          void send(false);
        }}
        noValidate
        aria-busy={busy ? 'true' : undefined}
      >
        <h2 id="demande-titre">{title}</h2>
        <dl class="facts" id="demande-resume">
          <dt>Enfant</dt>
          <dd>{target.childName}</dd>
          <dt>Activité</dt>
          <dd>
            {slot.activity} ({slot.start} - {slot.end}), {slot.establishment}
          </dd>
          <dt>Jour</dt>
          <dd>{longDay(date)}</dd>
          <dt>État actuel</dt>
          <dd>{stateLabel(slot)}</dd>
        </dl>
        {slot.request_id && ['reservation_requested', 'absence_requested', 'waiting_list'].includes(slot.state) && (
          <p>
            Une demande est déjà en cours pour ce jour. <a href={`/mes-demandes/${encodeURIComponent(slot.request_id)}`}>Voir la demande</a>
          </p>
        )}
        {showDeadline && (
          <p id="demande-delai" class="dialog__deadline">
            <TimingIcon timing={slot.timing} />
            {slot.deadline}
          </p>
        )}
        {why && (
          <p id="demande-raison-refus">
            <strong>{why}</strong>
          </p>
        )}
        {action === 'waiting_list' && <p>L'activité est complète ce jour : votre enfant sera inscrit sur la liste d'attente, et la place lui sera proposée si elle se libère.</p>}
        {allowed.length > 1 && (
          <fieldset class="field">
            <legend>Type de demande</legend>
            <div class="choices">
              {allowed.map((k) => (
                <div class="choice" key={k}>
                  <input
                    type="radio"
                    id={`demande-${k}`}
                    name="type-demande"
                    checked={action === k}
                    onChange={() => {
                      setAction(k);
                      setError(null);
                    }}
                  />
                  <label for={`demande-${k}`}>{TITLES[k]}</label>
                </div>
              ))}
            </div>
          </fieldset>
        )}
        {kind === 'absence' && (
          <div class="field">
            <label for="demande-raison">Raison</label>
            <p class="hint" id="demande-raison-aide">
              Facultative (exemple : malade).
            </p>
            <input id="demande-raison" type="text" value={reason} maxLength={200} onInput={(e) => setReason(e.currentTarget.value)} aria-describedby={describedBy('demande-raison-aide')} />
          </div>
        )}
        {error && (
          <div ref={alertBox} class="notice notice--error" role="alert" tabIndex={-1}>
            <p>
              <strong>{dayMessage ?? error.detail}</strong>
            </p>
            {full && action === 'reservation' && (
              <p>
                <button type="button" class="button button--secondary" onClick={() => void send(true)} aria-disabled={busy ? 'true' : undefined}>
                  Demander une place en liste d'attente
                </button>
              </p>
            )}
          </div>
        )}
        <p class="visually-hidden" role="status">
          {busy ? 'Envoi de la demande en cours…' : ''}
        </p>
        <div class="actions">
          {kind ? (
            <>
              <button type="submit" class="button" aria-disabled={busy ? 'true' : undefined}>
                {busy ? 'Envoi en cours…' : 'Confirmer la demande'}
              </button>
              <button type="button" class="button button--secondary" onClick={() => onClose(null)}>
                Annuler
              </button>
            </>
          ) : (
            <button type="button" class="button" onClick={() => onClose(null)}>
              Fermer
            </button>
          )}
        </div>
      </form>
    </dialog>
  );
}
