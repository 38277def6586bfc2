/**
 * Online payment: the "Payer en ligne" button of a payable invoice (it
 * starts the payment, then the browser goes to the payment service's page),
 * and the page the parent comes back to (`/espace-facturation/paiement/{id}`),
 * which shows the outcome and asks again a few times while it is not known.
 */
import { useEffect, useState } from 'preact/hooks';

import { type Me, type OnlinePaymentView, asApiError, billing } from '../api';
import { useCurrentFamily } from '../family/current';
import { NoFamily } from '../family/ui';
import { LoadError, Loading, useLoad } from '../ui/load';
import { Page } from '../ui/page';

const HOME = '/espace-facturation';
const EURO = new Intl.NumberFormat('fr-FR', { style: 'currency', currency: 'EUR' });
const euros = (cents: number) => EURO.format(cents / 100);

/** Times the outcome page asks again while the payment is pending, and the pause between. */
const POLLS = 5;
const POLL_MS = 3000;

/** "Payer en ligne": starts the payment of the whole balance, then leaves for the payment service. */
export function PayOnlineButton({ familyId, invoiceId, number, small = false }: { familyId: string; invoiceId: string; number: string; small?: boolean }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const pay = async () => {
    setBusy(true);
    setError(null);
    try {
      const started = await billing.payOnline(familyId, invoiceId);
      window.location.assign(started.redirect_url);
    } catch (e) {
      const err = asApiError(e);
      setError(err.detail || "Le paiement en ligne n'a pas pu commencer. Réessayez dans quelques minutes.");
      setBusy(false);
    }
  };
  return (
    <span class="pay-online">
      <button type="button" class={`button${small ? ' button--small' : ''}`} onClick={() => void pay()} disabled={busy} aria-busy={busy}>
        {busy ? 'Redirection vers le paiement…' : 'Payer en ligne'}
        <span class="visually-hidden"> la facture n° {number}</span>
      </button>
      {error && (
        <span class="pay-online__error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}

const OUTCOMES = {
  paid: { title: 'Votre paiement a été accepté', tone: 'notice--success', text: 'Merci : le règlement est enregistré sur votre facture. Un e-mail de confirmation vous a été envoyé.' },
  refused: { title: 'Votre paiement a été refusé', tone: 'notice--error', text: "Aucune somme n'a été prélevée. La facture reste à payer : vous pouvez recommencer le paiement." },
  abandoned: { title: 'Votre paiement a été abandonné', tone: 'notice--error', text: "Aucune somme n'a été prélevée. La facture reste à payer : vous pouvez recommencer le paiement." },
  not_recorded: {
    title: 'Votre paiement a été reçu',
    tone: '',
    text: "Mais cette facture avait déjà été réglée ou annulée entre-temps : votre paiement n'a pas pu lui être appliqué. Vous n'avez rien à faire : la mairie vous remboursera, ou l'affectera à une autre de vos factures, et vous en informera.",
  },
  pending: { title: 'Votre paiement est en cours de traitement', tone: '', text: "Le service de paiement ne nous a pas encore donné de résultat. Cette page se met à jour d'elle-même ; vous pouvez aussi revenir plus tard sur Mes factures." },
} as const;

/** `/espace-facturation/paiement/{id}`: the outcome of an online payment. */
export function PaymentOutcomePage({ me, id }: { me: Me; id: string }) {
  const family = useCurrentFamily(me);
  const [round, setRound] = useState(0);
  const loaded = useLoad<OnlinePaymentView>(family ? () => billing.onlinePayment(family.family_id, id) : null, [family?.family_id, id, round], { keep: true });
  const pending = loaded.state === 'ready' && loaded.data.state === 'pending';
  useEffect(() => {
    if (!pending || round >= POLLS) return;
    const t = window.setTimeout(() => setRound((r) => r + 1), POLL_MS);
    return () => window.clearTimeout(t);
  }, [pending, round]);

  let body;
  if (!family) body = <NoFamily />;
  else if (loaded.state === 'loading') body = <Loading text="Chargement du résultat du paiement…" />;
  else if (loaded.state === 'failed' && loaded.error.status === 404)
    body = (
      <div class="notice notice--error" role="alert">
        <p>
          <strong>{loaded.error.detail || "Ce paiement en ligne n'existe pas."}</strong>
        </p>
      </div>
    );
  else if (loaded.state === 'failed') body = <LoadError error={loaded.error} retry={() => void loaded.reload()} />;
  else {
    const p = loaded.data;
    const o = p.state === 'paid' && p.not_recorded ? OUTCOMES.not_recorded : (OUTCOMES[p.state] ?? OUTCOMES.pending);
    body = (
      <>
        <div class={`notice ${o.tone}`} role="status">
          <h2 class="notice__title">{o.title}</h2>
          <p>{o.text}</p>
        </div>
        <dl class="invoice-facts">
          <dt>Facture</dt>
          <dd>n° {p.invoice_number}</dd>
          <dt>Service</dt>
          <dd>{p.service}</dd>
          <dt>Montant</dt>
          <dd>{euros(p.amount_cents)}</dd>
        </dl>
        {p.state === 'pending' && round >= POLLS && (
          <p>
            <button type="button" class="button button--secondary" onClick={() => setRound(0)}>
              Actualiser
            </button>
          </p>
        )}
        <ul class="outcome-links">
          <li>
            <a href={`${HOME}/factures/${encodeURIComponent(p.invoice_id)}`}>Voir la facture</a>
          </li>
          <li>
            <a href={HOME}>Retour à mes factures</a>
          </li>
          {p.state === 'paid' && !p.not_recorded && (
            <li>
              <a href={`${HOME}/reglements`}>Mes règlements</a>
            </li>
          )}
        </ul>
      </>
    );
  }
  return (
    <Page
      title="Paiement en ligne"
      breadcrumb={[
        { href: '/mon-espace', label: 'Mon espace citoyen' },
        { href: HOME, label: 'Espace facturation' },
        { label: 'Paiement en ligne' },
      ]}
    >
      {body}
    </Page>
  );
}
