/**
 * `/agent/paiements-en-ligne`: online payments taken but not recorded (the
 * invoice was settled by a cheque, or cancelled, before the payer paid
 * online). The money is taken: the commune refunds the payer, or applies it
 * to another open invoice of the family. Also the family's own ones, on its
 * page.
 */
import { useState } from 'preact/hooks';

import type { FieldProblem } from '../api';
import { type AgentInvoice, type OnlinePaymentReview, type ReviewState, agent } from '../api/agent';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { Choices, ErrorSummary, formErrors, InputField, required, RequiredNote, SelectField, SubmitButton, TextAreaField, useSubmit } from '../ui/form';
import { dateTime, euros, plural } from './format';
import { AgentPage, Result, TableRegion } from './ui';

export const ONLINE_PAYMENTS_PAGE = '/agent/paiements-en-ligne';

/** Rows of a page (the API's most). */
const PAGE_SIZE = 50;
const NOTE_MAX = 500;

/** "3 paiements en ligne à régulariser". */
export const toReviewText = (n: number, more = false) =>
  `${more ? 'Plus de ' : ''}${plural(n, 'paiement en ligne', 'paiements en ligne')} à régulariser`;

/** How many wait (one page of at most 50): `more` when there are others. */
export async function countToReview(): Promise<{ count: number; more: boolean }> {
  const page = await agent.onlinePayments({ state: 'to_review', limit: PAGE_SIZE });
  return { count: page.items.length, more: Boolean(page.next_page) };
}

function settlementText(p: OnlinePaymentReview): string {
  const s = p.settlement;
  if (!s) return '';
  const how = s.action === 'refunded' ? 'Remboursé' : `Affecté à la facture n° ${s.invoice_number ?? ''}`;
  return `${how} par ${s.by_name}, le ${dateTime(s.at)}`;
}

/** The page. */
export function OnlinePaymentsPage() {
  const [state, setState] = useState<ReviewState>('to_review');
  const [page, setPage] = useState<string | null>(null);
  const list = useLoad(() => agent.onlinePayments({ state, limit: PAGE_SIZE }, page), [state, page], { keep: true });
  const [settling, setSettling] = useState<OnlinePaymentReview | null>(null);
  const [done, setDone] = useState<{ text: string; at: number } | null>(null);

  async function finished(text: string) {
    setSettling(null);
    await list.reload();
    setDone({ text, at: Date.now() });
  }

  function show(s: ReviewState) {
    setState(s);
    setPage(null);
    setSettling(null);
  }

  const items = list.data?.items;
  const toReview = state === 'to_review';
  return (
    <AgentPage title="Paiements en ligne à régulariser" crumbs={[{ label: 'Paiements en ligne à régulariser' }]}>
      <p>
        Ces paiements en ligne ont été encaissés alors que leur facture venait d'être réglée autrement (un chèque en mairie, par exemple) ou annulée : ils n'ont été enregistrés sur
        aucune facture. Remboursez la famille, puis indiquez la référence du remboursement, ou affectez le paiement à une autre facture de la famille.
      </p>
      <div class="actions" role="group" aria-label="Paiements affichés">
        <button type="button" class={`button${toReview ? '' : ' button--secondary'}`} aria-pressed={toReview} onClick={() => show('to_review')}>
          À régulariser
        </button>
        <button type="button" class={`button${toReview ? ' button--secondary' : ''}`} aria-pressed={!toReview} onClick={() => show('settled')}>
          Déjà régularisés
        </button>
      </div>
      {done && (
        <Result token={done.at}>
          <p>{done.text}</p>
        </Result>
      )}
      {list.error ? (
        <LoadFailure error={list.error} />
      ) : !items ? (
        <Loading text="Chargement des paiements en ligne…" />
      ) : items.length === 0 ? (
        <p>{toReview ? "Aucun paiement en ligne n'est à régulariser." : "Aucun paiement en ligne n'a encore été régularisé."}</p>
      ) : (
        <>
          <TableRegion labelledBy="paiements-legende">
            <table class="bo-table">
              <caption id="paiements-legende">{toReview ? 'Paiements en ligne à régulariser, du plus ancien au plus récent' : 'Paiements en ligne régularisés, du plus ancien au plus récent'}</caption>
              <thead>
                <tr>
                  <th scope="col">Payé le</th>
                  <th scope="col">Famille</th>
                  <th scope="col">Facture</th>
                  <th scope="col">Montant de la facture</th>
                  <th scope="col">Reste à payer</th>
                  <th scope="col">Montant payé</th>
                  <th scope="col">Transaction</th>
                  <th scope="col">Motif</th>
                  <th scope="col">{toReview ? 'Actions' : 'Régularisation'}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((p) => (
                  <tr key={p.id}>
                    <th scope="row">{dateTime(p.paid_at)}</th>
                    <td>
                      <a href={`/agent/familles/${encodeURIComponent(p.family_id)}`}>{p.family_label || p.family_id}</a>
                    </td>
                    <td>
                      n° {p.invoice.number}
                      <br />
                      <span class="bo-muted">{p.invoice.service}</span>
                    </td>
                    <td>{euros(p.invoice.amount_cents)}</td>
                    <td>{euros(p.invoice.balance_cents)}</td>
                    <td>{euros(p.amount_cents)}</td>
                    <td class="bo-mono">
                      {p.idop}
                      {p.transaction && (
                        <>
                          <br />
                          <span>Autorisation n° {p.transaction}</span>
                        </>
                      )}
                    </td>
                    <td>{p.reason}</td>
                    <td>
                      {toReview ? (
                        <button type="button" class="button button--small" onClick={() => setSettling(p)}>
                          Régulariser<span class="visually-hidden"> le paiement de {euros(p.amount_cents)} de la facture n° {p.invoice.number}</span>
                        </button>
                      ) : (
                        <>
                          {settlementText(p)}
                          {p.settlement?.note && (
                            <>
                              <br />
                              <span class="bo-muted">{p.settlement.note}</span>
                            </>
                          )}
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
          <div class="actions">
            {page !== null && (
              <button type="button" class="button button--secondary" onClick={() => setPage(null)}>
                Premiers paiements
              </button>
            )}
            {list.data?.next_page && (
              <button type="button" class="button button--secondary" onClick={() => setPage(list.data?.next_page ?? null)}>
                Paiements suivants
              </button>
            )}
          </div>
        </>
      )}
      {settling && <SettleForm key={settling.id} payment={settling} onDone={finished} onClose={() => setSettling(null)} />}
    </AgentPage>
  );
}

/** Every open invoice of a family (pages of 20, at most 10 read). */
async function openInvoices(familyId: string): Promise<AgentInvoice[]> {
  const out: AgentInvoice[] = [];
  let page: string | null | undefined = null;
  for (let i = 0; i < 10; i++) {
    const answer: { items: AgentInvoice[]; next_page?: string | null } = await agent.openInvoices(familyId, page);
    out.push(...answer.items.filter((inv) => inv.balance_cents > 0));
    page = answer.next_page;
    if (!page) break;
  }
  return out;
}

const SETTLE_FIELDS: Record<string, string> = { action: 'regularisation-action', note: 'regularisation-note', invoice_id: 'regularisation-facture' };

type Action = 'refunded' | 'recorded';

function SettleForm({ payment, onDone, onClose }: { payment: OnlinePaymentReview; onDone: (text: string) => Promise<void>; onClose: () => void }) {
  const [action, setAction] = useState<Action | null>(null);
  const [note, setNote] = useState('');
  const [invoiceId, setInvoiceId] = useState('');
  const invoices = useLoad(() => openInvoices(payment.family_id), [payment.family_id]);
  const { busy, error, setError, run } = useSubmit();
  const shownError =
    error && !error.errors.length && (error.code === 'overpayment' || error.code === 'invoice_cancelled' || error.code === 'unknown_invoice')
      ? formErrors([{ field: 'invoice_id', code: error.code, message: error.detail }])
      : error;
  const err = (f: string) => shownError?.fieldMessage(f);
  const options: [string, string][] = (invoices.data ?? []).map((i) => [i.id, `n° ${i.number}, ${i.service}, reste à payer ${euros(i.balance_cents)}`]);

  function submit(ev: Event) {
    ev.preventDefault();
    const local: FieldProblem[] = [];
    if (!action) local.push(required('action', 'Régularisation'));
    if (action === 'refunded' && !note.trim()) local.push(required('note', 'Référence du remboursement'));
    if (action === 'recorded' && !invoiceId) local.push(required('invoice_id', 'Facture'));
    if (note.trim().length > NOTE_MAX) local.push({ field: 'note', code: 'note_too_long', message: `La note ne doit pas dépasser ${NOTE_MAX} caractères.` });
    if (local.length) {
      setError(formErrors(local));
      return;
    }
    const invoice = invoices.data?.find((i) => i.id === invoiceId);
    void run(
      () =>
        agent.settleOnlinePayment(payment.id, {
          action: action as Action,
          note: note.trim() || null,
          invoice_id: action === 'recorded' ? invoiceId : null,
        }),
      (r) =>
        void onDone(
          action === 'refunded'
            ? `Paiement de ${euros(payment.amount_cents)} (transaction ${payment.idop}) noté comme remboursé.`
            : `Paiement de ${euros(payment.amount_cents)} affecté à la facture n° ${invoice?.number ?? ''}. Reste à payer : ${euros(r.invoice?.balance_cents ?? 0)}.`,
        ),
    );
  }

  return (
    <section class="panel form-section spaced-small" aria-labelledby="regularisation-titre">
      <h2 id="regularisation-titre" tabIndex={-1} ref={(h) => h?.focus()}>
        {`Régulariser le paiement de ${euros(payment.amount_cents)} (facture n° ${payment.invoice.number})`}
      </h2>
      <p>
        {payment.family_label} · transaction {payment.idop} · {payment.reason}.
      </p>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
        <ErrorSummary error={shownError} id="regularisation-erreurs" fields={SETTLE_FIELDS} />
        <Choices<Action>
          id="regularisation-action"
          legend="Régularisation"
          type="radio"
          required
          inline={false}
          options={[
            ['refunded', 'Remboursé à la famille (hors du portail)'],
            ['recorded', 'Affecté à une autre facture de la famille'],
          ]}
          checked={(v) => action === v}
          onToggle={(v, on) => on && setAction(v)}
          error={err('action')}
        />
        {action === 'recorded' &&
          (invoices.error ? (
            <LoadFailure error={invoices.error} />
          ) : !invoices.data ? (
            <Loading text="Chargement des factures de la famille…" />
          ) : options.length === 0 ? (
            <p class="notice">Cette famille n'a aucune autre facture à payer : remboursez-la.</p>
          ) : (
            <SelectField
              id="regularisation-facture"
              label="Facture"
              hint={`Le paiement de ${euros(payment.amount_cents)} ne doit pas dépasser son reste à payer.`}
              required
              empty="Choisir une facture"
              value={invoiceId}
              onValue={setInvoiceId}
              options={options}
              error={err('invoice_id')}
            />
          ))}
        {action === 'refunded' ? (
          <InputField
            autoComplete="off"
            id="regularisation-note"
            label="Référence du remboursement"
            hint="Par exemple le n° du mandat ou du virement de remboursement."
            required
            value={note}
            onValue={setNote}
            error={err('note')}
            maxLength={NOTE_MAX}
          />
        ) : (
          action === 'recorded' && <TextAreaField id="regularisation-note" label="Note" hint="Facultatif, 500 caractères au plus." value={note} onValue={setNote} error={err('note')} maxLength={NOTE_MAX} />
        )}
        <div class="actions">
          <SubmitButton busy={busy}>Enregistrer la régularisation</SubmitButton>
          <button type="button" class="button button--secondary" onClick={onClose}>
            Fermer
          </button>
        </div>
      </form>
    </section>
  );
}

/** On a family's page: its online payments still to regularise, if any. */
export function FamilyOnlinePayments({ familyId }: { familyId: string }) {
  const list = useLoad(() => agent.onlinePayments({ state: 'to_review', family_id: familyId, limit: PAGE_SIZE }), [familyId]);
  const items = list.data?.items;
  if (list.error) return <LoadFailure error={list.error} />;
  if (!items || items.length === 0) return null;
  return (
    <section class="notice spaced-small" aria-labelledby="paiements-a-regulariser">
      <h2 id="paiements-a-regulariser" class="notice__title">
        {toReviewText(items.length)}
      </h2>
      <ul>
        {items.map((p) => (
          <li key={p.id}>
            {euros(p.amount_cents)} payés en ligne le {dateTime(p.paid_at)} pour la facture n° {p.invoice.number} ({p.reason.toLowerCase()}).
          </li>
        ))}
      </ul>
      <p>
        <a href={ONLINE_PAYMENTS_PAGE}>Régulariser les paiements en ligne</a>
      </p>
    </section>
  );
}
