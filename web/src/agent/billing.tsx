/**
 * The back-office's billing: a family's invoices on its page (record a
 * payment, cancel an invoice, give the commune's own PDF) and the
 * commune's régies (`/agent/regies`), with the logo printed on the invoices.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError, type FieldProblem } from '../api';
import {
  type AgentInvoice,
  type PaymentMethod,
  type Regie,
  LOGO_MAX_BYTES,
  PDF_MAX_BYTES,
  agent,
  communeLogo,
  deleteCommuneLogo,
  putCommuneLogo,
  uploadInvoicePdf,
} from '../api/agent';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { ActionError, ErrorSummary, FieldError, formErrors, InputField, required, Req, RequiredNote, SelectField, SubmitButton, TextAreaField, useSubmit } from '../ui/form';
import { euros, parseEuros, shortDate } from './format';
import { AgentPage, ConfirmDialog, EditToggleActions, Result, StateBadge, TableRegion } from './ui';

const STATES: Record<AgentInvoice['state'], string> = {
  to_pay: 'À payer',
  partly_paid: 'Partiellement payée',
  paid: 'Payée',
  cancelled: 'Annulée',
};

/** The modes an agent records (online payments record themselves). */
const METHODS: [PaymentMethod, string][] = [
  ['cheque', 'Chèque'],
  ['cash', 'Espèces'],
  ['transfer', 'Virement'],
  ['direct_debit', 'Prélèvement'],
  ['card', 'Carte bancaire'],
  ['other', 'Autre'],
];

const today = () => {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};

/** "12,50" for an amount field. */
const amountText = (cents: number) => (cents / 100).toFixed(2).replace('.', ',');

/** A rule's refusal (409, 422 without fields) put on the field it is about. */
function onField(e: ApiError | null, fields: Record<string, string>): ApiError | null {
  if (!e || e.errors.length) return e;
  const field = fields[e.code];
  return field ? new ApiError(e.status, e.code, e.detail, [{ field, code: e.code, message: e.detail }]) : e;
}

type Action = { kind: 'payment' | 'cancel' | 'pdf'; invoice: AgentInvoice };

/** A family's invoices, on its page in the back-office. */
export function FamilyInvoices({ familyId }: { familyId: string }) {
  const [page, setPage] = useState<string | null>(null);
  const list = useLoad(() => agent.familyInvoices(familyId, page), [familyId, page], { keep: true });
  const [action, setAction] = useState<Action | null>(null);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);

  async function finished(text: string) {
    setAction(null);
    await list.reload();
    setDone({ text, at: Date.now() });
  }

  const items = list.data?.items;
  return (
    <section class="spaced-small" aria-labelledby="factures">
      <h2 id="factures">Factures</h2>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des factures…" />
      ) : items.length === 0 ? (
        <p>Aucune facture pour cette famille.</p>
      ) : (
        <>
          <p>
            Reste à payer, toutes factures : <strong>{euros(list.data?.to_pay_cents ?? 0)}</strong>
          </p>
          <TableRegion labelledBy="factures-legende">
            <table class="bo-table">
              <caption id="factures-legende">Factures de la famille, de la plus récente à la plus ancienne</caption>
              <thead>
                <tr>
                  <th scope="col">N° de facture</th>
                  <th scope="col">Date</th>
                  <th scope="col">Service</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Montant</th>
                  <th scope="col">Reste à payer</th>
                  <th scope="col">État</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <tr key={i.id}>
                    <th scope="row">{i.number}</th>
                    <td>{shortDate(i.issued_on)}</td>
                    <td>{i.service}</td>
                    <td>{shortDate(i.due_on)}</td>
                    <td>{euros(i.amount_cents)}</td>
                    <td>{euros(i.balance_cents)}</td>
                    <td>
                      <StateBadge state={i.state} text={STATES[i.state]} />
                    </td>
                    <td>
                      <div class="bo-row-actions">
                        {i.balance_cents > 0 && (
                          <button type="button" class="button button--small" onClick={() => setAction({ kind: 'payment', invoice: i })}>
                            Enregistrer un règlement<span class="visually-hidden"> sur la facture n° {i.number}</span>
                          </button>
                        )}
                        {i.state !== 'cancelled' && i.paid_cents === 0 && (
                          <button type="button" class="button button--secondary button--small" onClick={() => setAction({ kind: 'cancel', invoice: i })}>
                            Annuler la facture<span class="visually-hidden"> n° {i.number}</span>
                          </button>
                        )}
                        <button type="button" class="button button--secondary button--small" onClick={() => setAction({ kind: 'pdf', invoice: i })}>
                          Déposer le PDF<span class="visually-hidden"> de la facture n° {i.number}</span>
                        </button>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <div class="actions">
            {page !== null && (
              <button type="button" class="button button--secondary" onClick={() => setPage(null)}>
                Premières factures
              </button>
            )}
            {list.data?.next_page && (
              <button type="button" class="button button--secondary" onClick={() => setPage(list.data?.next_page ?? null)}>
                Factures suivantes
              </button>
            )}
          </div>
        </>
      )}
      {action?.kind === 'payment' && <PaymentForm key={action.invoice.id} invoice={action.invoice} onDone={finished} onClose={() => setAction(null)} />}
      {action?.kind === 'cancel' && <CancelForm key={action.invoice.id} invoice={action.invoice} onDone={finished} onClose={() => setAction(null)} />}
      {action?.kind === 'pdf' && <PdfForm key={action.invoice.id} invoice={action.invoice} onDone={finished} onClose={() => setAction(null)} />}
    </section>
  );
}

interface ActionProps {
  invoice: AgentInvoice;
  onDone: (text: string) => Promise<void>;
  onClose: () => void;
}

/** The heading of an action's panel, focused when it opens. */
function PanelTitle({ id, children }: { id: string; children: string }) {
  return (
    <h3 id={id} tabIndex={-1} ref={(h) => h?.focus()}>
      {children}
    </h3>
  );
}

const PAYMENT_FIELDS: Record<string, string> = {
  method: 'reglement-mode',
  number: 'reglement-numero',
  date: 'reglement-date',
  amount_cents: 'reglement-montant',
  description: 'reglement-libelle',
};

function PaymentForm({ invoice, onDone, onClose }: ActionProps) {
  const [method, setMethod] = useState<string>('cheque');
  const [number, setNumber] = useState('');
  const [date, setDate] = useState(today());
  const [amount, setAmount] = useState(amountText(invoice.balance_cents));
  const [description, setDescription] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const shown = onField(error, { overpayment: 'amount_cents', payment_exists: 'number' });
  const err = (f: string) => shown?.fieldMessage(f);

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!method) local.push(required('method', 'Mode de règlement'));
    if (!number.trim()) local.push(required('number', 'Numéro'));
    if (!date) local.push(required('date', 'Date'));
    const cents = parseEuros(amount);
    if (cents === null || cents <= 0) local.push({ field: 'amount_cents', code: 'invalid_amount', message: "Le montant doit être un nombre d'euros positif (exemple : 43,50)." });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    void run(
      () =>
        agent.recordPayment({
          invoice_id: invoice.id,
          method: method as PaymentMethod,
          number,
          date,
          amount_cents: cents as number,
          description: description.trim() || null,
        }),
      (r) => void onDone(`Règlement de ${euros(r.payment.amount_cents)} enregistré sur la facture n° ${invoice.number}. Reste à payer : ${euros(r.invoice.balance_cents)}.`),
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="reglement-titre">
      <PanelTitle id="reglement-titre">{`Enregistrer un règlement sur la facture n° ${invoice.number}`}</PanelTitle>
      <p>Reste à payer : {euros(invoice.balance_cents)}.</p>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={shown} id="reglement-erreurs" fields={PAYMENT_FIELDS} />
        <div class="bo-grid">
          <SelectField id="reglement-mode" label="Mode de règlement" required value={method} onValue={setMethod} options={METHODS} error={err('method')} />
          <InputField autoComplete="off" id="reglement-numero" label="Numéro" hint="N° de chèque, référence du virement…" required value={number} onValue={setNumber} error={err('number')} maxLength={40} short />
          <InputField autoComplete="off" id="reglement-date" type="date" label="Date" required value={date} onValue={setDate} error={err('date')} short />
          <InputField autoComplete="off" id="reglement-montant" label="Montant (en euros)" hint="Exemple : 43,50" inputMode="decimal" required value={amount} onValue={setAmount} error={err('amount_cents')} short />
          <InputField autoComplete="off" id="reglement-libelle" label="Libellé" hint="Facultatif : remplace « Chèque n° … » dans les opérations de la famille." value={description} onValue={setDescription} error={err('description')} maxLength={200} />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>Enregistrer le règlement</SubmitButton>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Fermer
          </button>
        </div>
      </form>
    </section>
  );
}

function CancelForm({ invoice, onDone, onClose }: ActionProps) {
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const { busy, error, setError, run } = useSubmit();
  const fieldError = error?.fieldMessage('reason');

  function submit(ev: Event) {
    ev.preventDefault();
    if (!reason.trim()) {
      setError(formErrors([required('reason', "Motif de l'annulation")]));
      return;
    }
    setError(null);
    setConfirming(true);
  }

  function cancel() {
    setConfirming(false);
    void run(
      () => agent.cancelInvoice(invoice.id, reason),
      (r) => void onDone(`Facture n° ${invoice.number} annulée par l'avoir n° ${r.credit_note?.number ?? ''}.`),
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="annulation-titre">
      <PanelTitle id="annulation-titre">{`Annuler la facture n° ${invoice.number}`}</PanelTitle>
      <p>Un avoir de {euros(invoice.amount_cents)} annulera la facture ; elle reste visible par la famille, comme annulée.</p>
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        {fieldError ? <ErrorSummary error={error} id="annulation-erreurs" fields={{ reason: 'annulation-motif' }} /> : <ActionError error={error} />}
        <TextAreaField id="annulation-motif" label="Motif de l'annulation" required value={reason} onValue={setReason} error={fieldError} maxLength={200} />
        <div class="actions">
          <SubmitButton busy={busy}>Annuler la facture</SubmitButton>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Fermer
          </button>
        </div>
      </form>
      <ConfirmDialog
        id="confirmer-annulation"
        open={confirming}
        title={`Annuler la facture n° ${invoice.number} ?`}
        confirm="Oui, annuler la facture"
        onConfirm={cancel}
        onClose={() => setConfirming(false)}
      >
        <p>
          La facture de {euros(invoice.amount_cents)} sera annulée par un avoir. Motif : {reason.trim()}
        </p>
      </ConfirmDialog>
    </section>
  );
}

function PdfForm({ invoice, onDone, onClose }: ActionProps) {
  const [file, setFile] = useState<File | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const fieldError = error?.fieldMessage('file');

  function submit(ev: Event) {
    ev.preventDefault();
    const problem = !file
      ? required('file', 'Fichier PDF')
      : file.size > PDF_MAX_BYTES
        ? { field: 'file', code: 'pdf_too_large', message: 'Le PDF dépasse 10 Mo.' }
        : null;
    if (problem) {
      setError(formErrors([problem]));
      return;
    }
    void run(
      () => uploadInvoicePdf(invoice.id, file as File),
      () => void onDone(`PDF de la facture n° ${invoice.number} déposé : la famille téléchargera celui-ci.`),
      (e) => {
        if (e.code === 'not_a_pdf' || e.code === 'pdf_too_large') setError(new ApiError(e.status, e.code, e.detail, [{ field: 'file', code: e.code, message: e.detail }]));
      },
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="pdf-titre">
      <PanelTitle id="pdf-titre">{`Déposer le PDF de la facture n° ${invoice.number}`}</PanelTitle>
      <p>Sans PDF déposé, le portail en produit un à partir de la facture. Un nouveau dépôt remplace le précédent.</p>
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        {fieldError ? <ErrorSummary error={error} id="pdf-erreurs" fields={{ file: 'pdf-fichier' }} /> : <ActionError error={error} />}
        <div class={`field${fieldError ? ' field--error' : ''}`}>
          <label for="pdf-fichier">
            Fichier PDF
            <Req />
          </label>
          <p class="hint" id="pdf-fichier-aide">
            10 Mo au plus.
          </p>
          <FieldError id="pdf-fichier" message={fieldError} />
          <input
            type="file"
            id="pdf-fichier"
            name="pdf-fichier"
            accept="application/pdf,.pdf"
            required
            aria-invalid={fieldError ? 'true' : undefined}
            aria-describedby={fieldError ? 'pdf-fichier-aide pdf-fichier-erreur' : 'pdf-fichier-aide'}
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>Déposer le PDF</SubmitButton>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Fermer
          </button>
        </div>
      </form>
    </section>
  );
}

// ---- régies ----------------------------------------------------------------------

const REGIE_FIELDS: Record<string, string> = { name: 'regie-nom', numcli: 'regie-numcli', email: 'regie-email', code: 'regie-code' };

function RegieForm({ regie, onDone, onClose }: { regie: Regie | null; onDone: (text: string) => Promise<void>; onClose?: () => void }) {
  const [name, setName] = useState(regie?.name ?? '');
  const [numcli, setNumcli] = useState(regie?.numcli ?? '');
  const [email, setEmail] = useState(regie?.email ?? '');
  const [code, setCode] = useState(regie?.code ?? '');
  const { busy, error, setError, run } = useSubmit();
  const shown = onField(error, { regie_exists: 'name', regie_code_exists: 'code', regie_code_frozen: 'code' });
  const err = (f: string) => shown?.fieldMessage(f);

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!name.trim()) local.push(required('name', 'Nom de la régie'));
    if (numcli.trim() && !/^[0-9]{6}$/.test(numcli.trim()))
      local.push({ field: 'numcli', code: 'invalid_numcli', message: 'Le numéro client PayFiP (numcli) compte exactement 6 chiffres.' });
    if (code.trim() && !/^[A-Z0-9]{1,12}$/.test(code.trim()))
      local.push({ field: 'code', code: 'invalid_regie_code', message: 'Le code de la régie compte de 1 à 12 lettres majuscules ou chiffres.' });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const body = { name, numcli: numcli.trim(), email: email.trim(), code: code.trim() };
    void run(
      () => (regie ? agent.updateRegie(regie.id, body) : agent.createRegie(body)),
      (r) => {
        if (!regie) {
          setName('');
          setNumcli('');
          setEmail('');
          setCode('');
        }
        void onDone(regie ? `Régie « ${r.name} » modifiée.` : `Régie « ${r.name} » ajoutée.`);
      },
    );
  }

  const title = regie ? `Modifier la régie « ${regie.name} »` : 'Ajouter une régie';
  return (
    <section class="panel form-section spaced-small" aria-labelledby="regie-titre">
      {regie ? <PanelTitle id="regie-titre">{title}</PanelTitle> : <h2 id="regie-titre">{title}</h2>}
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={shown} id="regie-erreurs" fields={REGIE_FIELDS} />
        <div class="bo-grid">
          <InputField autoComplete="off" id="regie-nom" label="Nom de la régie" hint="Le « service » des factures." required value={name} onValue={setName} error={err('name')} maxLength={100} />
          <InputField autoComplete="off" id="regie-numcli" label="Numéro client PayFiP (numcli)" hint="6 chiffres ; vide si la régie n'encaisse pas en ligne." inputMode="numeric" value={numcli} onValue={setNumcli} error={err('numcli')} maxLength={6} short />
          <InputField autoComplete="off" id="regie-email" type="email" label="E-mail de contact" hint="Imprimé sur les factures." value={email} onValue={setEmail} error={err('email')} maxLength={254} />
          <InputField
            autoComplete="off"
            id="regie-code"
            label="Code de facturation"
            hint="1 à 12 lettres majuscules ou chiffres, dans les numéros des factures émises par le portail (FAC-2027-ENF-000123) ; vide si la régie ne fait qu'importer ses factures."
            value={code}
            onValue={(v) => setCode(v.toUpperCase())}
            error={err('code')}
            maxLength={12}
            short
          />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>{regie ? 'Enregistrer' : 'Ajouter la régie'}</SubmitButton>
          {onClose && (
            <button type="button" class="button button--secondary" onClick={onClose}>
              Fermer
            </button>
          )}
        </div>
      </form>
    </section>
  );
}

// ---- the commune's logo ----------------------------------------------------------

const LOGO_TYPES = ['image/png', 'image/jpeg'];

/** The logo printed at the top of the invoices the portal renders. */
function LogoSection() {
  const logo = useLoad(() => communeLogo(), []);
  const [url, setUrl] = useState<string | null>(null);
  const [file, setFile] = useState<File | null>(null);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const { busy, error, setError, run } = useSubmit();
  const fieldError = error?.fieldMessage('file');

  useEffect(() => {
    if (!logo.data) {
      setUrl(null);
      return;
    }
    const u = URL.createObjectURL(logo.data);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [logo.data]);

  async function finished(text: string) {
    await logo.reload();
    setDone({ text, at: Date.now() });
  }

  function submit(ev: Event) {
    ev.preventDefault();
    setDone(null);
    const problem = !file
      ? required('file', 'Image du logo')
      : !LOGO_TYPES.includes(file.type)
        ? { field: 'file', code: 'logo_type', message: 'Le logo doit être une image PNG ou JPEG.' }
        : file.size > LOGO_MAX_BYTES
          ? { field: 'file', code: 'logo_too_large', message: 'Le logo ne doit pas dépasser 512 Ko.' }
          : null;
    if (problem) {
      setError(formErrors([problem]));
      input.current?.focus();
      return;
    }
    void run(
      () => putCommuneLogo(file as File),
      () => {
        setFile(null);
        if (input.current) input.current.value = '';
        void finished('Logo enregistré : il apparaît en haut des factures PDF.');
      },
      (e) => {
        if (e.code.startsWith('logo_')) setError(new ApiError(e.status, e.code, e.detail, [{ field: 'file', code: e.code, message: e.detail }]));
        input.current?.focus();
      },
    );
  }

  function remove() {
    setConfirming(false);
    setDone(null);
    void run(
      () => deleteCommuneLogo(),
      () => void finished('Logo supprimé : les factures PDF portent le nom de la commune seul.'),
    );
  }

  const has = !!logo.data;
  return (
    <section class="form-section spaced-small" aria-labelledby="logo-titre">
      <h2 id="logo-titre">Logo des factures</h2>
      <p>Les factures PDF produites par le portail portent le logo de la commune en haut à gauche, à côté de son nom.</p>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {logo.error ? (
        <LoadFailure error={logo.error} />
      ) : logo.state === 'loading' ? (
        <Loading text="Chargement du logo…" />
      ) : has && url ? (
        <p>
          <img src={url} alt="Logo actuel de la commune" class="bo-logo" />
        </p>
      ) : (
        <p>Aucun logo : les factures portent le nom de la commune seul.</p>
      )}
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        {fieldError ? <ErrorSummary error={error} id="logo-erreurs" fields={{ file: 'logo-fichier' }} /> : <ActionError error={error} />}
        <div class={`field${fieldError ? ' field--error' : ''}`}>
          <label for="logo-fichier">{has ? 'Nouveau logo' : 'Image du logo'}</label>
          <p class="hint" id="logo-fichier-aide">
            PNG ou JPEG, 512 Ko au plus ; il apparaît en haut des factures PDF.
          </p>
          <FieldError id="logo-fichier" message={fieldError} />
          <input
            ref={input}
            type="file"
            id="logo-fichier"
            name="logo-fichier"
            accept="image/png,image/jpeg,.png,.jpg,.jpeg"
            aria-invalid={fieldError ? 'true' : undefined}
            aria-describedby={fieldError ? 'logo-fichier-aide logo-fichier-erreur' : 'logo-fichier-aide'}
            onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
          />
        </div>
        <div class="actions">
          <SubmitButton busy={busy}>{has ? 'Remplacer' : 'Enregistrer le logo'}</SubmitButton>
          {has && (
            <button type="button" class="button button--secondary" onClick={() => setConfirming(true)}>
              Supprimer<span class="visually-hidden"> le logo</span>
            </button>
          )}
        </div>
      </form>
      <ConfirmDialog id="confirmer-logo" open={confirming} title="Supprimer le logo ?" confirm="Oui, supprimer le logo" onConfirm={remove} onClose={() => setConfirming(false)}>
        <p>Les factures PDF porteront le nom de la commune seul.</p>
      </ConfirmDialog>
    </section>
  );
}

/** `/agent/regies`: the commune's régies. */
export function RegiesPage() {
  const list = useLoad(() => agent.regies(), [], { keep: true });
  const [editing, setEditing] = useState<Regie | null>(null);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);
  const { error, run } = useSubmit();

  async function finished(text: string) {
    setEditing(null);
    await list.reload();
    setDone({ text, at: Date.now() });
  }

  function toggle(r: Regie) {
    void run(
      () => agent.updateRegie(r.id, { active: !r.active }),
      (n) => void finished(n.active ? `Régie « ${n.name} » réactivée.` : `Régie « ${n.name} » désactivée : elle n'encaisse plus en ligne.`),
    );
  }

  const items = list.data?.items;
  return (
    <AgentPage title="Régies" crumbs={[{ label: 'Régies' }]}>
      <p>Les régies émettent les factures et encaissent leurs règlements. Leur nom est le « service » des factures.</p>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      <ActionError error={error} />
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des régies…" />
      ) : items.length === 0 ? (
        <p>Aucune régie n'est encore enregistrée.</p>
      ) : (
        <TableRegion labelledBy="regies-legende">
          <table class="bo-table">
            <caption id="regies-legende">Régies de la commune, par nom</caption>
            <thead>
              <tr>
                <th scope="col">Régie</th>
                <th scope="col">Code de facturation</th>
                <th scope="col">Numéro client PayFiP</th>
                <th scope="col">E-mail de contact</th>
                <th scope="col">État</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {items.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td class="bo-mono">{r.code ?? <span class="bo-muted">Aucun</span>}</td>
                  <td class="bo-mono">{r.numcli ?? <span class="bo-muted">Aucun</span>}</td>
                  <td>{r.email ?? <span class="bo-muted">Aucun</span>}</td>
                  <td>
                    <StateBadge state={r.active ? 'accepted' : 'cancelled'} text={r.active ? 'Active' : 'Désactivée'} />
                  </td>
                  <td>
                    <EditToggleActions what={`la régie ${r.name}`} active={r.active} off="Désactiver" on="Réactiver" onEdit={() => setEditing(r)} onToggle={() => toggle(r)} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {editing ? <RegieForm key={editing.id} regie={editing} onDone={finished} onClose={() => setEditing(null)} /> : <RegieForm key="nouvelle" regie={null} onDone={finished} />}
      <LogoSection />
    </AgentPage>
  );
}
