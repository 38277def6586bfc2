/**
 * `/agent/facturation`: « Facturation du mois ». The agent chooses a régie
 * and a month; « Simuler » bills every family enrolled in the régie's
 * activities without writing anything (the totals, then each family's
 * lines and the days not billed with their reason, 20 families a page);
 * « Émettre les factures », once the month is over and after a
 * confirmation, writes the invoices into Espace facturation, numbered
 * without gap, and sends each family its e-mail. Both run on the server:
 * the page follows their progress.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { type Schemas, call } from '../api/core';
import { agent, type Regie } from '../api/agent';
import { ErrorSummary, SelectField, useSubmit } from '../ui/form';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { euros, plural, shortDate } from './format';
import { AgentPage, ConfirmDialog, Result, TableRegion } from './ui';

type RunJob = Schemas['RunJob'];
type RunView = Schemas['RunView'];
type FamilyResult = Schemas['FamilyResult'];

const startRun = (body: Schemas['RunRequest']) => call('post', '/api/agent/invoicing/runs', { body });
const showRun = (id: string, page: number) => call('get', '/api/agent/invoicing/runs/{id}', { path: { id }, query: { page } });

/** How often a running run is asked where it is. */
const POLL_MS = 1000;

const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** "février 2027" from "2027-02". */
function monthLabel(m: string): string {
  const [y, n] = m.split('-').map(Number);
  return `${MONTHS[(n ?? 1) - 1] ?? m} ${y}`;
}

/** The previous month first (the one usually billed), the current one, then the eleven before ("2027-02"). */
function monthChoices(): [string, string][] {
  const now = new Date();
  return [1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((back) => {
    const d = new Date(now.getFullYear(), now.getMonth() - back, 1);
    const code = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}`;
    return [code, monthLabel(code)];
  });
}

const UNITS: Record<string, [string, string]> = {
  slot: ['créneau', 'créneaux'],
  half_day: ['demi-journée', 'demi-journées'],
  meal: ['repas', 'repas'],
  day: ['journée', 'journées'],
};

const KINDS: Record<string, string> = {
  units: '',
  unexcused_fee: 'Absence non justifiée',
  unreserved_fee: 'Présence sans réservation',
  credit: 'Avoir',
};

function unitText(l: FamilyResult['bill']['lines'][number]): string {
  if (l.kind !== 'units' || !l.unit) return KINDS[l.kind] ?? '';
  const [one, many] = UNITS[l.unit] ?? [l.unit, l.unit];
  return l.count > 1 ? many : one;
}

function Totals({ run }: { run: RunJob }) {
  return (
    <ul>
      <li>{plural(run.families, 'famille inscrite', 'familles inscrites')} aux activités de la régie</li>
      <li>
        {plural(run.billed, 'famille à facturer', 'familles à facturer')}, pour un total de <strong>{euros(run.total_cents)}</strong> (
        {plural(run.lines, 'ligne', 'lignes')})
      </li>
      {run.skipped > 0 && <li>{plural(run.skipped, 'jour non facturé', 'jours non facturés')} (motifs ci-dessous)</li>}
      {run.errors > 0 && <li>{plural(run.errors, 'famille en erreur', 'familles en erreur')}</li>}
    </ul>
  );
}

function FamilyTable({ f }: { f: FamilyResult }) {
  const caption = `fam-${f.family_id}`;
  const issue = f.issue;
  return (
    <section class="panel spaced-small" aria-labelledby={`${caption}-titre`}>
      <h3 id={`${caption}-titre`}>
        {f.label || 'Famille'} : {euros(f.bill.total_cents)}
      </h3>
      {issue?.outcome === 'issued' && <p>Facture {issue.number} émise.</p>}
      {issue?.outcome === 'already_issued' && <p>Déjà facturée : facture {issue.number}.</p>}
      {issue?.outcome === 'nothing_to_issue' && <p>Rien à facturer : pas de facture ; un avoir attend la facture suivante.</p>}
      {f.error && <p class="notice notice--error">{f.error}</p>}
      {f.bill.lines.length === 0 ? (
        <p>Aucune ligne ce mois-ci.</p>
      ) : (
        <TableRegion labelledBy={caption}>
          <table class="bo-table">
            <caption id={caption}>Lignes de {f.label || 'la famille'}</caption>
            <thead>
              <tr>
                <th scope="col">Enfant</th>
                <th scope="col">Activité</th>
                <th scope="col">Unité</th>
                <th scope="col">Quantité</th>
                <th scope="col">Prix unitaire</th>
                <th scope="col">Montant</th>
              </tr>
            </thead>
            <tbody>
              {f.bill.lines.map((l, i) => (
                <tr key={i}>
                  <th scope="row">{l.child_name}</th>
                  <td>{l.activity_name}</td>
                  <td>
                    {unitText(l)}
                    {l.reduced ? ' (tarif réduit)' : ''}
                  </td>
                  <td>{l.count}</td>
                  <td>{euros(l.unit_price_cents)}</td>
                  <td>{euros(l.amount_cents)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      {f.bill.notes.length > 0 && (
        <ul>
          {f.bill.notes.map((n, i) => (
            <li key={i}>{n.message}</li>
          ))}
        </ul>
      )}
      {f.bill.skipped.length > 0 && (
        <details class="bo-details">
          <summary>{plural(f.bill.skipped.length, 'jour non facturé', 'jours non facturés')}</summary>
          <ul>
            {f.bill.skipped.map((s, i) => (
              <li key={i}>
                {shortDate(s.date)} : {s.message}
              </li>
            ))}
          </ul>
        </details>
      )}
    </section>
  );
}

export function InvoicingRunPage() {
  const regies = useLoad(() => agent.regies(), []);
  const months = monthChoices();
  const [regie, setRegie] = useState('');
  const [month, setMonth] = useState(months[0]?.[0] ?? '');
  const [view, setView] = useState<RunView | null>(null);
  const [page, setPage] = useState(0);
  const [confirming, setConfirming] = useState(false);
  const { busy, error, run } = useSubmit();
  const timer = useRef<number | undefined>(undefined);
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => () => window.clearTimeout(timer.current), []);

  const usable: Regie[] = (regies.data?.items ?? []).filter((r) => r.active && r.code);
  useEffect(() => {
    if (!regie && usable[0]) setRegie(usable[0].id);
  }, [regies.data]);

  /** Asks where the run is every second until it ends, then shows a page. */
  function follow(id: string, p: number) {
    window.clearTimeout(timer.current);
    const tick = async () => {
      try {
        const v = await showRun(id, p);
        setView(v);
        if (v.run.state === 'running') timer.current = window.setTimeout(() => void tick(), POLL_MS);
      } catch {
        timer.current = window.setTimeout(() => void tick(), 5 * POLL_MS);
      }
    };
    void tick();
  }

  function go(dryRun: boolean) {
    setConfirming(false);
    void run(
      () => startRun({ regie_id: regie, month, dry_run: dryRun }),
      (job) => {
        setPage(0);
        setView({ run: job, page: 0, pages: 0, families: [] });
        follow(job.id, 0);
      },
    );
  }

  function turn(p: number) {
    if (!view) return;
    setPage(p);
    follow(view.run.id, p);
    heading.current?.focus();
  }

  const job = view?.run;
  const running = job?.state === 'running';
  const chosen = usable.find((r) => r.id === regie);
  return (
    <AgentPage title="Facturation du mois" crumbs={[{ label: 'Facturation du mois' }]} error={!!error}>
      <p class="lead">
        Facturez un mois d'une régie à partir du planning et des présences : simulez d'abord, puis émettez les factures, que les familles retrouvent dans
        Mes factures.
      </p>
      {regies.error ? (
        <LoadFailure error={regies.error} />
      ) : !regies.data ? (
        <Loading text="Chargement des régies…" />
      ) : usable.length === 0 ? (
        <p>
          Aucune régie n'a de code de facturation : donnez-en un à la régie dans la page <a href="/agent/regies">Régies</a>.
        </p>
      ) : (
        <form onSubmit={(e) => (e.preventDefault(), go(true))} noValidate aria-busy={busy ? 'true' : undefined} class="panel spaced-small">
          <ErrorSummary error={error} fields={{ month: 'mois', regie_id: 'regie' }} />
          <div class="bo-grid">
            <SelectField id="regie" label="Régie" required value={regie} onValue={setRegie} options={usable.map((r) => [r.id, `${r.name} (${r.code})`] as [string, string])} />
            <SelectField id="mois" label="Mois facturé" required value={month} onValue={setMonth} options={months} />
          </div>
          <div class="actions">
            <button type="submit" class="button" aria-disabled={busy || running ? 'true' : undefined}>
              Simuler
            </button>
            <button type="button" class="button button--secondary" aria-disabled={busy || running ? 'true' : undefined} onClick={() => !busy && !running && setConfirming(true)}>
              Émettre les factures
            </button>
          </div>
        </form>
      )}

      <ConfirmDialog
        id="confirmer-emission"
        open={confirming}
        title={`Émettre les factures de ${monthLabel(month)} ?`}
        confirm="Oui, émettre les factures"
        onConfirm={() => go(false)}
        onClose={() => setConfirming(false)}
      >
        <p>
          Chaque famille à facturer reçoit une facture de la régie {chosen?.name ?? ''}, numérotée à la suite, et un courriel. Une facture émise ne se modifie
          plus : une correction se fait par un avoir sur la facture suivante. Les familles déjà facturées pour ce mois ne le sont pas deux fois.
        </p>
      </ConfirmDialog>

      {job && (
        <section aria-labelledby="facturation-etat" class="spaced-small">
          <h2 id="facturation-etat" ref={heading} tabIndex={-1}>
            {job.dry_run ? 'Simulation' : 'Émission'} de {monthLabel(job.month)}, {job.regie_name}
          </h2>
          {running && (
            <>
              <label for="progression">Progression</label>
              <progress id="progression" max={Math.max(job.families, 1)} value={job.done} aria-valuetext={`${job.done} familles sur ${job.families}`}>
                {job.done} familles sur {job.families}
              </progress>
              <p role="status" aria-live="polite">
                {`En cours : ${job.done} familles sur ${job.families}. Vous pouvez quitter cette page : la facturation continue.`}
              </p>
            </>
          )}
          {job.state === 'failed' && (
            <div class="notice notice--error" role="alert">
              <p>
                <strong>La facturation s'est arrêtée.</strong> {job.error}
              </p>
            </div>
          )}
          {job.state === 'done' && (
            <Result token={job.id}>
              {job.dry_run ? (
                <p>
                  <strong>Simulation terminée.</strong> Rien n'est encore émis.
                </p>
              ) : (
                <p>
                  <strong>{plural(job.issued, 'facture émise', 'factures émises')}</strong>
                  {job.first_number && job.last_number ? `, du numéro ${job.first_number} au numéro ${job.last_number}` : ''}.
                  {job.already_issued > 0 ? ` ${plural(job.already_issued, 'famille était déjà facturée', 'familles étaient déjà facturées')} pour ce mois.` : ''}
                </p>
              )}
              <Totals run={job} />
            </Result>
          )}
          {view && view.families.length > 0 && (
            <>
              {view.families.map((f) => (
                <FamilyTable key={f.family_id} f={f} />
              ))}
              {view.pages > 1 && (
                <nav aria-label="Pages de familles" class="actions">
                  <button type="button" class="button button--secondary" aria-disabled={page === 0 ? 'true' : undefined} onClick={() => page > 0 && turn(page - 1)}>
                    Familles précédentes
                  </button>
                  <span>
                    Page {page + 1} sur {view.pages}
                  </span>
                  <button
                    type="button"
                    class="button button--secondary"
                    aria-disabled={page + 1 >= view.pages ? 'true' : undefined}
                    onClick={() => page + 1 < view.pages && turn(page + 1)}
                  >
                    Familles suivantes
                  </button>
                </nav>
              )}
            </>
          )}
        </section>
      )}
    </AgentPage>
  );
}
