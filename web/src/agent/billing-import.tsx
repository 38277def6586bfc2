/**
 * `/agent/import-factures`: invoices (with their lines) or payments from a
 * CSV file of the commune's finance software (formats in
 * docs/billing-import.md). The file is sent to the portal's storage, then
 * "Vérifier" reads it without writing anything and lists every error with
 * its line and column; "Importer" starts the import, which runs on the
 * server: the page shows its progress, and an agent who leaves and comes
 * back finds it (and the last imports) here. The same file imported again
 * changes nothing.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { Choices, describedBy, errorId, ErrorSummary, FieldError, formErrors, hintId, Req, useSubmit } from '../ui/form';
import {
  BILLING_IMPORT_MAX_BYTES,
  type BillingImportKind,
  type BillingImportReport,
  checkImport,
  type ImportJob,
  imports,
  isImportJob,
  startImport,
  uploadImport,
} from '../api/agent';
import { dateTime, plural } from './format';
import { ImportErrors } from './import-errors';
import { AgentPage, Result, StateBadge, TableRegion } from './ui';

const FORMATS: Record<BillingImportKind, { label: string; columns: string; template: string; file: string }> = {
  invoices: {
    label: 'Factures (une ligne par ligne de facture)',
    columns: 'famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant',
    template: `famille;famille_id;numero;date;echeance;service;emetteur;code_emission;reference;libelle;enfant;quantite;montant
F001;;FAC-2026-0001;31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Garderie du soir;Ludovic;12;30,00
F001;;FAC-2026-0001;31/10/2026;30/11/2026;Périscolaire;Mairie de Villebois;;;Restauration scolaire;Ludovic;10;42,00
`,
    file: 'modele-factures.csv',
  },
  payments: {
    label: 'Règlements (une ligne par règlement)',
    columns: 'numero;date;facture;mode;libelle;montant',
    template: `numero;date;facture;mode;libelle;montant
CHQ-1234567;02/11/2026;FAC-2026-0001;cheque;;50,00
VIR-88;03/11/2026;FAC-2026-0001;virement;Virement CAF;22,00
`,
    file: 'modele-reglements.csv',
  },
};

type CountsOf = Pick<BillingImportReport, 'dry_run' | 'created' | 'unchanged' | 'lines' | 'families'>;

function Counts({ r, kind }: { r: CountsOf; kind: BillingImportKind }) {
  const created =
    kind === 'invoices'
      ? plural(r.created, r.dry_run ? 'facture à créer' : 'facture créée', r.dry_run ? 'factures à créer' : 'factures créées')
      : plural(r.created, r.dry_run ? 'règlement à enregistrer' : 'règlement enregistré', r.dry_run ? 'règlements à enregistrer' : 'règlements enregistrés');
  const unchanged =
    kind === 'invoices'
      ? plural(r.unchanged, 'facture déjà importée, inchangée', 'factures déjà importées, inchangées')
      : plural(r.unchanged, 'règlement déjà enregistré, inchangé', 'règlements déjà enregistrés, inchangés');
  return (
    <ul>
      <li>{created}</li>
      {kind === 'invoices' && r.created > 0 && <li>{plural(r.lines, 'ligne de facture', 'lignes de facture')}</li>}
      {r.created > 0 && r.families > 0 && <li>{plural(r.families, 'famille concernée', 'familles concernées')}</li>}
      <li>{unchanged}</li>
    </ul>
  );
}

/** "12 000". */
const count = (n: number) => n.toLocaleString('fr-FR');

/** "12 000 lignes sur 20 000". */
const rowsText = (j: ImportJob) => `${count(j.rows_done)} ${j.rows_done > 1 ? 'lignes' : 'ligne'} sur ${count(j.rows)}`;

const STATES: Record<ImportJob['state'], string> = {
  pending: 'Pas lancé',
  running: 'En cours',
  done: 'Terminé',
  failed: 'Échoué',
};

const BADGES: Record<ImportJob['state'], string> = {
  pending: 'pending',
  running: 'pending',
  done: 'accepted',
  failed: 'refused',
};

const KINDS: Record<BillingImportKind, string> = { invoices: 'Factures', payments: 'Règlements' };

/** How often a running import is asked where it is. */
const POLL_MS = 1000;

function LastImports({ items }: { items: ImportJob[] }) {
  return (
    <section aria-labelledby="derniers-imports">
      <h2 id="derniers-imports">Derniers imports</h2>
      {items.length === 0 ? (
        <p>Aucun import n'a encore été lancé.</p>
      ) : (
        <TableRegion labelledBy="derniers-imports-legende">
          <table class="bo-table">
            <caption id="derniers-imports-legende">Les 20 derniers imports, du plus récent au plus ancien</caption>
            <thead>
              <tr>
                <th scope="col">Lancé le</th>
                <th scope="col">Contenu</th>
                <th scope="col">État</th>
                <th scope="col">Lignes</th>
                <th scope="col">Créés</th>
                <th scope="col">Inchangés</th>
                <th scope="col">Terminé le</th>
              </tr>
            </thead>
            <tbody>
              {items.map((j) => (
                <tr key={j.id}>
                  <th scope="row">{dateTime(j.started_at)}</th>
                  <td>{KINDS[j.kind]}</td>
                  <td>
                    <StateBadge state={BADGES[j.state]} text={STATES[j.state]} />
                    {j.error && <p class="bo-muted">{j.error}</p>}
                  </td>
                  <td>{rowsText(j)}</td>
                  <td>{count(j.created)}</td>
                  <td>{j.state === 'done' ? count(j.unchanged) : ''}</td>
                  <td>{dateTime(j.finished_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
    </section>
  );
}

export function BillingImportPage() {
  const [kind, setKind] = useState<BillingImportKind>('invoices');
  const [file, setFile] = useState<File | null>(null);
  /** The uploaded file's import, until another file or kind is chosen. */
  const [importId, setImportId] = useState<string | null>(null);
  const [checked, setChecked] = useState<BillingImportReport | null>(null);
  const [refused, setRefused] = useState<BillingImportReport | null>(null);
  const [job, setJob] = useState<ImportJob | null>(null);
  const [last, setLast] = useState<ImportJob[] | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const timer = useRef<number | undefined>(undefined);

  async function refreshList() {
    try {
      const list = await imports.list();
      setLast(list.items);
      return list.items;
    } catch {
      setLast((l) => l ?? []);
      return [];
    }
  }

  /** Asks where the import is every second until it ends. */
  function follow(id: string) {
    window.clearTimeout(timer.current);
    const tick = async () => {
      try {
        const j = await imports.get(id);
        setJob(j);
        if (j.state === 'running') {
          timer.current = window.setTimeout(() => void tick(), POLL_MS);
        } else {
          void refreshList();
        }
      } catch {
        timer.current = window.setTimeout(() => void tick(), 5 * POLL_MS);
      }
    };
    timer.current = window.setTimeout(() => void tick(), POLL_MS);
  }

  useEffect(() => {
    // Back on the page: the import still running is followed again.
    void refreshList().then((items) => {
      const running = items.find((j) => j.state === 'running');
      if (running) {
        setKind(running.kind);
        setJob(running);
        follow(running.id);
      }
    });
    return () => window.clearTimeout(timer.current);
  }, []);

  function reset() {
    setImportId(null);
    setChecked(null);
    setRefused(null);
    setError(null);
  }

  function verify() {
    if (!file) {
      setError(formErrors([{ field: 'file', code: 'required', message: 'Choisissez le fichier CSV à importer.' }]));
      return;
    }
    if (file.size > BILLING_IMPORT_MAX_BYTES) {
      setError(formErrors([{ field: 'file', code: 'too_large', message: 'Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers.' }]));
      return;
    }
    void run(
      async () => {
        // The same file is sent once, checked as many times as asked.
        const id = importId ?? (await uploadImport(kind, file));
        setImportId(id);
        return checkImport(id);
      },
      (report) => {
        setJob(null);
        setRefused(null);
        setChecked(report);
      },
    );
  }

  function start() {
    if (!importId) return;
    const id = importId;
    void run(
      () => startImport(id),
      (answer) => {
        setChecked(null);
        if (isImportJob(answer)) {
          setRefused(null);
          setImportId(null);
          setJob(answer);
          follow(answer.id);
          void refreshList();
        } else {
          // The file no longer passes (what is stored changed meanwhile).
          setRefused(answer);
        }
      },
    );
  }

  const fileError = error?.fieldMessage('file');
  const report = refused ?? checked;
  const failed = report && report.errors.length > 0;
  const running = job?.state === 'running';
  const format = FORMATS[kind];
  return (
    <AgentPage title="Importer des factures ou des règlements" error={!!error || !!failed}>
      <div class="prose">
        <p class="lead">Reprenez les factures et les règlements du logiciel de facturation de la collectivité : les familles les retrouvent dans Mes factures.</p>
        <details class="bo-details">
          <summary>Format des fichiers</summary>
          <ul>
            <li>Fichier texte CSV encodé en UTF-8, colonnes séparées par un point-virgule « ; », 10 Mo et 50 000 lignes au plus.</li>
            <li>
              Factures, une ligne par ligne de facture : <code class="bo-wrap">{FORMATS.invoices.columns.replaceAll(';', '; ')}</code>. Les lignes d'un même
              numéro forment une facture ; la famille est sa référence d'import ou son code abonné (colonne famille), ou son identifiant (famille_id).
            </li>
            <li>
              Règlements : <code class="bo-wrap">{FORMATS.payments.columns.replaceAll(';', '; ')}</code> ; facture est le numéro de la facture réglée ;
              mode : cheque, especes, virement, prelevement, carte, en_ligne ou autre.
            </li>
            <li>Dates au format JJ/MM/AAAA ; montants en euros (6,50).</li>
            <li>Un fichier déjà importé peut l'être à nouveau : ce qui est déjà enregistré à l'identique est laissé tel quel.</li>
          </ul>
          <p>
            <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(FORMATS.invoices.template)}`} download={FORMATS.invoices.file}>
              Télécharger un modèle de fichier de factures (CSV)
            </a>
            <br />
            <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(FORMATS.payments.template)}`} download={FORMATS.payments.file}>
              Télécharger un modèle de fichier de règlements (CSV)
            </a>
          </p>
        </details>
      </div>

      <form onSubmit={(e) => (e.preventDefault(), verify())} noValidate aria-busy={busy ? 'true' : undefined} class="panel spaced-small">
        <ErrorSummary error={error} fields={{ file: 'fichier' }} />
        <Choices
          id="type-fichier"
          legend="Contenu du fichier"
          required
          type="radio"
          inline={false}
          options={(Object.keys(FORMATS) as BillingImportKind[]).map((k) => [k, FORMATS[k].label] as [BillingImportKind, string])}
          checked={(v) => kind === v}
          onToggle={(v) => {
            setKind(v);
            reset();
          }}
        />
        <div class={fileError ? 'field field--error' : 'field'}>
          <label for="fichier">
            Fichier CSV
            <Req />
          </label>
          <p class="hint" id={hintId('fichier')}>
            Fichier .csv, UTF-8, séparateur « ; », en-tête : <span class="bo-wrap">{format.columns}</span>.
          </p>
          <FieldError id="fichier" message={fileError} />
          <input
            type="file"
            id="fichier"
            name="fichier"
            accept=".csv,text/csv"
            required
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={describedBy(hintId('fichier'), fileError ? errorId('fichier') : null)}
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              reset();
            }}
          />
        </div>
        <div class="actions">
          <button type="submit" class="button" aria-disabled={busy ? 'true' : undefined}>
            {busy && !checked ? 'Vérification en cours…' : 'Vérifier'}
          </button>
        </div>
      </form>

      {checked && checked.errors.length === 0 && (
        <Result token={checked}>
          <p>
            <strong>Le fichier est valide.</strong> Rien n'est encore importé. L'import donnera :
          </p>
          <Counts r={checked} kind={kind} />
          {checked.created > 0 && (
            <div class="actions">
              <button type="button" class="button" onClick={start} aria-disabled={busy ? 'true' : undefined}>
                {busy ? 'Lancement…' : 'Importer'}
              </button>
            </div>
          )}
        </Result>
      )}

      {job && job.state !== 'pending' && (
        <section aria-labelledby="import-en-cours" class="panel spaced-small">
          <h2 id="import-en-cours">{running ? 'Import en cours' : job.state === 'done' ? 'Import terminé' : "L'import a échoué"}</h2>
          <label for="progression">Progression de l'import ({KINDS[job.kind].toLowerCase()})</label>
          <progress id="progression" max={Math.max(job.rows, 1)} value={job.rows_done} aria-valuetext={rowsText(job)}>
            {rowsText(job)}
          </progress>
          <p role="status" aria-live="polite">
            {running
              ? `Import en cours : ${rowsText(job)}. Vous pouvez quitter cette page : l'import continue et vous retrouverez son état ici.`
              : ''}
          </p>
          {job.state === 'failed' && (
            <div class="notice notice--error" role="alert">
              <p>
                <strong>L'import s'est arrêté.</strong> {job.error}
              </p>
            </div>
          )}
        </section>
      )}

      {job && job.state === 'done' && (
        <Result token={job.id}>
          <p>
            <strong>Import terminé.</strong>
            {job.kind === 'invoices' && job.created > 0 && ' Les familles concernées reçoivent un courriel qui liste leurs nouvelles factures.'}
          </p>
          <Counts r={{ ...job, dry_run: false }} kind={job.kind} />
        </Result>
      )}

      {failed && <ImportErrors errors={report.errors} more={report.more_errors} source="le logiciel de facturation ou le tableur" />}
      {last && <LastImports items={last} />}
    </AgentPage>
  );
}
