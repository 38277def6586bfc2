/**
 * "Votre espace de facturation": Mes factures (`/espace-facturation`),
 * an invoice's detail (`/espace-facturation/factures/{id}`), Mes opérations
 * and Mes règlements, each its own address, with the guide's filters
 * (in the address) and 20 rows a page (`next_page`).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';

import { type InvoiceDetail, type InvoicePage, type InvoiceView, type Me, type OperationPage, type PaymentPage, type Schemas, billing } from '../api';
import { numericDay } from '../dates';
import { useCurrentFamily, withQuery } from '../family/current';
import { FamilyChooser, NoFamily } from '../family/ui';
import { location, navigate } from '../router';
import { LoadError, Loading, useLoad } from '../ui/load';
import { Page } from '../ui/page';
import { usePages } from '../ui/pages';
import { PayOnlineButton } from './payment';
import './billing.css';

const HOME = '/espace-facturation';
const EURO = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });

/** "12,50 €" (with the non-breaking spaces of the French format). */
export const euros = (cents: number) => EURO.format(cents / 100);

type InvoiceState = Schemas['InvoiceState'];
type OperationNature = Schemas['OperationNature'];
type PaymentMethod = Schemas['PaymentMethod'];

export const INVOICE_STATES: Record<InvoiceState, string> = {
  to_pay: 'À payer',
  partly_paid: 'Partiellement payée',
  paid: 'Payée',
  cancelled: 'Annulée',
};

const INVOICE_NATURES = { to_pay: 'À payer', paid: 'Payées', cancelled: 'Annulées' } as const;
const OPERATION_NATURES: Record<OperationNature, string> = { invoice: 'Factures', payment: 'Règlements', credit_note: 'Avoirs' };
const METHODS: Record<PaymentMethod, string> = {
  cheque: 'Chèque',
  cash: 'Espèces',
  transfer: 'Virement',
  direct_debit: 'Prélèvement',
  card: 'Carte bancaire',
  online: 'Paiement en ligne',
  other: 'Autre',
};

function InvoiceStateText({ state }: { state: InvoiceState }) {
  return <span class={`invoice-state invoice-state--${state}`}>{INVOICE_STATES[state] ?? state}</span>;
}

function Amount({ cents }: { cents: number }) {
  return <span class="billing-amount">{euros(cents)}</span>;
}

const VIEWS = [
  { href: HOME, label: 'Mes factures' },
  { href: `${HOME}/operations`, label: 'Mes opérations' },
  { href: `${HOME}/reglements`, label: 'Mes règlements' },
];

function BillingPage({ me, title, children }: { me: Me; title: string; children: ComponentChildren }) {
  const { path } = location();
  return (
    <Page title={title} breadcrumb={[{ href: '/mon-espace', label: 'Mon espace citoyen' }, ...(path === HOME ? [] : [{ href: HOME, label: 'Espace facturation' }]), { label: path === HOME ? 'Espace facturation' : title }]}>
      <FamilyChooser me={me} />
      <nav class="billing-tabs" aria-label="Espace facturation">
        <ul>
          {VIEWS.map((v) => (
            <li key={v.href}>
              <a href={v.href} aria-current={v.href === path || (v.href === HOME && path.startsWith(`${HOME}/factures/`)) ? 'page' : undefined}>
                {v.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      {children}
    </Page>
  );
}

interface Option {
  value: string;
  label: string;
}

interface Filter {
  id: string;
  /** The address's parameter. */
  param: string;
  label: string;
  all: string;
  options: Option[];
}

/** The filters of a list, kept in the address ("OK" navigates). */
function Filters({ path, filters, label }: { path: string; filters: Filter[]; label: string }) {
  const { query } = location();
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(filters.map((f) => [f.param, query.get(f.param) ?? ''])));
  return (
    <form
      class="filters"
      aria-label={label}
      onSubmit={(ev) => {
        ev.preventDefault();
        navigate(withQuery(path, values));
      }}
    >
      {filters.map((f) => (
        <div class="field" key={f.id}>
          <label for={f.id}>{f.label}</label>
          <select id={f.id} value={values[f.param] ?? ''} onChange={(e) => setValues({ ...values, [f.param]: e.currentTarget.value })}>
            <option value="">{f.all}</option>
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      ))}
      <button type="submit" class="button button--secondary">
        Filtrer
      </button>
    </form>
  );
}

const yearParam = (query: URLSearchParams) => {
  const y = Number(query.get('annee') ?? '');
  return Number.isInteger(y) && y > 1900 && y < 3000 ? y : undefined;
};

const yearOptions = (years: number[]) => years.map((y) => ({ value: String(y), label: String(y) }));

// ---- Mes factures ----------------------------------------------------------------------

export function InvoicesPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const { query } = location();
  const nature = (query.get('nature') ?? '') as keyof typeof INVOICE_NATURES | '';
  const year = yearParam(query);
  const service = query.get('service') ?? '';
  const pages = usePages(family?.family_id);
  const list = useLoad<InvoicePage>(
    family ? () => billing.invoices({ family_id: family.family_id, nature: nature in INVOICE_NATURES ? nature || undefined : undefined, year, service: service || undefined, page: pages.page }) : null,
    [family?.family_id, nature, year, service, pages.page],
  );
  // Once the new page is in (not on the render that asks for it).
  useEffect(() => {
    if (list.state === 'ready' && !list.loading) pages.shown();
  }, [list.data]);

  let body;
  if (!family) body = <NoFamily />;
  else if (list.state === 'loading') body = <Loading text="Chargement de vos factures…" />;
  else if (list.state === 'failed') body = <LoadError error={list.error} retry={() => void list.reload()} />;
  else {
    const { items, next_page, to_pay_cents, years, services } = list.data;
    const filters: Filter[] = [
      { id: 'nature', param: 'nature', label: 'Nature', all: 'Toutes', options: Object.entries(INVOICE_NATURES).map(([value, label]) => ({ value, label })) },
      { id: 'annee', param: 'annee', label: 'Année', all: 'Toutes les années', options: yearOptions(years) },
    ];
    if (services.length > 1) filters.push({ id: 'service', param: 'service', label: 'Service', all: 'Tous les services', options: services.map((s) => ({ value: s, label: s })) });
    body = (
      <>
        <p class="billing-total">
          {to_pay_cents > 0 ? (
            <>
              Total restant à payer : <strong><Amount cents={to_pay_cents} /></strong>
            </>
          ) : (
            "Vous n'avez aucune facture à payer."
          )}
        </p>
        <Filters path={HOME} filters={filters} label="Filtrer les factures" />
        <h2>Facture(s)</h2>
        {pages.counter({ items: items.length, next: next_page, what: 'factures' })}
        {items.length === 0 ? (
          <p>{nature || year || service ? 'Aucune facture ne correspond à ces critères.' : "Vous n'avez aucune facture pour le moment."}</p>
        ) : (
          <div class="table-wrap">
            <table class="data-table table-stack">
              <caption class="visually-hidden">Mes factures, de la plus récente à la plus ancienne</caption>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Service</th>
                  <th scope="col">Émetteur</th>
                  <th scope="col">Échéance</th>
                  <th scope="col">Montant</th>
                  <th scope="col">Reste à payer</th>
                  <th scope="col">État</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {items.map((i) => (
                  <InvoiceRow key={i.id} invoice={i} familyId={family.family_id} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages.pager({ next: next_page })}
      </>
    );
  }
  return (
    <BillingPage me={me} title="Mes factures">
      {body}
    </BillingPage>
  );
}

/** The invoice's PDF (rendered by the portal, or the commune's own). */
export function pdfHref(familyId: string, id: string): string {
  return withQuery(`/api/billing/invoices/${encodeURIComponent(id)}/pdf`, { family_id: familyId });
}

function PdfLink({ familyId, invoice: i, big }: { familyId: string; invoice: Pick<InvoiceView, 'id' | 'number' | 'pdf'>; big?: boolean }) {
  if (!i.pdf) return null;
  return (
    <a class={`button button--secondary${big ? '' : ' button--small'}`} href={pdfHref(familyId, i.id)} download={`facture-${i.number}.pdf`}>
      Télécharger
      <span class="visually-hidden"> la facture n° {i.number} (PDF)</span>
    </a>
  );
}

function InvoiceRow({ invoice: i, familyId }: { invoice: InvoiceView; familyId: string }) {
  return (
    <tr>
      <td data-label="Date">{numericDay(i.issued_on)}</td>
      <td data-label="Service">{i.service}</td>
      <td data-label="Émetteur">{i.issuer}</td>
      <td data-label="Échéance">{numericDay(i.due_on)}</td>
      <td data-label="Montant">
        <Amount cents={i.amount_cents} />
      </td>
      <td data-label="Reste à payer">
        <Amount cents={i.balance_cents} />
      </td>
      <td data-label="État">
        <InvoiceStateText state={i.state} />
      </td>
      <td>
        <a class="button button--secondary button--small" href={`${HOME}/factures/${encodeURIComponent(i.id)}`}>
          Voir le détail
          <span class="visually-hidden">
            {' '}
            de la facture n° {i.number} du {numericDay(i.issued_on)}
          </span>
        </a>{' '}
        <PdfLink familyId={familyId} invoice={i} />
        {i.payable_online && <PayOnlineButton familyId={familyId} invoiceId={i.id} number={i.number} small />}
      </td>
    </tr>
  );
}

// ---- an invoice's detail ----------------------------------------------------------------------

export function InvoiceDetailPage({ me, id }: { me: Me; id: string }) {
  const family = useCurrentFamily(me);
  const detail = useLoad<InvoiceDetail>(family ? () => billing.invoice(family.family_id, id) : null, [family?.family_id, id]);
  let body;
  let title = 'Détail de la facture';
  if (!family) body = <NoFamily />;
  else if (detail.state === 'loading') body = <Loading text="Chargement de la facture…" />;
  else if (detail.state === 'failed' && detail.error.status === 404)
    body = (
      <div class="notice notice--error" role="alert">
        <p>
          <strong>{detail.error.detail || "Cette facture n'existe pas."}</strong>
        </p>
        <p>
          <a href={HOME}>Retour à mes factures</a>
        </p>
      </div>
    );
  else if (detail.state === 'failed') body = <LoadError error={detail.error} retry={() => void detail.reload()} />;
  else {
    const d = detail.data;
    title = `Facture n° ${d.number}`;
    body = (
      <>
        <dl class="invoice-facts">
          <dt>Date</dt>
          <dd>{numericDay(d.issued_on)}</dd>
          <dt>Service</dt>
          <dd>{d.service}</dd>
          <dt>Émetteur</dt>
          <dd>{d.issuer}</dd>
          <dt>Échéance</dt>
          <dd>{numericDay(d.due_on)}</dd>
          <dt>Montant</dt>
          <dd>
            <Amount cents={d.amount_cents} />
          </dd>
          <dt>Déjà réglé</dt>
          <dd>
            <Amount cents={d.paid_cents} />
          </dd>
          <dt>Reste à payer</dt>
          <dd>
            <Amount cents={d.balance_cents} />
          </dd>
          <dt>État</dt>
          <dd>
            <InvoiceStateText state={d.state} />
          </dd>
        </dl>
        <p>
          <PdfLink familyId={family.family_id} invoice={d} big />
        </p>
        {d.payable_online && (
          <p class="pay-online-line">
            <PayOnlineButton familyId={family.family_id} invoiceId={d.id} number={d.number} />
          </p>
        )}
        {d.credit_note && (
          <div class="notice">
            <h2 class="notice__title">Facture annulée par l'avoir n° {d.credit_note.number}</h2>
            <p>
              Avoir du {numericDay(d.credit_note.date)} d'un montant de <Amount cents={d.credit_note.amount_cents} /> : {d.credit_note.reason}
            </p>
          </div>
        )}
        <h2>Lignes de la facture</h2>
        {d.lines.length === 0 ? (
          <p>Cette facture ne détaille pas ses lignes.</p>
        ) : (
          <div class="table-wrap">
            <table class="data-table table-stack">
              <caption class="visually-hidden">Lignes de la facture n° {d.number}</caption>
              <thead>
                <tr>
                  <th scope="col">Libellé</th>
                  <th scope="col">Enfant</th>
                  <th scope="col">Activité</th>
                  <th scope="col">Période</th>
                  <th scope="col">Quantité</th>
                  <th scope="col">Prix unitaire</th>
                  <th scope="col">Montant</th>
                </tr>
              </thead>
              <tbody>
                {d.lines.map((l, n) => (
                  <tr key={n}>
                    <td data-label="Libellé">{l.label}</td>
                    <td data-label="Enfant">{l.child ?? ''}</td>
                    <td data-label="Activité">{l.activity ?? ''}</td>
                    <td data-label="Période">{l.period ?? ''}</td>
                    <td data-label="Quantité">{l.quantity}</td>
                    <td data-label="Prix unitaire">
                      <Amount cents={l.unit_price_cents} />
                    </td>
                    <td data-label="Montant">
                      <Amount cents={l.amount_cents} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <h2>Règlements de la facture</h2>
        {d.payments.length === 0 ? <p>Aucun règlement pour cette facture.</p> : <PaymentTable items={d.payments} caption={`Règlements de la facture n° ${d.number}`} />}
        <p>
          <a href={HOME}>Retour à mes factures</a>
        </p>
      </>
    );
  }
  return (
    <BillingPage me={me} title={title}>
      {body}
    </BillingPage>
  );
}

function PaymentTable({ items, caption }: { items: PaymentPage['items']; caption: string }) {
  return (
    <div class="table-wrap">
      <table class="data-table table-stack">
        <caption class="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">N° opération</th>
            <th scope="col">Date</th>
            <th scope="col">Mode de règlement</th>
            <th scope="col">Description</th>
            <th scope="col">Montant</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.id}>
              <td data-label="N° opération">{p.number}</td>
              <td data-label="Date">{numericDay(p.date)}</td>
              <td data-label="Mode de règlement">{METHODS[p.method] ?? p.method}</td>
              <td data-label="Description">{p.description}</td>
              <td data-label="Montant">
                <Amount cents={p.amount_cents} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// ---- Mes opérations ----------------------------------------------------------------------

/** The years and services of the family's invoices, for the filters of the other lists. */
function useChoices(familyId: string | undefined) {
  const first = useLoad<InvoicePage>(familyId ? () => billing.invoices({ family_id: familyId }) : null, [familyId]);
  return first.state === 'ready' ? { years: first.data.years, services: first.data.services } : { years: [], services: [] };
}

export function OperationsPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const { query } = location();
  const nature = (query.get('nature') ?? '') as OperationNature | '';
  const year = yearParam(query);
  const service = query.get('service') ?? '';
  const pages = usePages(family?.family_id);
  const choices = useChoices(family?.family_id);
  const list = useLoad<OperationPage>(
    family ? () => billing.operations({ family_id: family.family_id, nature: nature in OPERATION_NATURES ? nature || undefined : undefined, year, service: service || undefined, page: pages.page }) : null,
    [family?.family_id, nature, year, service, pages.page],
  );
  // Once the new page is in (not on the render that asks for it).
  useEffect(() => {
    if (list.state === 'ready' && !list.loading) pages.shown();
  }, [list.data]);
  const filters: Filter[] = [
    { id: 'nature', param: 'nature', label: 'Nature', all: 'Toutes', options: Object.entries(OPERATION_NATURES).map(([value, label]) => ({ value, label })) },
    { id: 'service', param: 'service', label: 'Service', all: 'Tous les services', options: choices.services.map((s) => ({ value: s, label: s })) },
    { id: 'annee', param: 'annee', label: 'Année', all: 'Toutes les années', options: yearOptions(choices.years) },
  ];
  let body;
  if (!family) body = <NoFamily />;
  else if (list.state === 'loading') body = <Loading text="Chargement de vos opérations…" />;
  else if (list.state === 'failed') body = <LoadError error={list.error} retry={() => void list.reload()} />;
  else {
    const { items, next_page, to_pay_cents } = list.data;
    body = (
      <>
        <p class="billing-total">
          Total restant à payer : <strong><Amount cents={to_pay_cents} /></strong>
        </p>
        <Filters key={choices.years.join()} path={`${HOME}/operations`} filters={filters} label="Filtrer les opérations" />
        {pages.counter({ items: items.length, next: next_page, what: 'opérations' })}
        {items.length === 0 ? (
          <p>{nature || year || service ? 'Aucune opération ne correspond à ces critères.' : "Vous n'avez aucune opération pour le moment."}</p>
        ) : (
          <div class="table-wrap">
            <table class="data-table table-stack">
              <caption class="visually-hidden">Mes opérations, de la plus récente à la plus ancienne</caption>
              <thead>
                <tr>
                  <th scope="col">N° opération</th>
                  <th scope="col">Date</th>
                  <th scope="col">Description</th>
                  <th scope="col">Crédit</th>
                  <th scope="col">Débit</th>
                  <th scope="col">À payer</th>
                </tr>
              </thead>
              <tbody>
                {items.map((o, n) => (
                  <tr key={`${o.number}-${n}`}>
                    <td data-label="N° opération">{o.number}</td>
                    <td data-label="Date">{numericDay(o.date)}</td>
                    <td data-label="Description">{o.description}</td>
                    <td data-label="Crédit">
                      <Amount cents={o.credit_cents} />
                    </td>
                    <td data-label="Débit">
                      <Amount cents={o.debit_cents} />
                    </td>
                    <td data-label="À payer">
                      <Amount cents={o.to_pay_cents} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {pages.pager({ next: next_page })}
      </>
    );
  }
  return (
    <BillingPage me={me} title="Mes opérations">
      {body}
    </BillingPage>
  );
}

// ---- Mes règlements ----------------------------------------------------------------------

export function PaymentsPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const { query } = location();
  const year = yearParam(query);
  const service = query.get('service') ?? '';
  const pages = usePages(family?.family_id);
  const choices = useChoices(family?.family_id);
  const list = useLoad<PaymentPage>(family ? () => billing.payments({ family_id: family.family_id, year, service: service || undefined, page: pages.page }) : null, [family?.family_id, year, service, pages.page]);
  // Once the new page is in (not on the render that asks for it).
  useEffect(() => {
    if (list.state === 'ready' && !list.loading) pages.shown();
  }, [list.data]);
  const filters: Filter[] = [
    { id: 'service', param: 'service', label: 'Service', all: 'Tous les services', options: choices.services.map((s) => ({ value: s, label: s })) },
    { id: 'annee', param: 'annee', label: 'Année', all: 'Toutes les années', options: yearOptions(choices.years) },
  ];
  let body;
  if (!family) body = <NoFamily />;
  else if (list.state === 'loading') body = <Loading text="Chargement de vos règlements…" />;
  else if (list.state === 'failed') body = <LoadError error={list.error} retry={() => void list.reload()} />;
  else {
    const { items, next_page } = list.data;
    body = (
      <>
        <Filters key={choices.years.join()} path={`${HOME}/reglements`} filters={filters} label="Filtrer les règlements" />
        {pages.counter({ items: items.length, next: next_page, what: 'règlements' })}
        {items.length === 0 ? <p>{year || service ? 'Aucun règlement ne correspond à ces critères.' : "Vous n'avez aucun règlement pour le moment."}</p> : <PaymentTable items={items} caption="Mes règlements, du plus récent au plus ancien" />}
        {pages.pager({ next: next_page })}
      </>
    );
  }
  return (
    <BillingPage me={me} title="Mes règlements">
      {body}
    </BillingPage>
  );
}
