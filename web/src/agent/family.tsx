/**
 * `/agent/familles/{id}`: the whole dossier as the commune holds it
 * (read-only: full IBAN, health data, contacts), its changes waiting for a
 * decision, the linked accounts (a link removed with a reason) and the
 * history of the links, the subscriber code (renew, revoke) and the
 * recording of an invoice.
 */
import { useEffect, useState } from 'preact/hooks';

import { APPLIANCES, AUTHORIZATIONS, CIVILITIES, DIETS, FAMILY_SITUATIONS, labelOf, QUALITIES, REGIMES, RELATIONSHIPS, SEXES, yesNo } from '../labels';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import type { FieldProblem } from '../api';
import { ActionError, ErrorSummary, formErrors, InputField, required, RequiredNote, SelectField, SubmitButton, useSubmit } from '../ui/form';
import { type Child, type Dossier, type Guardian, type Pending, agent } from '../api/agent';
import { dateTime, euros, fullName, parseEuros, shortDate } from './format';
import { FamilyQuotients } from './quotients';
import { AgentPage, ConfirmDialog, Result, TableRegion } from './ui';
import { FamilyHistory, LinkedAccounts } from './links';
import { ValueView, addressText } from './values';
import { FamilyInvoices } from './billing';
import { FamilyCorrections } from './corrections';
import { FamilyOnlinePayments } from './online-payments';

const none = <span class="bo-muted">Non renseigné</span>;
const text = (v: string | null | undefined) => (v && v.trim() ? v : none);

function GuardianFacts({ g }: { g: Guardian }) {
  const iban = g.iban ?? g.bank?.iban_masked;
  return (
    <dl class="facts">
      <dt>Civilité</dt>
      <dd>{labelOf(CIVILITIES, g.civility)}</dd>
      <dt>Qualité</dt>
      <dd>{labelOf(QUALITIES, g.quality)}</dd>
      <dt>Situation familiale</dt>
      <dd>{labelOf(FAMILY_SITUATIONS, g.family_situation)}</dd>
      <dt>E-mail</dt>
      <dd>{text(g.email)}</dd>
      <dt>Téléphone</dt>
      <dd>{text(g.phone)}</dd>
      <dt>Téléphone portable</dt>
      <dd>{text(g.mobile)}</dd>
      <dt>Accepte de recevoir des e-mails</dt>
      <dd>{yesNo(g.accepts_email)}</dd>
      <dt>Accepte de recevoir des SMS</dt>
      <dd>{yesNo(g.accepts_sms)}</dd>
      <dt>Adresse</dt>
      <dd>{text(addressText(g.address))}</dd>
      <dt>Titulaire du compte</dt>
      <dd>{text(g.bank?.holder)}</dd>
      <dt>IBAN</dt>
      <dd class="bo-mono">{text(iban)}</dd>
      <dt>BIC</dt>
      <dd class="bo-mono">{text(g.bank?.bic)}</dd>
      <dt>Code personnel</dt>
      <dd class="bo-mono">{text(g.personal_code)}</dd>
    </dl>
  );
}

function ChildFacts({ c }: { c: Child }) {
  const id = `enfant-${c.id}`;
  const vaccines = c.health.vaccines ?? [];
  return (
    <>
      <dl class="facts">
        <dt>Date de naissance</dt>
        <dd>{shortDate(c.birth_date)}</dd>
        <dt>Sexe</dt>
        <dd>{labelOf(SEXES, c.sex)}</dd>
        <dt>Assurance</dt>
        <dd>{c.insurance.company ? `${c.insurance.company}${c.insurance.number ? `, n° ${c.insurance.number}` : ''}` : none}</dd>
        <dt>Appareillages</dt>
        <dd>
          {APPLIANCES.filter(([k]) => c.appliances[k as keyof Child['appliances']])
            .map(([, l]) => l)
            .join(', ') || 'Aucun'}
        </dd>
      </dl>
      <h4>Autorisations</h4>
      <ul class="bo-values">
        {AUTHORIZATIONS.map(([k, l]) => (
          <li key={k}>
            {l} : <strong>{yesNo(c.authorizations[k as keyof Child['authorizations']])}</strong>
          </li>
        ))}
      </ul>
      <h4>Données sanitaires</h4>
      <dl class="facts">
        <dt>Pratiques alimentaires</dt>
        <dd>{labelOf(DIETS, c.health.diet)}</dd>
        <dt>Allergies</dt>
        <dd>{c.health.allergies?.length ? c.health.allergies.join(', ') : 'Aucune'}</dd>
        <dt>Besoin d'une attention particulière</dt>
        <dd>{yesNo(c.health.special_care)}</dd>
      </dl>
      {vaccines.length === 0 ? (
        <p>Aucun vaccin renseigné.</p>
      ) : (
        <TableRegion labelledBy={`${id}-vaccins`}>
          <table class="bo-table">
            <caption id={`${id}-vaccins`}>Vaccins de {c.first_name}</caption>
            <thead>
              <tr>
                <th scope="col">Vaccin</th>
                <th scope="col">Date de vaccination</th>
                <th scope="col">Date de rappel</th>
              </tr>
            </thead>
            <tbody>
              {vaccines.map((v, i) => (
                <tr key={i}>
                  <td>{v.name}</td>
                  <td>{shortDate(v.date)}</td>
                  <td>{v.booster_date ? shortDate(v.booster_date) : none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <h4>Contacts</h4>
      {c.contacts.length === 0 ? (
        <p>Aucun adulte habilité.</p>
      ) : (
        <TableRegion labelledBy={`${id}-contacts`}>
          <table class="bo-table">
            <caption id={`${id}-contacts`}>Adultes habilités pour {c.first_name}</caption>
            <thead>
              <tr>
                <th scope="col">Nom complet</th>
                <th scope="col">Mobile</th>
                <th scope="col">Téléphone</th>
                <th scope="col">Lien de parenté</th>
                <th scope="col">Appelé en cas d'urgence</th>
                <th scope="col">Autorisé à récupérer l'enfant</th>
              </tr>
            </thead>
            <tbody>
              {c.contacts.map((p) => (
                <tr key={p.id}>
                  <th scope="row">{p.full_name}</th>
                  <td>{text(p.mobile)}</td>
                  <td>{text(p.phone)}</td>
                  <td>{labelOf(RELATIONSHIPS, p.relationship)}</td>
                  <td>{yesNo(p.emergency_call)}</td>
                  <td>{yesNo(p.may_pick_up)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </>
  );
}

function pendingWho(d: Dossier, p: Pending): string {
  if (p.target.kind === 'family') return 'Informations fiscales de la famille';
  const g = d.guardians.find((x) => x.id === p.target.id);
  if (g) return `Responsable ${fullName(g)}`;
  const c = d.children.find((x) => x.id === p.target.id);
  if (c) return `Enfant ${fullName(c)}`;
  return 'Personne retirée du dossier';
}

function PendingChanges({ d }: { d: Dossier }) {
  return (
    <section class="spaced-small" aria-labelledby="attente">
      <h2 id="attente">Modifications en attente de validation</h2>
      {d.pending.length === 0 ? (
        <p>Aucune modification en attente.</p>
      ) : (
        <ul class="bo-cards">
          {d.pending.map((p) => (
            <li key={p.request_id} class="panel">
              <p>
                <strong>{pendingWho(d, p)}</strong>, envoyée le {dateTime(p.submitted_at)}
              </p>
              <ul class="bo-values">
                {Object.entries(p.changes).map(([f, v]) => (
                  <li key={f}>
                    {FIELD_LABELS[f] ?? f} : <ValueView field={f} value={v} />
                  </li>
                ))}
              </ul>
              <p>
                <a href={`/agent/demandes/${p.request_id}`}>
                  Traiter la demande<span class="visually-hidden"> : {pendingWho(d, p)}</span>
                </a>
              </p>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

const FIELD_LABELS: Record<string, string> = {
  civility: 'Civilité',
  family_situation: 'Situation familiale',
  last_name: 'Nom',
  first_name: 'Prénom',
  email: 'E-mail',
  phone: 'Téléphone',
  mobile: 'Téléphone portable',
  quality: 'Qualité',
  accepts_email: 'Accepte de recevoir des e-mails',
  accepts_sms: 'Accepte de recevoir des SMS',
  address: 'Adresse',
  bank: 'Données bancaires',
  fiscal: 'Informations fiscales',
  birth_date: 'Date de naissance',
  sex: 'Sexe',
  insurance: 'Assurance',
  appliances: 'Appareillages',
  authorizations: 'Autorisations',
  health: 'Données sanitaires',
  contacts: 'Contacts',
  photo_url: 'Photo',
};

function SubscriberCode({ d, onChanged }: { d: Dossier; onChanged: () => Promise<void> }) {
  const [dialog, setDialog] = useState<'renew' | 'revoke' | null>(null);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const { error, run } = useSubmit();

  function act(what: 'renew' | 'revoke') {
    setDialog(null);
    void run(
      () => (what === 'renew' ? agent.renewCode(d.id).then((r) => r.subscriber_code) : agent.revokeCode(d.id).then(() => null)),
      async (code) => {
        await onChanged();
        setDone({
          text: code ? `Nouveau code abonné : ${code}. L'ancien code ne fonctionne plus.` : "Le code abonné est révoqué : plus personne ne peut s'abonner avec lui.",
          at: Date.now(),
        });
      },
    );
  }

  return (
    <section class="panel panel--tinted spaced-small" aria-labelledby="code">
      <h2 id="code">Code abonné famille</h2>
      <ActionError error={error} />
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {d.subscriber_code ? (
        <>
          <p>À transmettre à la famille pour relier un compte citoyen à ce dossier :</p>
          <p class="bo-code" id="code-abonne">
            {d.subscriber_code}
          </p>
        </>
      ) : (
        <p>
          <strong>Aucun code abonné</strong> : il a été révoqué. Renouvelez-le pour en donner un nouveau à la famille.
        </p>
      )}
      <div class="actions">
        <button type="button" class="button" onClick={() => setDialog('renew')}>
          Renouveler le code
        </button>
        {d.subscriber_code && (
          <button type="button" class="button button--secondary" onClick={() => setDialog('revoke')}>
            Révoquer le code
          </button>
        )}
      </div>
      <ConfirmDialog
        id="confirmer-renouveler"
        open={dialog === 'renew'}
        title="Renouveler le code abonné ?"
        confirm="Renouveler le code"
        onConfirm={() => act('renew')}
        onClose={() => setDialog(null)}
      >
        <p>Un nouveau code sera créé pour {d.label}. L'ancien code ne fonctionnera plus ; les comptes déjà reliés le restent.</p>
      </ConfirmDialog>
      <ConfirmDialog
        id="confirmer-revoquer"
        open={dialog === 'revoke'}
        title="Révoquer le code abonné ?"
        confirm="Révoquer le code"
        onConfirm={() => act('revoke')}
        onClose={() => setDialog(null)}
      >
        <p>Plus personne ne pourra s'abonner à {d.label} avec ce code. Les comptes déjà reliés le restent.</p>
      </ConfirmDialog>
    </section>
  );
}

const INVOICE_FIELDS: Record<string, string> = {
  guardian_id: 'facture-destinataire',
  emission_code: 'facture-emission',
  reference: 'facture-reference',
  amount_cents: 'facture-montant',
  issued_on: 'facture-emise',
  due_on: 'facture-echeance',
};

function InvoiceForm({ d, onError }: { d: Dossier; onError: (on: boolean) => void }) {
  const [guardian, setGuardian] = useState(d.guardians.length === 1 ? (d.guardians[0]?.id ?? '') : '');
  const [emission, setEmission] = useState('');
  const [reference, setReference] = useState('');
  const [amount, setAmount] = useState('');
  const [issued, setIssued] = useState('');
  const [due, setDue] = useState('');
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const err = (f: string) => error?.fieldMessage(f);
  useEffect(() => onError(!!error), [error]);

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!guardian) local.push(required('guardian_id', 'Destinataire'));
    if (!emission.trim()) local.push(required('emission_code', 'Code émission'));
    if (!reference.trim()) local.push(required('reference', 'Référence'));
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0) {
      local.push({ field: 'amount_cents', code: 'invalid_amount', message: "Le montant doit être un nombre d'euros positif (exemple : 43,50)." });
    }
    if (!issued) local.push(required('issued_on', "Date d'émission"));
    if (!due) local.push(required('due_on', 'Échéance'));
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    void run(
      () =>
        agent.createInvoice({
          family_id: d.id,
          guardian_id: guardian,
          emission_code: emission,
          reference,
          amount_cents: cents as number,
          issued_on: issued,
          due_on: due,
        }),
      () => {
        setDone({ text: `Facture ${reference.trim()} de ${euros(cents as number)} enregistrée.`, at: Date.now() });
        setEmission('');
        setReference('');
        setAmount('');
        setIssued('');
        setDue('');
      },
    );
  }

  return (
    <section class="form-section spaced-small" aria-labelledby="facture">
      <h2 id="facture">Enregistrer une facture</h2>
      <p class="hint">Ses références (code émission, référence, montant) et le code personnel du destinataire permettent aussi de s'abonner.</p>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={error} fields={INVOICE_FIELDS} />
        <div class="bo-grid">
          <SelectField
            id="facture-destinataire"
            label="Destinataire"
            required
            value={guardian}
            onValue={setGuardian}
            empty="Choisissez un responsable"
            options={d.guardians.map((g) => [g.id, fullName(g)])}
            error={err('guardian_id')}
          />
          <InputField autoComplete="off" id="facture-emission" label="Code émission" required value={emission} onValue={setEmission} error={err('emission_code')} maxLength={40} short />
          <InputField autoComplete="off" id="facture-reference" label="Référence de la facture" required value={reference} onValue={setReference} error={err('reference')} maxLength={40} short />
          <InputField autoComplete="off"
            id="facture-montant"
            label="Montant (en euros)"
            required
            hint="Exemple : 43,50"
            inputMode="decimal"
            value={amount}
            onValue={setAmount}
            error={err('amount_cents')}
            short
          />
          <InputField autoComplete="off" id="facture-emise" type="date" label="Date d'émission" required value={issued} onValue={setIssued} error={err('issued_on')} short />
          <InputField autoComplete="off" id="facture-echeance" type="date" label="Échéance" required value={due} onValue={setDue} error={err('due_on')} short />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>Enregistrer la facture</SubmitButton>
        </div>
      </form>
    </section>
  );
}

export function FamilyPage({ id }: { id: string }) {
  const family = useLoad(() => agent.family(id), [id]);
  const [formError, setFormError] = useState(false);
  const d = family.data;
  const crumbs = [{ href: '/agent/familles', label: 'Familles' }, { label: d?.label ?? 'Dossier famille' }];
  if (!d) {
    return (
      <AgentPage title="Dossier famille" crumbs={crumbs}>
        {family.error ? (
          <LoadFailure error={family.error} notFound="Cette famille n'existe pas." back={{ href: '/agent/familles', label: 'Retour aux familles' }} />
        ) : (
          <Loading />
        )}
      </AgentPage>
    );
  }
  return (
    <AgentPage title={d.label} documentTitle={`Dossier ${d.label}`} error={formError} crumbs={crumbs}>
      <p>
        <a href={`/agent/demandes?famille=${d.id}`}>Voir les demandes en attente de cette famille</a>
      </p>

      <SubscriberCode d={d} onChanged={family.reload} />

      <LinkedAccounts d={d} onChanged={family.reload} />

      <FamilyHistory history={d.history ?? []} />

      <PendingChanges d={d} />

      <section class="spaced-small" aria-labelledby="responsables">
        <h2 id="responsables">Responsables</h2>
        {d.guardians.map((g) => (
          <article class="panel bo-person" key={g.id} aria-labelledby={`resp-${g.id}`}>
            <h3 id={`resp-${g.id}`}>
              {fullName(g)}
              {g.quality ? ` (${labelOf(QUALITIES, g.quality)})` : ''}
            </h3>
            <GuardianFacts g={g} />
          </article>
        ))}
      </section>

      <section class="spaced-small" aria-labelledby="fiscal">
        <h2 id="fiscal">Informations fiscales</h2>
        {d.fiscal ? (
          <dl class="facts">
            <dt>Régime</dt>
            <dd>{labelOf(REGIMES, d.fiscal.regime)}</dd>
            <dt>N° d'allocataire</dt>
            <dd>{text(d.fiscal.allocataire_number)}</dd>
            <dt>Quotient familial</dt>
            <dd>{d.fiscal.quotient_familial != null ? `${d.fiscal.quotient_familial} €` : none}</dd>
          </dl>
        ) : (
          <p>Non renseignées.</p>
        )}
      </section>

      <FamilyQuotients familyId={d.id} />

      <section class="spaced-small" aria-labelledby="enfants">
        <h2 id="enfants">Enfants</h2>
        {d.children.length === 0 && <p>Aucun enfant dans le dossier.</p>}
        {d.children.map((c) => (
          <article class="panel bo-person" key={c.id} aria-labelledby={`enf-${c.id}`}>
            <h3 id={`enf-${c.id}`}>{fullName(c)}</h3>
            <ChildFacts c={c} />
          </article>
        ))}
      </section>

      <FamilyOnlinePayments familyId={d.id} />
      <FamilyInvoices familyId={d.id} />

      <FamilyCorrections d={d} />

      <InvoiceForm d={d} onError={setFormError} />
    </AgentPage>
  );
}
