/**
 * The planning's notices: per child (and once for the family), the
 * mandatory documents missing, refused, expired or ending within 30 days,
 * with a link to "Pièces justificatives". Loaded beside the planning: if
 * the table cannot be read, nothing is shown and the planning works.
 */
import { documents } from '../api';
import { useLoad } from '../ui/load';
import { planningNotices } from './model';
import './documents.css';

export function DocumentNotices({ familyId }: { familyId: string }) {
  const table = useLoad(() => documents.list(familyId), [familyId]);
  if (table.state !== 'ready') return null;
  const notices = planningNotices(table.data.items);
  if (notices.length === 0) return null;
  return (
    <div class="doc-notices">
      {notices.map((n) => (
        <div class="notice" key={n.key}>
          <p>
            <strong>
              {n.items.length > 1 ? 'Pièces justificatives à fournir' : 'Pièce justificative à fournir'} {n.who}&nbsp;:
            </strong>{' '}
            {n.items.join(', ')}. <a href="/pieces-justificatives">Pièces justificatives</a>
          </p>
        </div>
      ))}
    </div>
  );
}
