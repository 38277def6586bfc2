/**
 * `/espace-famille`: the blocks of the guide ("Dossier famille",
 * "Planning", "Pièces justificatives", "Crèche", "Mes demandes"); `/espace-famille/ma-famille`: the members of
 * the family, leading to "Responsables" and "Enfants".
 */
import { FAMILY_SITUATIONS, labelOf, QUALITIES, SEXES } from '../labels';
import { LoadError, Loading } from '../ui/load';
import type { Me } from '../api';
import { numericDay } from '../dates';
import { Page } from '../ui/page';
import { useCurrentFamily, useDossier, withQuery } from './current';
import { FAMILY_CRUMBS } from './guardians';
import { fullName } from './model';
import { FamilyChooser, NoFamily } from './ui';
import { PendingIcon } from '../ui/pending';

function Icon({ name }: { name: 'dossier' | 'planning' | 'demandes' | 'pieces' | 'creche' }) {
  return (
    <svg class="tile__icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {name === 'dossier' && <path d="M3 6a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2zM8 13h8M8 16h5" />}
      {name === 'planning' && <path d="M4 5h16v15H4zM4 9h16M9 3v4M15 3v4M8 13h2M12 13h2M16 13h1M8 16h2M12 16h2" />}
      {name === 'demandes' && <path d="M5 3h14v18H5zM8 8h8M8 12h8M8 16h5" />}
      {name === 'creche' && <path d="M12 4a4 4 0 1 1 0 8 4 4 0 0 1 0-8zM5 21a7 7 0 0 1 14 0M10 8h.01M14 8h.01M10.5 10a2 2 0 0 0 3 0" />}
      {name === 'pieces' && <path d="M14 3H6v18h12V7zM14 3v4h4M9 13l2 2 4-4" />}
    </svg>
  );
}

const BLOCKS = [
  {
    href: '/espace-famille/ma-famille',
    title: 'Dossier famille',
    text: 'Les responsables et les enfants : informations, adresse, données bancaires, autorisations, données sanitaires, contacts.',
    icon: 'dossier' as const,
  },
  {
    href: '/planning',
    title: 'Planning',
    text: 'Les activités de vos enfants au mois ou à la semaine, vos réservations et vos absences.',
    icon: 'planning' as const,
  },
  {
    href: '/pieces-justificatives',
    title: 'Pièces justificatives',
    text: 'Les documents demandés par le service enfance : les ajouter, les remplacer, les consulter.',
    icon: 'pieces' as const,
  },
  {
    href: '/creche',
    title: 'Préinscrire votre enfant en crèche',
    text: 'Une demande de place en crèche pour un enfant né ou à naître, son suivi et la réponse à une place proposée.',
    icon: 'creche' as const,
  },
  {
    href: '/mes-demandes',
    title: 'Mes demandes',
    text: 'Toutes vos demandes, leur état et les messages de la collectivité.',
    icon: 'demandes' as const,
  },
];

export function FamilySpacePage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  return (
    <Page title="Espace famille" breadcrumb={[{ label: 'Espace famille' }]}>
      {family ? (
        <>
          <FamilyChooser me={me} />
          <p class="lead">
            Dossier de la <strong>{family.label}</strong>.
          </p>
          <ul class="tiles">
            {BLOCKS.map((b) => (
              <li key={b.href}>
                <div class="tile">
                  <Icon name={b.icon} />
                  <h2 class="tile__title">
                    <a href={b.href}>{b.title}</a>
                  </h2>
                  <p>{b.text}</p>
                </div>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <NoFamily />
      )}
    </Page>
  );
}

export function MyFamilyPage({ me }: { me: Me }) {
  const family = useCurrentFamily(me);
  const dossier = useDossier(family);
  const reload = dossier.reload;
  let body;
  if (!family) body = <NoFamily />;
  else if (dossier.state === 'loading') body = <Loading text="Chargement du dossier famille…" />;
  else if (dossier.state === 'failed') body = <LoadError error={dossier.error} retry={() => void reload()} />;
  else {
    const dos = dossier.data;
    const pendingGuardians = dos.pending.some((p) => p.target.kind !== 'child');
    const pendingChild = (id: string) => dos.pending.some((p) => p.target.kind === 'child' && p.target.id === id);
    body = (
      <>
        <p class="lead">
          Dans cet espace, vous pouvez consulter et modifier les données des membres de la <strong>{dos.label}</strong>. Toute modification est soumise à la validation de la collectivité.
        </p>
        <div class="home-grid">
          <section class="panel" aria-labelledby="responsables-titre">
            <h2 id="responsables-titre">Responsables</h2>
            <ul class="members">
              {dos.guardians.map((g) => (
                <li key={g.id}>
                  <strong>{fullName(g)}</strong>
                  <span>{[labelOf(QUALITIES, g.quality), g.family_situation ? labelOf(FAMILY_SITUATIONS, g.family_situation) : ''].filter((x) => x && x !== 'Non renseigné').join(' – ')}</span>
                </li>
              ))}
            </ul>
            {pendingGuardians && (
              <p class="pending-inline">
                <PendingIcon /> Des modifications sont en attente de validation.
              </p>
            )}
            <p>
              <a class="button" href="/espace-famille/ma-famille/responsables">
                Voir et modifier les responsables
              </a>
            </p>
          </section>
          <section class="panel" aria-labelledby="enfants-titre">
            <h2 id="enfants-titre">Enfants</h2>
            {dos.children.length === 0 ? (
              <p>Aucun enfant n'est enregistré dans ce dossier.</p>
            ) : (
              <ul class="members">
                {dos.children.map((c) => (
                  <li key={c.id}>
                    <a href={withQuery('/espace-famille/ma-famille/enfants', { enfant: c.id })}>
                      <strong>{fullName(c)}</strong>
                    </a>
                    <span>
                      {labelOf(SEXES, c.sex)}, né{c.sex === 'F' ? 'e' : ''} le {numericDay(c.birth_date)}
                    </span>
                    {pendingChild(c.id) && (
                      <span class="pending-inline">
                        <PendingIcon /> Modification en attente de validation
                      </span>
                    )}
                  </li>
                ))}
              </ul>
            )}
            <p>
              <a class="button" href="/espace-famille/ma-famille/enfants">
                Voir et modifier les enfants
              </a>
            </p>
          </section>
        </div>
      </>
    );
  }
  return (
    <Page title="Ma famille" breadcrumb={[FAMILY_CRUMBS[0] as { href: string; label: string }, { label: 'Ma famille' }]}>
      <FamilyChooser me={me} />
      {body}
    </Page>
  );
}
