/**
 * `/agent/import-factures`: invoices (with their lines) or payments from a
 * CSV file of the commune's finance software (formats in
 * docs/billing-import.md). "Vérifier" reads it without writing anything and
 * lists every error with its line and column; "Importer" writes it. The
 * same file imported again changes nothing.
 */
import { useState } from 'preact/hooks';

import { Choices, describedBy, errorId, ErrorSummary, FieldError, formErrors, hintId, Req, useSubmit } from '../ui/form';
import { ApiError } from '../api/http';
import { BILLING_IMPORT_MAX_BYTES, type BillingImportKind, type BillingImportReport, importBilling } from '../api/agent';
import { plural } from './format';
import { ImportErrors } from './import-errors';
import { AgentPage, Result } from './ui';

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

function Counts({ r, kind }: { r: BillingImportReport; kind: BillingImportKind }) {
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
      {r.created > 0 && <li>{plural(r.families, 'famille concernée', 'familles concernées')}</li>}
      <li>{unchanged}</li>
    </ul>
  );
}

export function BillingImportPage() {
  const [kind, setKind] = useState<BillingImportKind>('invoices');
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<BillingImportReport | null>(null);
  const [imported, setImported] = useState<BillingImportReport | null>(null);
  const [importing, setImporting] = useState(false);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const { busy, error, setError, run } = useSubmit();

  /**
   * The real import: a request writes part of a large file and says how
   * many invoices remain; the same file is sent again until none do (what
   * is written is then unchanged), the progress shown as it goes.
   */
  async function importAll(f: File, plan: BillingImportReport | null): Promise<BillingImportReport> {
    const total = plan?.created ?? 0;
    let first: BillingImportReport | null = null;
    let created = 0;
    let lines = 0;
    for (let round = 0; round < 200; round++) {
      const r = await importBilling(kind, f, false);
      if (r.errors.length > 0) return r;
      first ??= r;
      created += r.created;
      lines += r.lines;
      setProgress({ done: created, total: Math.max(total, created + r.remaining) });
      if (r.remaining === 0) {
        return { ...r, created, lines, unchanged: first.unchanged, families: plan?.families ?? r.families };
      }
      if (r.created === 0) break;
    }
    throw new ApiError(
      0,
      'import_stalled',
      `L'import n'avance plus (${created} enregistrés) : importez à nouveau le même fichier dans quelques minutes, il reprendra là où il s'est arrêté.`,
    );
  }

  function reset() {
    setChecked(null);
    setImported(null);
    setError(null);
  }

  function send(dryRun: boolean) {
    if (!file) {
      setError(formErrors([{ field: 'file', code: 'required', message: 'Choisissez le fichier CSV à importer.' }]));
      return;
    }
    if (file.size > BILLING_IMPORT_MAX_BYTES) {
      setError(formErrors([{ field: 'file', code: 'too_large', message: 'Le fichier dépasse 10 Mo : découpez-le en plusieurs fichiers.' }]));
      return;
    }
    setImporting(!dryRun);
    setProgress(null);
    void run(
      () => (dryRun ? importBilling(kind, file, true) : importAll(file, checked)),
      (report) => {
        setImporting(false);
        if (dryRun) {
          setImported(null);
          setChecked(report);
        } else {
          setChecked(null);
          setImported(report);
        }
      },
    ).finally(() => setImporting(false));
  }

  const fileError = error?.fieldMessage('file');
  const report = imported ?? checked;
  const failed = report && report.errors.length > 0;
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

      <form onSubmit={(e) => (e.preventDefault(), send(true))} noValidate aria-busy={busy ? 'true' : undefined} class="panel spaced-small">
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
            {busy && !importing ? 'Vérification en cours…' : 'Vérifier'}
          </button>
        </div>
      </form>

      <p role="status" aria-live="polite" class="bo-muted">
        {importing
          ? progress
            ? `Import en cours : ${progress.done} sur ${progress.total} enregistrés. Ne fermez pas cette page.`
            : 'Import en cours. Ne fermez pas cette page.'
          : ''}
      </p>

      {checked && checked.errors.length === 0 && (
        <Result token={checked}>
          <p>
            <strong>Le fichier est valide.</strong> Rien n'est encore importé. L'import donnera :
          </p>
          <Counts r={checked} kind={kind} />
          {checked.created > 0 && (
            <div class="actions">
              <button type="button" class="button" onClick={() => send(false)} aria-disabled={busy ? 'true' : undefined}>
                {importing ? 'Import en cours…' : 'Importer'}
              </button>
            </div>
          )}
        </Result>
      )}

      {imported && imported.errors.length === 0 && (
        <Result token={imported}>
          <p>
            <strong>Import terminé.</strong>
            {kind === 'invoices' && imported.created > 0 && ' Les familles concernées reçoivent un courriel qui liste leurs nouvelles factures.'}
          </p>
          <Counts r={imported} kind={kind} />
        </Result>
      )}

      {failed && <ImportErrors errors={report.errors} more={report.more_errors} source="le logiciel de facturation ou le tableur" />}
    </AgentPage>
  );
}
