/**
 * The accounts linked to a family file, as the commune sees them on
 * `/agent/familles/{id}`: each link can be removed with a reason (a modal
 * dialog with a required "Motif"), and the family's history lists the links
 * that ended (removed by the commune, or left by the family).
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { FAMILY_EVENTS } from '../labels';
import { ErrorSummary, formErrors, required, RequiredNote, TextAreaField, useSubmit } from '../ui/form';
import { type Dossier, type FamilyEvent, agent } from '../api/agent';
import { dateTime } from './format';
import { Result, TableRegion } from './ui';

/** Longest reason the server takes. */
const REASON_MAX = 500;

type Subscriber = NonNullable<Dossier['subscribers']>[number];

interface UnlinkProps {
  familyId: string;
  /** The account whose link is to be removed; null: the dialog is closed. */
  account: Subscriber | null;
  onClose: () => void;
  onDone: (account: Subscriber) => void;
}

/**
 * "Retirer le lien": a modal `<dialog>` (the rest of the page inert, Échap
 * closes it, the focus goes back to the button that opened it). Its errors
 * are the form kit's: a summary that takes the focus, the field's message.
 */
function UnlinkDialog({ familyId, account, onClose, onDone }: UnlinkProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const [reason, setReason] = useState('');
  const { busy, error, setError, run } = useSubmit();

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (account && !d.open) {
      setReason('');
      setError(null);
      d.showModal();
    }
    if (!account && d.open) d.close();
  }, [account]);

  function submit(ev: Event) {
    ev.preventDefault();
    if (!account) return;
    if (!reason.trim()) {
      setError(formErrors([required('reason', 'Motif')]));
      return;
    }
    const target = account;
    void run(
      () => agent.unlink(familyId, target.account_id, reason.trim()),
      () => onDone(target),
    );
  }

  return (
    <dialog ref={ref} id="retirer-lien" class="bo-dialog" aria-labelledby="retirer-lien-titre" aria-describedby="retirer-lien-texte" onClose={onClose}>
      <h2 id="retirer-lien-titre">Retirer le lien avec {account?.email ?? 'ce compte'} ?</h2>
      <p id="retirer-lien-texte">
        Ce compte ne verra plus ce dossier famille ni le planning de ses enfants. Le motif est envoyé par e-mail au compte et gardé dans l'historique du dossier.
      </p>
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={error} id="erreurs-lien" fields={{ reason: 'motif-lien' }} />
        <RequiredNote />
        <TextAreaField
          id="motif-lien"
          label="Motif"
          required
          hint={`Au plus ${REASON_MAX} caractères (${reason.length} / ${REASON_MAX}).`}
          value={reason}
          onValue={setReason}
          maxLength={REASON_MAX}
          error={error?.fieldMessage('reason')}
          rows={4}
        />
        <div class="actions">
          <button type="submit" class="button" aria-disabled={busy ? 'true' : undefined}>
            {busy ? 'Envoi en cours…' : 'Retirer le lien'}
          </button>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Annuler
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** "Comptes reliés": each account with its "Retirer le lien". */
export function LinkedAccounts({ d, onChanged }: { d: Dossier; onChanged: () => Promise<void> }) {
  const subscribers = d.subscribers ?? [];
  const [target, setTarget] = useState<Subscriber | null>(null);
  const [done, setDone] = useState<{ email: string; at: number } | null>(null);

  async function unlinked(account: Subscriber) {
    setTarget(null);
    await onChanged();
    setDone({ email: account.email, at: Date.now() });
  }

  return (
    <section class="spaced-small" aria-labelledby="comptes">
      <h2 id="comptes">Comptes reliés</h2>
      {done && (
        <Result token={done.at}>
          <p>Le compte {done.email} n'est plus relié à ce dossier.</p>
        </Result>
      )}
      {subscribers.length === 0 ? (
        <p>Aucun compte citoyen n'est relié à ce dossier.</p>
      ) : (
        <TableRegion labelledBy="comptes-legende">
          <table class="bo-table">
            <caption id="comptes-legende" class="visually-hidden">
              Comptes citoyens reliés au dossier
            </caption>
            <thead>
              <tr>
                <th scope="col">E-mail du compte</th>
                <th scope="col">Relié le</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {subscribers.map((s) => (
                <tr key={s.account_id}>
                  <td>{s.email}</td>
                  <td>{dateTime(s.linked_at)}</td>
                  <td>
                    <button type="button" class="button button--secondary button--small" onClick={() => setTarget(s)}>
                      Retirer le lien<span class="visually-hidden"> avec {s.email}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <UnlinkDialog familyId={d.id} account={target} onClose={() => setTarget(null)} onDone={(a) => void unlinked(a)} />
    </section>
  );
}

/** "Historique": the links that ended, newest first. */
export function FamilyHistory({ history }: { history: FamilyEvent[] }) {
  return (
    <section class="spaced-small" aria-labelledby="historique-dossier">
      <h2 id="historique-dossier">Historique</h2>
      {history.length === 0 ? (
        <p>Aucun événement.</p>
      ) : (
        <TableRegion labelledBy="historique-legende">
          <table class="bo-table">
            <caption id="historique-legende" class="visually-hidden">
              Historique du dossier, du plus récent au plus ancien
            </caption>
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Événement</th>
                <th scope="col">Compte</th>
                <th scope="col">Par</th>
                <th scope="col">Motif</th>
              </tr>
            </thead>
            <tbody>
              {history.map((e) => (
                <tr key={e.id}>
                  <td>{dateTime(e.at)}</td>
                  <td>{FAMILY_EVENTS[e.kind] ?? e.kind}</td>
                  <td>{e.account_email}</td>
                  <td>{e.by_name}</td>
                  <td>{e.reason?.trim() ? e.reason : <span class="bo-muted">Aucun</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}
