/**
 * The errors of a CSV file the back-office checked (families, invoices,
 * payments): the count, what to do, and every error with its line and
 * column. Focused when it appears, so a screen reader reads it at once.
 */
import { useEffect, useRef } from 'preact/hooks';

import { plural } from './format';
import { TableRegion } from './ui';

export interface FileError {
  line: number;
  field?: string | null;
  message: string;
}

export function ImportErrors({ errors, more = 0, source }: { errors: FileError[]; more?: number; source: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), [errors]);
  return (
    <section aria-labelledby="erreurs-fichier" class="spaced-small">
      <div class="notice notice--error" role="alert" tabIndex={-1} ref={box}>
        <h2 id="erreurs-fichier" class="notice__title">
          {plural(errors.length + more, 'erreur dans le fichier', 'erreurs dans le fichier')} : rien n'a été importé
        </h2>
        <p>Corrigez chaque ligne citée dans {source}, enregistrez le fichier en CSV (UTF-8, séparateur « ; »), puis vérifiez-le à nouveau.</p>
        {more > 0 && <p>Seules les {errors.length} premières erreurs sont listées.</p>}
      </div>
      <TableRegion labelledBy="erreurs-legende">
        <table class="bo-table">
          <caption id="erreurs-legende">Erreurs du fichier, ligne par ligne (la ligne 1 est l'en-tête)</caption>
          <thead>
            <tr>
              <th scope="col">Ligne</th>
              <th scope="col">Colonne</th>
              <th scope="col">Message</th>
            </tr>
          </thead>
          <tbody>
            {errors.map((e, i) => (
              <tr key={i}>
                <td>{e.line}</td>
                <td>{e.field || <span class="bo-muted">Ligne entière</span>}</td>
                <td>{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableRegion>
    </section>
  );
}
