/**
 * `/agent/familles/importer`: families from a CSV file (format in
 * docs/family-file.md). "Vérifier" reads it without writing anything and
 * lists every error with its line; "Importer" writes it. Importing the
 * same file again skips the families already imported.
 */
import { useRef, useState } from 'preact/hooks';

import { describedBy, errorId, ErrorSummary, FieldError, formErrors, hintId, Req, useSubmit } from '../ui/form';
import { IMPORT_MAX_BYTES, type ImportReport, importCsv } from '../api/agent';
import { plural } from './format';
import { ImportErrors } from './import-errors';
import { AgentPage, Result } from './ui';

const COLUMNS = 'famille;role;civilite;nom;prenom;date_naissance;sexe;email;telephone;portable;adresse;code_postal;ville;qualite';
const TEMPLATE = `${COLUMNS}
F001;responsable;Mme;DUPONT;Léa;;;lea.dupont@exemple.fr;;06 07 08 09 10;1 rue de la Paix;92100;Villebois;mere
F001;enfant;;DUPONT;Ludovic;23/11/2015;M;;;;;;;
`;

function Counts({ r }: { r: ImportReport }) {
  return (
    <ul>
      <li>{plural(r.families, 'famille', 'familles')}</li>
      <li>{plural(r.guardians, 'responsable', 'responsables')}</li>
      <li>{plural(r.children, 'enfant', 'enfants')}</li>
    </ul>
  );
}

export function ImportPage() {
  const [file, setFile] = useState<File | null>(null);
  const [checked, setChecked] = useState<ImportReport | null>(null);
  const [imported, setImported] = useState<ImportReport | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const input = useRef<HTMLInputElement>(null);

  function send(dryRun: boolean) {
    if (!file) {
      setError(formErrors([{ field: 'file', code: 'required', message: 'Choisissez le fichier CSV à importer.' }]));
      return;
    }
    if (file.size > IMPORT_MAX_BYTES) {
      setError(formErrors([{ field: 'file', code: 'too_large', message: 'Le fichier dépasse 8 Mo : découpez-le en plusieurs fichiers.' }]));
      return;
    }
    void run(
      () => importCsv(file, dryRun),
      (report) => {
        if (dryRun) {
          setImported(null);
          setChecked(report);
        } else {
          setChecked(null);
          setImported(report);
        }
      },
    );
  }

  const fileError = error?.fieldMessage('file');
  const report = imported ?? checked;
  const failed = report && report.errors.length > 0;
  return (
    <AgentPage
      title="Importer un fichier CSV"
      error={!!error || !!failed}
      crumbs={[{ href: '/agent/familles', label: 'Familles' }, { label: 'Importer un fichier CSV' }]}
    >
      <div class="prose">
        <p class="lead">Créez plusieurs dossiers famille d'un coup à partir d'un fichier de tableur.</p>
        <details class="bo-details">
          <summary>Format du fichier</summary>
          <ul>
            <li>Fichier texte CSV encodé en UTF-8, colonnes séparées par un point-virgule « ; », 8 Mo au plus.</li>
            <li>
              Première ligne : l'en-tête, avec les colonnes <code class="bo-wrap">{COLUMNS.replaceAll(';', '; ')}</code>.
            </li>
            <li>Une ligne par personne : « responsable » ou « enfant » dans la colonne role ; la colonne famille regroupe les personnes d'un même foyer.</li>
            <li>Chaque famille a au moins un responsable. Dates de naissance au format JJ/MM/AAAA ; sexe M ou F ; qualité pere, mere, tuteur ou autre.</li>
            <li>Un fichier déjà importé peut l'être à nouveau : les familles déjà importées (même référence) sont ignorées.</li>
          </ul>
          <p>
            <a href={`data:text/csv;charset=utf-8,${encodeURIComponent(TEMPLATE)}`} download="modele-familles.csv">
              Télécharger un modèle de fichier (CSV)
            </a>
          </p>
        </details>
      </div>

      <form onSubmit={(e) => (e.preventDefault(), send(true))} noValidate aria-busy={busy ? 'true' : undefined} class="panel spaced-small">
        <ErrorSummary error={error} fields={{ file: 'fichier' }} />
        <div class={fileError ? 'field field--error' : 'field'}>
          <label for="fichier">
            Fichier CSV
            <Req />
          </label>
          <p class="hint" id={hintId('fichier')}>
            Fichier .csv, UTF-8, séparateur « ; ».
          </p>
          <FieldError id="fichier" message={fileError} />
          <input
            ref={input}
            type="file"
            id="fichier"
            name="fichier"
            accept=".csv,text/csv"
            required
            aria-invalid={fileError ? 'true' : undefined}
            aria-describedby={describedBy(hintId('fichier'), fileError ? errorId('fichier') : null)}
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setChecked(null);
              setImported(null);
              setError(null);
            }}
          />
        </div>
        <div class="actions">
          <button type="submit" class="button" aria-disabled={busy ? 'true' : undefined}>
            {busy ? 'Vérification en cours…' : 'Vérifier'}
          </button>
        </div>
      </form>

      {checked && checked.errors.length === 0 && (
        <Result token={checked}>
          <p>
            <strong>Le fichier est valide.</strong> Rien n'est encore importé. L'import créera au plus :
          </p>
          <Counts r={checked} />
          {checked.skipped > 0 && (
            <p>
              {checked.skipped === 1
                ? 'Une famille du fichier est déjà importée : elle sera laissée telle quelle.'
                : `${checked.skipped} familles du fichier sont déjà importées : elles seront laissées telles quelles.`}
            </p>
          )}
          <div class="actions">
            <button type="button" class="button" onClick={() => send(false)} aria-disabled={busy ? 'true' : undefined}>
              {busy ? 'Import en cours…' : 'Importer'}
            </button>
          </div>
        </Result>
      )}

      {imported && imported.errors.length === 0 && (
        <Result token={imported}>
          <p>
            <strong>
              Import terminé :{' '}
              {imported.families === imported.skipped
                ? 'aucune nouvelle famille'
                : plural(imported.families - imported.skipped, 'famille importée', 'familles importées')}
              {imported.skipped > 0 ? `, ${plural(imported.skipped, 'famille ignorée', 'familles ignorées')} (déjà importée${imported.skipped > 1 ? 's' : ''})` : ''}.
            </strong>
          </p>
          <p>Le fichier comptait :</p>
          <Counts r={imported} />
          <p>
            <a href="/agent/familles">Voir les familles</a>
          </p>
        </Result>
      )}

      {failed && <ImportErrors errors={report.errors} source="votre tableur" />}
    </AgentPage>
  );
}
