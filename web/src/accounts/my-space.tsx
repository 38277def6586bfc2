/** `/mon-espace`: "Mon espace citoyen", who is logged in and their families. */
import type { Me } from '../api';
import { useLogout } from '../layout';
import { Page } from '../ui/page';

const ROLES: Record<Me['role'], string> = {
  parent: 'Parent (compte citoyen)',
  agent: 'Agent de la collectivité',
  staff: 'Personnel des activités (pointage)',
};

const CIVILITIES: Record<string, string> = {
  'M.': 'Monsieur',
  Mme: 'Madame',
};

export function MySpacePage({ me }: { me: Me }) {
  const { busy, logout } = useLogout();
  return (
    <Page title="Mon espace citoyen" breadcrumb={[{ label: 'Mon espace citoyen' }]}>
      <section class="panel" aria-labelledby="mes-informations">
        <h2 id="mes-informations">Mes informations</h2>
        <dl class="facts">
          <dt>Civilité</dt>
          <dd>{me.civility ? CIVILITIES[me.civility] ?? me.civility : 'Non renseignée'}</dd>
          <dt>Nom</dt>
          <dd>{me.last_name}</dd>
          <dt>Prénom</dt>
          <dd>{me.first_name}</dd>
          <dt>E-mail (identifiant)</dt>
          <dd>{me.email}</dd>
          <dt>Rôle</dt>
          <dd>{ROLES[me.role] ?? me.role}</dd>
        </dl>
      </section>

      <section class="panel spaced" aria-labelledby="mes-abonnements">
        <h2 id="mes-abonnements">Mes abonnements</h2>
        {me.families.length === 0 ? (
          <p>Aucun abonnement. Vous pourrez renseigner votre code abonné dans « Mes abonnements ».</p>
        ) : (
          <>
            <p>Votre compte est relié {me.families.length > 1 ? `à ${me.families.length} dossiers famille` : 'au dossier famille'} :</p>
            <ul>
              {me.families.map((f) => (
                <li key={f.family_id}>{f.label || `Dossier ${f.family_id}`}</li>
              ))}
            </ul>
          </>
        )}
        {me.role === 'parent' && (
          <p class="actions actions--tight">
            <a class="button" href="/mon-espace/abonnements">
              Mes abonnements
            </a>
            {me.families.length > 0 && <a href="/espace-famille">Accéder à l'espace famille</a>}
          </p>
        )}
      </section>

      {me.role === 'parent' && (
        <section class="panel spaced" aria-labelledby="mes-demandes">
          <h2 id="mes-demandes">Mes demandes</h2>
          <p>Vos demandes de réservation, d'absence et de modification du dossier, leur état et les messages de la collectivité.</p>
          <p>
            <a href="/mes-demandes">Voir mes demandes</a>
          </p>
        </section>
      )}

      <div class="actions">
        <button type="button" class="button button--secondary" onClick={logout} aria-disabled={busy ? 'true' : undefined}>
          Se déconnecter
        </button>
      </div>
    </Page>
  );
}
