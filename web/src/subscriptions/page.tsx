/**
 * `/mon-espace/abonnements`: "Mes abonnements", the families the account is
 * linked to, and "M'abonner" with the guide's "Abonnement" form: by an
 * invoice's references, or by the subscriber code. Active at once: the
 * session's families are read again after success. "Quitter ce dossier"
 * unlinks the account from a family after a confirmation (inline, below
 * the list), and forgets it if it was the family chosen for the tab.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { LoadError, Loading, useLoad } from '../ui/load';
import { type ApiError, type FieldProblem, type Me, parent } from '../api';
import { instantLong } from '../dates';
import { chooseFamily, forgetFamily } from '../family/current';
import { clientError } from '../family/submitted';
import { refreshSession } from '../session';
import { ActionError, ErrorSummary, RequiredNote, SubmitButton, InputField, useSubmit } from '../ui/form';
import { Page } from '../ui/page';
import '../family/family.css';

interface Subscription {
  family_id: string;
  label: string;
  linked_at: string;
}

/** "6,50", "6.5", "6 €", "1 234,00" -> cents; null if it is not an amount. */
export function parseEuros(text: string): number | null {
  const t = text.replace(/[\s\u00a0\u202f€]/g, '').replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(t)) return null;
  const [whole, frac = ''] = t.split('.');
  return Number(whole) * 100 + Number(frac.padEnd(2, '0'));
}

const INVOICE_FIELDS: Record<string, string> = {
  'invoice.emission_code': 'code-emission',
  'invoice.reference': 'reference-facture',
  'invoice.amount_cents': 'montant-facture',
  'invoice.personal_code': 'code-personnel',
  invoice: 'code-emission',
};

function InvoiceForm({ onDone, onCancel, error, run, busy, setError }: FormProps) {
  const [emission, setEmission] = useState('');
  const [reference, setReference] = useState('');
  const [amount, setAmount] = useState('');
  const [personal, setPersonal] = useState('');
  const err = (f: string) => error?.fieldMessage(`invoice.${f}`);

  function submit(ev: Event) {
    ev.preventDefault();
    const problems: FieldProblem[] = [];
    const req = (v: string, field: string, label: string) => {
      if (v.trim() === '') problems.push({ field: `invoice.${field}`, code: 'required', message: `Le champ « ${label} » est obligatoire.` });
    };
    req(emission, 'emission_code', 'Code émission de la facture');
    req(reference, 'reference', 'Référence de la facture');
    const cents = parseEuros(amount);
    if (amount.trim() === '') req(amount, 'amount_cents', 'Montant de la facture');
    else if (cents === null) problems.push({ field: 'invoice.amount_cents', code: 'invalid_amount', message: 'Le montant de la facture est en euros, par exemple 6,50.' });
    req(personal, 'personal_code', 'Code personnel');
    if (problems.length) {
      setError(clientError(problems));
      return;
    }
    void run(
      () =>
        parent.subscribe({
          invoice: { emission_code: emission.trim(), reference: reference.trim(), amount_cents: cents as number, personal_code: personal.trim() },
        }),
      onDone,
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} class="form-section" aria-labelledby="avec-facture">
      <h3 id="avec-facture">Avec une de vos factures</h3>
      <p class="hint">Références situées dans une de vos factures émise par votre collectivité</p>
      <ErrorSummary error={error} fields={INVOICE_FIELDS} />
      <InputField id="code-emission" label="Code émission de la facture" required hint="Retrouvez le code émission sur le pied de page de votre facture" value={emission} onValue={setEmission} error={err('emission_code')} autoComplete="off" spellcheck={false} maxLength={40} />
      <InputField id="reference-facture" label="Référence de la facture" required hint="Retrouvez la référence sur votre facture" value={reference} onValue={setReference} error={err('reference')} autoComplete="off" spellcheck={false} maxLength={40} />
      <InputField id="montant-facture" label="Montant de la facture" required hint="En euros, par exemple 6,50" value={amount} onValue={setAmount} error={err('amount_cents')} autoComplete="off" maxLength={15} />
      <InputField id="code-personnel" label="Code personnel" required hint="Saisissez le code personnel du destinataire de la facture" value={personal} onValue={setPersonal} error={err('personal_code')} autoComplete="off" spellcheck={false} maxLength={40} />
      <div class="actions">
        <SubmitButton busy={busy} busyText="Recherche en cours…">
          Rechercher<span class="visually-hidden"> avec la facture</span>
        </SubmitButton>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Annuler
        </button>
      </div>
    </form>
  );
}

function CodeForm({ onDone, onCancel, error, run, busy }: FormProps) {
  const [code, setCode] = useState('');
  function submit(ev: Event) {
    ev.preventDefault();
    void run(() => parent.subscribe({ subscriber_code: code.trim() }), onDone);
  }
  return (
    <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} class="form-section" aria-labelledby="avec-code">
      <h3 id="avec-code">Avec votre code abonné</h3>
      <p class="hint">Code transmis par votre collectivité</p>
      <ErrorSummary error={error} fields={{ subscriber_code: 'code-abonne' }} />
      <InputField id="code-abonne" label="Code Abonné" required hint="Exemple : ABCD-EFGH-JK" value={code} onValue={setCode} error={error?.fieldMessage('subscriber_code')} autoComplete="off" spellcheck={false} maxLength={40} />
      <div class="actions">
        <SubmitButton busy={busy} busyText="Recherche en cours…">
          Rechercher<span class="visually-hidden"> avec le code abonné</span>
        </SubmitButton>
        <button type="button" class="button button--secondary" onClick={onCancel}>
          Annuler
        </button>
      </div>
    </form>
  );
}

interface FormProps {
  onDone: (s: Subscription) => void;
  onCancel: () => void;
  error: ApiError | null;
  setError: (e: ApiError | null) => void;
  run: ReturnType<typeof useSubmit>['run'];
  busy: boolean;
}

export function SubscriptionsPage({ me }: { me: Me }) {
  const list = useLoad(parent.subscriptions, []);
  const reload = list.reload;
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<Subscription | null>(null);
  const invoice = useSubmit();
  const code = useSubmit();
  const [active, setActive] = useState<'invoice' | 'code'>('code');
  const toggle = useRef<HTMLButtonElement>(null);
  const formTitle = useRef<HTMLHeadingElement>(null);
  const doneBox = useRef<HTMLDivElement>(null);
  const [leaving, setLeaving] = useState<Subscription | null>(null);
  const [left, setLeft] = useState<{ label: string; at: number } | null>(null);
  const leave = useSubmit();
  const leaveTitle = useRef<HTMLHeadingElement>(null);
  const leftBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (open) formTitle.current?.focus();
  }, [open]);
  useEffect(() => {
    if (done) doneBox.current?.focus();
  }, [done]);
  useEffect(() => {
    if (leaving) leaveTitle.current?.focus();
  }, [leaving]);
  useEffect(() => {
    if (left) leftBox.current?.focus();
  }, [left]);

  function askLeave(s: Subscription) {
    leave.setError(null);
    setLeaving(s);
  }
  function cancelLeave() {
    const id = leaving?.family_id;
    setLeaving(null);
    leave.setError(null);
    if (id) setTimeout(() => document.getElementById(`quitter-${id}`)?.focus(), 0);
  }
  function confirmLeave() {
    const s = leaving;
    if (!s) return;
    void leave.run(
      () => parent.leave(s.family_id),
      async () => {
        forgetFamily(s.family_id);
        setLeaving(null);
        setDone(null);
        await Promise.all([refreshSession(), reload()]);
        setLeft({ label: s.label, at: Date.now() });
      },
      () => void reload(),
    );
  }

  function cancel() {
    setOpen(false);
    invoice.setError(null);
    code.setError(null);
    setTimeout(() => toggle.current?.focus(), 0);
  }
  function linked(s: Subscription) {
    setOpen(false);
    setLeft(null);
    setDone(s);
    chooseFamily(s.family_id);
    void refreshSession();
    void reload();
  }
  const wrap = (which: 'invoice' | 'code', s: ReturnType<typeof useSubmit>): ReturnType<typeof useSubmit>['run'] => {
    return (action, ok, failed) => {
      setActive(which);
      (which === 'invoice' ? code : invoice).setError(null);
      return s.run(action, ok, failed);
    };
  };

  const hasError = (active === 'invoice' ? invoice.error : code.error) !== null;
  return (
    <Page title="Mes abonnements" error={hasError} breadcrumb={[{ href: '/mon-espace', label: 'Mon espace citoyen' }, { label: 'Mes abonnements' }]}>
      <p class="lead">Un abonnement relie votre compte citoyen au dossier de votre famille : vous accédez alors à l'espace famille et à l'espace facturation.</p>
      {done && (
        <div ref={doneBox} class="notice notice--success" role="status" tabIndex={-1}>
          <p>
            <strong>Votre compte est maintenant relié au dossier « {done.label} ».</strong> L'abonnement est actif : vous pouvez dès maintenant accéder à votre espace famille.
          </p>
          <p>
            <a class="button" href="/espace-famille">
              Accéder à l'espace famille
            </a>
          </p>
        </div>
      )}
      {left && (
        <div ref={leftBox} key={left.at} class="notice notice--success" role="status" tabIndex={-1}>
          <p>
            <strong>Vous avez quitté le dossier « {left.label} ».</strong> Votre compte n'y est plus relié : vous ne voyez plus ce dossier famille ni le planning de ses enfants.
          </p>
        </div>
      )}
      <section aria-labelledby="liste-abonnements">
        <h2 id="liste-abonnements">Dossiers famille reliés à votre compte</h2>
        {list.state === 'loading' && <Loading text="Chargement de vos abonnements…" />}
        {list.state === 'failed' && <LoadError error={list.error} retry={() => void reload()} />}
        {list.state === 'ready' &&
          (list.data.items.length === 0 ? (
            <p>Aucun abonnement : votre compte n'est relié à aucun dossier famille.</p>
          ) : (
            <div class="table-wrap">
              <table class="data-table table-stack">
                <caption class="visually-hidden">Dossiers famille reliés à votre compte ({me.email})</caption>
                <thead>
                  <tr>
                    <th scope="col">Dossier famille</th>
                    <th scope="col">Abonné depuis le</th>
                    <th scope="col">Action</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((s) => (
                    <tr key={s.family_id}>
                      <th scope="row" data-label="Dossier famille">
                        {s.label}
                      </th>
                      <td data-label="Abonné depuis le">{instantLong(s.linked_at)}</td>
                      <td>
                        <button type="button" id={`quitter-${s.family_id}`} class="button button--secondary button--small" onClick={() => askLeave(s)}>
                          Quitter ce dossier<span class="visually-hidden"> « {s.label} »</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))}
        {leaving && (
          <div class="notice" role="group" aria-labelledby="quitter-titre">
            <h3 id="quitter-titre" class="notice__title" ref={leaveTitle} tabIndex={-1}>
              Quitter le dossier « {leaving.label} » ?
            </h3>
            <p id="quitter-texte">Vous ne verrez plus ce dossier famille ni le planning de ses enfants. Confirmer ?</p>
            <ActionError error={leave.error} />
            <div class="actions">
              <button type="button" class="button" aria-describedby="quitter-texte" aria-disabled={leave.busy ? 'true' : undefined} onClick={confirmLeave}>
                {leave.busy ? 'Envoi en cours…' : 'Confirmer'}
              </button>
              <button type="button" class="button button--secondary" onClick={cancelLeave}>
                Annuler
              </button>
            </div>
          </div>
        )}
        {!open && (
          <p class="actions">
            <button type="button" class="button" ref={toggle} onClick={() => setOpen(true)}>
              M'abonner
            </button>
          </p>
        )}
      </section>

      {open && (
        <section aria-labelledby="abonnement-titre" class="spaced prose">
          <h2 id="abonnement-titre" ref={formTitle} tabIndex={-1}>
            Abonnement
          </h2>
          <p>Retrouvez votre dossier famille avec une de vos factures, ou avec le code abonné transmis par votre collectivité.</p>
          <RequiredNote />
          <InvoiceForm onDone={linked} onCancel={cancel} error={active === 'invoice' ? invoice.error : null} setError={(e) => { setActive('invoice'); code.setError(null); invoice.setError(e); }} run={wrap('invoice', invoice)} busy={invoice.busy} />
          <p class="separator">
            Ou
          </p>
          <CodeForm onDone={linked} onCancel={cancel} error={active === 'code' ? code.error : null} setError={code.setError} run={wrap('code', code)} busy={code.busy} />
        </section>
      )}
    </Page>
  );
}
