/**
 * The supporting documents a crèche application asks for (the types an
 * agent marked « Exigé pour une préinscription en crèche »), each with its
 * state as the page "Pièces justificatives" gives it: in the parents' form
 * (from the family's table, for the child chosen), on an application's
 * page and on the agent's page of an application. Missing documents never
 * block a submission: the agent marks the application incomplete.
 */
import { type CrecheApplication, type DocumentRow, documents as documentsApi } from '../api';
import { useLoad } from '../ui/load';
import { stateClass, stateLabel } from '../documents/model';
import '../documents/documents.css';
import './documents.css';

export type CrecheDocument = CrecheApplication['documents'][number];

/** The parents' page of supporting documents. */
export const DOCUMENTS_PATH = '/pieces-justificatives';

/** Still to send now: missing, refused or expired (a child's document before the birth is not). */
export const isMissing = (d: CrecheDocument) => !d.after_birth && (d.state === 'missing' || d.state === 'refused' || d.state === 'expired');

/**
 * The form's documents, from the family's table: the family's, and the
 * chosen child's; for a child expected (`expected`), a child's document
 * comes after the birth; with no child chosen yet (`null`), none of the
 * child's is said.
 */
export function formDocuments(rows: DocumentRow[], child: string | 'expected' | null): CrecheDocument[] {
  const out: CrecheDocument[] = [];
  for (const r of rows.filter((r) => r.creche)) {
    const base = { type_id: r.type_id, name: r.name, help: r.help, expires_soon: r.expires_soon, expires_on: r.expires_on, message: r.message, state: r.state };
    if (!r.child_id) out.push({ ...base, scope: 'family', after_birth: false });
    else if (child === 'expected') {
      if (!out.some((d) => d.type_id === r.type_id)) out.push({ ...base, scope: 'child', state: 'missing', expires_soon: false, expires_on: null, message: null, after_birth: true });
    } else if (child && r.child_id === child) out.push({ ...base, scope: 'child', after_birth: false });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

/** The message an agent's « Incomplète » starts from: the names of the documents still to send. */
export function incompleteMessage(docs: CrecheDocument[], max: number): string {
  const names = docs.filter(isMissing).map((d) => `« ${d.name} »`);
  if (!names.length) return '';
  const text =
    names.length > 1
      ? `Pièces justificatives à fournir\u00a0: ${names.join(', ')}. Vous pouvez les envoyer depuis la page Pièces justificatives.`
      : `Pièce justificative à fournir\u00a0: ${names.join(', ')}. Vous pouvez l'envoyer depuis la page Pièces justificatives.`;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function stateText(d: CrecheDocument): string {
  return d.after_birth ? 'À fournir après la naissance' : stateLabel(d);
}

const whose = (d: CrecheDocument) => (d.scope === 'family' ? 'pour la famille' : "pour l'enfant");

interface Props {
  documents: CrecheDocument[];
  /** `form`: the parents' form; `family`: an application's page; `agent`: the agent's page. */
  variant: 'form' | 'family' | 'agent';
}

/** The block listing the documents; nothing when none is asked for. */
export function CrecheDocuments({ documents, variant }: Props) {
  if (!documents.length) return null;
  const missing = documents.filter(isMissing).length;
  const later = documents.some((d) => d.after_birth);
  return (
    <section class={`creche-docs${variant === 'agent' ? ' panel' : ''}`} aria-labelledby="pieces-titre">
      <h2 id="pieces-titre">Pièces justificatives</h2>
      {variant === 'agent' ? (
        <p>{missing ? `${missing} pièce${missing > 1 ? 's' : ''} à fournir par la famille.` : 'Aucune pièce ne manque.'}</p>
      ) : (
        <p>
          La commune demande ces pièces avec une préinscription en crèche.
          {variant === 'form' ? ' Vous pourrez les ajouter plus tard : votre demande peut être déposée sans elles.' : ''}
          {later ? " Celles de l'enfant sont à fournir après sa naissance." : ''}
        </p>
      )}
      <ul class="creche-docs__list">
        {documents.map((d) => (
          <li key={d.type_id}>
            <strong>{d.name}</strong> <span class="creche-docs__whose">({whose(d)})</span> : <span class={d.after_birth ? 'doc-state doc-state--later' : stateClass(d)}>{stateText(d)}</span>
            {d.help && variant !== 'agent' && <span class="doc-help"> {d.help}</span>}
          </li>
        ))}
      </ul>
      {variant !== 'agent' && (
        <p>
          <a href={DOCUMENTS_PATH}>Ajouter ou remplacer dans Pièces justificatives</a>
        </p>
      )}
    </section>
  );
}

/** The form's block: the family's table read once, the documents of the child chosen. */
export function FormDocuments({ familyId, child }: { familyId: string; child: string | 'expected' | null }) {
  const table = useLoad(() => documentsApi.list(familyId), [familyId]);
  if (table.state !== 'ready') return null;
  return <CrecheDocuments documents={formDocuments(table.data.items, child)} variant="form" />;
}
