/**
 * "Quotient familial" on the agents' family page: the family's quotients
 * (from the dossier once the commune validated its fiscal information, or
 * set by an agent from an attestation), each with its dates and origin;
 * the agent's can be added and removed. And where the family lives for
 * billing: from the address, in the commune, or outside.
 */
import { useState } from 'preact/hooks';

import { type Quotient, type QuotientsView, invoicingSettings } from '../api/invoicing-settings';
import type { FieldProblem } from '../api';
import { Choices, ErrorSummary, InputField, SubmitButton, formErrors, required, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { shortDate } from './format';
import { Result, TableRegion } from './ui';

type Residence = 'address' | 'in' | 'out';

const RESIDENCES: [Residence, string][] = [
  ['address', "D'après l'adresse"],
  ['in', 'Dans la commune'],
  ['out', 'Hors commune'],
];

const residenceOf = (r: boolean | null | undefined): Residence => (r == null ? 'address' : r ? 'in' : 'out');
const residentOf = (r: Residence): boolean | null => (r === 'address' ? null : r === 'in');

const SOURCES = { dossier: 'Dossier', agent: 'Agent' } as const;

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s);

function today(): string {
  const d = new Date();
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

function stateOf(q: Quotient, day: string): string {
  if (q.valid_until < day) return 'Échu';
  if (q.dated > day) return 'À venir';
  return 'En cours';
}

const agentOnes = (list: Quotient[]) => list.filter((q) => q.source === 'agent').map(({ euros, dated, valid_until }) => ({ euros, dated, valid_until }));

const NEW_FIELDS = (n: number): Record<string, string> => ({
  [`quotients[${n}].euros`]: 'qf-montant',
  [`quotients[${n}].dated`]: 'qf-du',
  [`quotients[${n}].valid_until`]: 'qf-au',
  quotients: 'qf-montant',
});

function QuotientsForm({ familyId, view, onSaved }: { familyId: string; view: QuotientsView; onSaved: (v: QuotientsView) => void }) {
  const [amount, setAmount] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [residence, setResidence] = useState<Residence>(residenceOf(view.resident));
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const add = useSubmit();
  const other = useSubmit();
  const err = (f: string) => add.error?.fieldMessage(f);
  const agents = agentOnes(view.quotients);
  const n = agents.length;
  const day = today();

  function save(body: Parameters<typeof invoicingSettings.saveQuotients>[1], text: string, s: ReturnType<typeof useSubmit>, then?: () => void) {
    void s.run(
      () => invoicingSettings.saveQuotients(familyId, body),
      (answer) => {
        setDone({ text, at: Date.now() });
        then?.();
        onSaved(answer);
      },
    );
  }

  function submitNew(ev: Event) {
    ev.preventDefault();
    setDone(null);
    const local: FieldProblem[] = [];
    const euros = amount.trim();
    if (!/^\d{1,6}$/.test(euros)) local.push({ field: `quotients[${n}].euros`, code: 'invalid_value', message: 'Indiquez le quotient familial, un nombre entier d\'euros.' });
    if (!isDate(from)) local.push(required(`quotients[${n}].dated`, 'Du'));
    if (!isDate(until)) local.push(required(`quotients[${n}].valid_until`, 'Au'));
    if (local.length) {
      add.setError(formErrors(local));
      return;
    }
    save(
      { quotients: [...agents, { euros: Number(euros), dated: from, valid_until: until }], resident: view.resident ?? null, version: view.version },
      `Quotient familial de ${euros} € ajouté.`,
      add,
      () => {
        setAmount('');
        setFrom('');
        setUntil('');
      },
    );
  }

  function remove(q: Quotient) {
    setDone(null);
    const i = view.quotients.filter((x) => x.source === 'agent').indexOf(q);
    const rest = agents.filter((_, k) => k !== i);
    save({ quotients: rest, resident: view.resident ?? null, version: view.version }, `Quotient familial de ${q.euros} € retiré.`, other);
  }

  function saveResidence(ev: Event) {
    ev.preventDefault();
    setDone(null);
    save({ quotients: agents, resident: residentOf(residence), version: view.version }, 'Résidence enregistrée.', other);
  }

  return (
    <>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <ErrorSummary id="qf-erreur-action" error={other.error} />
      {view.quotients.length === 0 ? (
        <p>Aucun quotient familial : le tarif par défaut de chaque activité s'applique.</p>
      ) : (
        <TableRegion labelledBy="qf-legende">
          <table class="bo-table">
            <caption id="qf-legende">Quotients familiaux, du plus récent au plus ancien</caption>
            <thead>
              <tr>
                <th scope="col">Quotient familial</th>
                <th scope="col">Du</th>
                <th scope="col">Au</th>
                <th scope="col">Origine</th>
                <th scope="col">État</th>
                <th scope="col">Action</th>
              </tr>
            </thead>
            <tbody>
              {view.quotients.map((q, i) => (
                <tr key={`${q.source}-${q.dated}-${q.euros}-${i}`}>
                  <th scope="row">{q.euros} €</th>
                  <td>{shortDate(q.dated)}</td>
                  <td>{shortDate(q.valid_until)}</td>
                  <td>{SOURCES[q.source]}</td>
                  <td>{stateOf(q, day)}</td>
                  <td>
                    {q.source === 'agent' ? (
                      <button type="button" class="button button--secondary button--small" onClick={() => remove(q)}>
                        Retirer<span class="visually-hidden"> le quotient de {q.euros} € du {shortDate(q.dated)}</span>
                      </button>
                    ) : (
                      '—'
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}

      <form onSubmit={submitNew} noValidate aria-busy={add.busy ? 'true' : undefined} aria-labelledby="qf-ajout">
        <h3 id="qf-ajout">Ajouter un quotient familial</h3>
        <p class="hint">D'après une attestation (CAF, MSA) : le montant et les jours où il s'applique, fin comprise.</p>
        <ErrorSummary id="qf-erreurs" error={add.error} fields={NEW_FIELDS(n)} />
        <div class="bo-grid">
          <InputField id="qf-montant" label="Quotient familial (en euros)" required inputMode="numeric" value={amount} onValue={setAmount} error={err(`quotients[${n}].euros`) ?? err('quotients')} autoComplete="off" short />
          <InputField id="qf-du" type="date" label="Du" required value={from} onValue={setFrom} error={err(`quotients[${n}].dated`)} autoComplete="off" short />
          <InputField id="qf-au" type="date" label="Au (inclus)" required value={until} onValue={setUntil} error={err(`quotients[${n}].valid_until`)} autoComplete="off" short />
        </div>
        <div class="actions">
          <SubmitButton busy={add.busy}>Ajouter le quotient</SubmitButton>
        </div>
      </form>

      <form onSubmit={saveResidence} noValidate aria-busy={other.busy ? 'true' : undefined}>
        <Choices
          id="qf-residence"
          legend="Résidence"
          type="radio"
          hint="Une famille hors commune paie le prix hors commune des activités qui en ont un."
          options={RESIDENCES}
          checked={(r) => r === residence}
          onToggle={(r, on) => on && setResidence(r)}
        />
        <div class="actions">
          <SubmitButton busy={other.busy}>Enregistrer la résidence</SubmitButton>
        </div>
      </form>
    </>
  );
}

/** The family page's "Quotient familial" section. */
export function FamilyQuotients({ familyId }: { familyId: string }) {
  const loaded = useLoad(() => invoicingSettings.quotients(familyId), [familyId]);
  const view = loaded.data;
  return (
    <section class="spaced-small" aria-labelledby="quotient-familial">
      <h2 id="quotient-familial">Quotient familial</h2>
      {loaded.error ? <LoadFailure error={loaded.error} /> : !view ? <Loading text="Chargement des quotients familiaux…" /> : <QuotientsForm familyId={familyId} view={view} onSaved={loaded.setData} />}
    </section>
  );
}
