/**
 * The family's credits (« avoirs ») waiting for its next invoice: an
 * issued invoice is never edited; a correction is a credit the next
 * monthly run carries as a negative line, once. Shown on the family's
 * page: the list, « Ajouter un avoir », and removing one not carried yet.
 */
import { useState } from 'preact/hooks';

import { type Schemas, call } from '../api/core';
import type { FieldProblem } from '../api';
import type { Dossier } from '../api/agent';
import { parseTypedDay } from '../dates';
import { ActionError, DateField, ErrorSummary, formErrors, InputField, required, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { euros, parseEuros, shortDate } from './format';
import { Result, TableRegion } from './ui';

type StoredCorrection = Schemas['StoredCorrection'];

const list = (id: string) => call('get', '/api/agent/families/{id}/corrections', { path: { id } });
const add = (id: string, body: Schemas['Correction']) => call('post', '/api/agent/families/{id}/corrections', { path: { id }, body });
const remove = (id: string, correctionId: string) =>
  call('delete', '/api/agent/families/{id}/corrections/{correction_id}', { path: { id, correction_id: correctionId } });
const activities = () => call('get', '/api/agent/activities');

const FIELDS: Record<string, string> = {
  child_id: 'avoir-enfant',
  activity_id: 'avoir-activite',
  day: 'avoir-jour',
  cents: 'avoir-montant',
  reason: 'avoir-motif',
};

export function FamilyCorrections({ d }: { d: Dossier }) {
  const items = useLoad(() => list(d.id), [d.id], { keep: true });
  const acts = useLoad(() => activities(), []);
  const [child, setChild] = useState(d.children.length === 1 ? (d.children[0]?.id ?? '') : '');
  const [activity, setActivity] = useState('');
  const [day, setDay] = useState('');
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const removing = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);
  const childName = (id: string) => d.children.find((c) => c.id === id)?.first_name ?? '';
  const activityName = (id: string) => acts.data?.items.find((a) => a.id === id)?.name ?? '';

  function submit(ev: Event) {
    ev.preventDefault();
    setDone(null);
    const local: FieldProblem[] = [];
    if (!child) local.push(required('child_id', 'Enfant'));
    if (!activity) local.push(required('activity_id', 'Activité'));
    const iso = parseTypedDay(day);
    if (!iso) local.push({ field: 'day', code: 'invalid_date', message: 'Indiquez le jour corrigé au format JJ/MM/AAAA.' });
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0)
      local.push({ field: 'cents', code: 'correction_amount', message: "Le montant de l'avoir est un nombre d'euros positif (exemple\u00a0: 3,25)." });
    if (!reason.trim()) local.push(required('reason', 'Motif'));
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    void run(
      () => add(d.id, { child_id: child, activity_id: activity, day: iso as string, cents: cents as number, reason }),
      (c) => {
        setDone({ text: `Avoir de ${euros(c.cents)} ajouté\u00a0: il figurera sur la prochaine facture de la famille.`, at: Date.now() });
        setDay('');
        setAmount('');
        setReason('');
        void items.reload();
      },
    );
  }

  function drop(c: StoredCorrection) {
    setDone(null);
    void removing.run(
      () => remove(d.id, c.id),
      () => {
        setDone({ text: `Avoir de ${euros(c.cents)} retiré.`, at: Date.now() });
        void items.reload();
      },
    );
  }

  const waiting = items.data?.items;
  return (
    <section class="form-section spaced-small" aria-labelledby="avoirs">
      <h2 id="avoirs">Avoirs en attente</h2>
      <p class="hint">
        Une facture émise ne se modifie pas. Un avoir corrige un jour déjà facturé : il est déduit, une seule fois, de la prochaine facture de la régie de
        l'activité.
      </p>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <ActionError error={removing.error} />
      {items.error ? (
        <LoadFailure error={items.error} />
      ) : !waiting ? (
        <Loading text="Chargement des avoirs…" />
      ) : waiting.length === 0 ? (
        <p>Aucun avoir en attente.</p>
      ) : (
        <TableRegion labelledBy="avoirs-legende">
          <table class="bo-table">
            <caption id="avoirs-legende">Avoirs qui figureront sur la prochaine facture</caption>
            <thead>
              <tr>
                <th scope="col">Jour corrigé</th>
                <th scope="col">Enfant</th>
                <th scope="col">Activité</th>
                <th scope="col">Motif</th>
                <th scope="col">Montant</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {waiting.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{shortDate(c.day)}</th>
                  <td>{childName(c.child_id)}</td>
                  <td>{activityName(c.activity_id)}</td>
                  <td>{c.reason}</td>
                  <td>{euros(c.cents)}</td>
                  <td>
                    <button type="button" class="button button--secondary button--small" onClick={() => drop(c)}>
                      Retirer<span class="visually-hidden"> l'avoir du {shortDate(c.day)}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <h3 id="avoir-titre">Ajouter un avoir</h3>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} aria-labelledby="avoir-titre">
        <ErrorSummary error={error} id="avoir-erreurs" fields={FIELDS} />
        <div class="bo-grid">
          <SelectField
            id="avoir-enfant"
            label="Enfant"
            required
            value={child}
            onValue={setChild}
            empty="Choisissez un enfant"
            options={d.children.map((c) => [c.id, c.first_name] as [string, string])}
            error={err('child_id')}
          />
          <SelectField
            id="avoir-activite"
            label="Activité"
            required
            value={activity}
            onValue={setActivity}
            empty="Choisissez une activité"
            options={(acts.data?.items ?? []).map((a) => [a.id, a.name] as [string, string])}
            error={err('activity_id')}
          />
          <DateField id="avoir-jour" label="Jour corrigé" required value={day} onValue={setDay} error={err('day')} short />
          <InputField autoComplete="off" id="avoir-montant" label="Montant (en euros)" required hint="Exemple : 3,25" inputMode="decimal" value={amount} onValue={setAmount} error={err('cents')} short />
          <InputField autoComplete="off" id="avoir-motif" label="Motif" required hint="Imprimé sur la facture." value={reason} onValue={setReason} error={err('reason')} maxLength={200} />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>Ajouter un avoir</SubmitButton>
        </div>
      </form>
    </section>
  );
}
