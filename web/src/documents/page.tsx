/**
 * `/pieces-justificatives` ("Espace famille / Pièces justificatives"): the
 * guide's table of the documents the commune asks for, what is mandatory
 * and missing first. "Ajouter" or "Remplacer" sends a file in three steps
 * (`POST /api/documents` gives where to put it, the browser PUTs it there,
 * `POST /api/documents/confirm` has the server check it); "Voir" opens a
 * 5-minute link in a new tab. On narrow screens each row is a card.
 */
import { useRef, useState } from 'preact/hooks';

import { ApiError, type DocumentRow, type Me, documents, sendToUpload } from '../api';
import { useCurrentFamily } from '../family/current';
import { FAMILY_CRUMBS } from '../family/guardians';
import { FamilyChooser, NoFamily } from '../family/ui';
import { ActionError, useSubmit } from '../ui/form';
import { LoadError, Loading, useLoad } from '../ui/load';
import { Page } from '../ui/page';
import { stateClass, stateLabel, validityLabel, whose } from './model';
import './documents.css';

export const DOCUMENTS_PATH = '/pieces-justificatives';
const TYPES = ['application/pdf', 'image/jpeg', 'image/png'];
const ACCEPT = 'application/pdf,image/jpeg,image/png,.pdf,.jpg,.jpeg,.png';

/** A browser that gives no type for a file: guessed from its name. */
function typeOf(file: File): string {
  if (file.type) return file.type;
  const ext = file.name.toLowerCase().split('.').pop() ?? '';
  return ({ pdf: 'application/pdf', jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' } as Record<string, string>)[ext] ?? '';
}

const rowKey = (r: DocumentRow) => `${r.type_id}-${r.child_id ?? 'famille'}`;
/** "de Maéva", "d'Emma". */
const of = (name: string) => (/^[aeiouyhàâäéèêëîïôöùûü]/i.test(name) ? `d'${name}` : `de ${name}`);
/** "« Carnet de vaccination » de Maéva", for screen readers. */
const rowName = (r: DocumentRow) => `« ${r.name} » ${r.child ? of(r.child) : 'de la famille'}`;

export function DocumentsPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const table = useLoad(family ? () => documents.list(family.family_id) : null, [family?.family_id]);
  const [sent, setSent] = useState<string | null>(null);
  const [sending, setSending] = useState<string | null>(null);
  const [opened, setOpened] = useState<{ name: string; url: string } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const target = useRef<DocumentRow | null>(null);
  const { busy, error, setError, run } = useSubmit();

  function choose(r: DocumentRow) {
    if (busy) return;
    target.current = r;
    if (input.current) {
      input.current.value = '';
      input.current.click();
    }
  }

  function upload(file: File) {
    const r = target.current;
    if (!r || !family) return;
    setSent(null);
    setOpened(null);
    const type = typeOf(file);
    if (!TYPES.includes(type)) {
      setError(new ApiError(422, 'document_file_type', 'Le document doit être un PDF, une image JPEG ou une image PNG.'));
      return;
    }
    setSending(rowKey(r));
    void run(
      async () => {
        const grant = await documents.start(family.family_id, { type_id: r.type_id, child_id: r.child_id ?? null, file_name: file.name, content_type: type, size: file.size });
        await sendToUpload(grant.upload, file, 'du document');
        await documents.confirm(grant.upload_id);
        await table.reload();
      },
      () => {
        setSending(null);
        setSent(`Le document ${rowName(r)} a été transmis à la collectivité : il est en attente de validation.`);
      },
      () => setSending(null),
    );
  }

  async function show(r: DocumentRow) {
    if (!r.document_id) return;
    setOpened(null);
    // Opened now, while the click counts (popup blockers), then sent to the link.
    const tab = window.open('', '_blank');
    try {
      const link = await documents.link(r.document_id);
      if (tab) {
        tab.opener = null;
        tab.location.href = link.url;
      } else {
        setOpened({ name: rowName(r), url: link.url });
      }
    } catch (e) {
      tab?.close();
      setError(e instanceof ApiError ? e : new ApiError(0, 'client', "Le document n'a pas pu être ouvert. Réessayez."));
    }
  }

  let body;
  if (!family) body = <NoFamily />;
  else if (table.state === 'loading') body = <Loading text="Chargement de vos pièces justificatives…" />;
  else if (table.state === 'failed') body = <LoadError error={table.error} retry={() => void table.reload()} />;
  else if (table.data.items.length === 0)
    body = (
      <div class="notice">
        <p>La collectivité ne vous demande aucune pièce justificative pour le moment.</p>
      </div>
    );
  else
    body = (
      <>
        <p class="hint" id="formats">
          Formats acceptés : PDF, JPEG ou PNG, de 10 Mo au plus. Chaque document envoyé est vérifié par la collectivité.
        </p>
        <div class="table-wrap">
          <table class="data-table table-stack doc-table" aria-describedby="formats">
            <caption class="visually-hidden">Pièces justificatives demandées, les documents obligatoires à fournir en premier</caption>
            <thead>
              <tr>
                <th scope="col">Nom du document</th>
                <th scope="col">Enfant</th>
                <th scope="col">Validité</th>
                <th scope="col">Obligatoire</th>
                <th scope="col">Fichier</th>
                <th scope="col">État</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {table.data.items.map((r) => {
                const key = rowKey(r);
                const mine = sending === key;
                return (
                  <tr key={key}>
                    <th scope="row" data-label="Nom du document">
                      {r.name}
                      {r.help && <span class="doc-help">{r.help}</span>}
                    </th>
                    <td data-label="Enfant">{whose(r)}</td>
                    <td data-label="Validité">{validityLabel(r.validity)}</td>
                    <td data-label="Obligatoire">{r.mandatory ? 'Oui' : 'Non'}</td>
                    <td data-label="Fichier">{r.file_name ?? <span class="doc-none">Aucun</span>}</td>
                    <td data-label="État">
                      <span class={stateClass(r)}>{stateLabel(r)}</span>
                    </td>
                    <td class="doc-actions">
                      <button type="button" class="button button--small" onClick={() => choose(r)} aria-disabled={busy ? 'true' : undefined}>
                        {mine ? 'Envoi en cours…' : r.document_id ? 'Remplacer' : 'Ajouter'}
                        <span class="visually-hidden"> le document {rowName(r)}</span>
                      </button>
                      {r.document_id && (
                        <button type="button" class="button button--secondary button--small" onClick={() => void show(r)}>
                          Voir
                          <span class="visually-hidden">
                            {' '}
                            le document {rowName(r)} (nouvel onglet)
                          </span>
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
        <input
          ref={input}
          type="file"
          accept={ACCEPT}
          hidden
          aria-hidden="true"
          tabIndex={-1}
          data-testid="fichier-piece"
          onChange={(e) => {
            const file = e.currentTarget.files?.[0];
            if (file) upload(file);
          }}
        />
      </>
    );

  return (
    <Page title="Pièces justificatives" error={!!error} breadcrumb={[FAMILY_CRUMBS[0] as { href: string; label: string }, { label: 'Pièces justificatives' }]}>
      <FamilyChooser me={me} />
      <p class="lead">Vous pouvez ajouter, modifier ou visualiser les documents nécessaires et demandés par le service enfance.</p>
      <ActionError error={error} />
      <div role="status" class="doc-status">
        {busy && <p class="status">Envoi du document en cours…</p>}
        {sent && (
          <div class="notice notice--success">
            <p>
              {sent} Vous suivez votre demande dans <a href="/mes-demandes">Mes demandes</a>.
            </p>
          </div>
        )}
        {opened && (
          <div class="notice">
            <p>
              <a href={opened.url} target="_blank" rel="noopener noreferrer" data-external>
                Ouvrir le document {opened.name}
              </a>{' '}
              (lien valable 5 minutes)
            </p>
          </div>
        )}
      </div>
      {body}
    </Page>
  );
}
