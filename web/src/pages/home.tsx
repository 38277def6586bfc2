/** `/`: log in or create an account, then the portal's spaces. */
import { commune, ofCommune } from '../commune';
import { agree } from '../labels';
import { LoginForm } from '../accounts/login';
import { Page } from '../ui/page';
import { displayName, useSession } from '../session';

function Icon({ name }: { name: 'billing' | 'contact' | 'family' }) {
  return (
    <svg class="tile__icon" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="1.75" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">
      {name === 'billing' && <path d="M6 3h12v18l-3-2-3 2-3-2-3 2zM9 8h6M9 12h6M9 16h3" />}
      {name === 'contact' && <path d="M3 6h18v12H3zM3 6l9 7 9-7" />}
      {name === 'family' && (
        <>
          <circle cx="8" cy="8" r="3" />
          <circle cx="17" cy="10" r="2.5" />
          <path d="M2.5 20c0-3.5 2.5-6 5.5-6s5.5 2.5 5.5 6M13 20c0-3 1.8-5 4-5s4 2 4 5" />
        </>
      )}
    </svg>
  );
}

const tiles = [
  {
    href: '/espace-facturation',
    title: 'Espace facturation',
    text: 'Vos factures, vos règlements et le paiement en ligne.',
    icon: 'billing' as const,
  },
  {
    href: '/nous-contacter',
    title: 'Nous contacter',
    text: 'Les coordonnées et les horaires du service.',
    icon: 'contact' as const,
  },
  {
    href: '/espace-famille',
    title: 'Espace famille',
    text: 'Votre dossier famille, le planning des activités de vos enfants, vos réservations et absences.',
    icon: 'family' as const,
  },
];

export function HomePage() {
  const session = useSession();
  return (
    <Page title={`Bienvenue sur le ${commune.portal_name}`} documentTitle="Accueil">
      <p class="lead">
        Le {commune.portal_name} {ofCommune(commune.name)} vous permet de gérer en ligne le dossier de votre famille, les activités de vos enfants et vos factures.
      </p>
      {session.state === 'authenticated' ? (
        <div class="home-grid">
          <section class="panel panel--tinted" aria-labelledby="bonjour">
            <h2 id="bonjour">Bonjour {displayName(session.me)}</h2>
            <p>
              Vous êtes {agree(session.me.civility, 'connecté', 'connectée')} au {commune.portal_name}.
            </p>
            <p>
              <a class="button" href="/mon-espace">
                Accéder à mon espace citoyen
              </a>
            </p>
          </section>
        </div>
      ) : (
        <div class="home-grid">
          <section class="panel" aria-labelledby="connexion-titre">
            <h2 id="connexion-titre">Connectez-vous au {commune.portal_name}</h2>
            <LoginForm idPrefix="accueil-" />
          </section>
          <section class="panel panel--tinted" aria-labelledby="creer-titre">
            <h2 id="creer-titre">Vous n'avez pas encore de compte citoyen ?</h2>
            <p>Avec un compte citoyen, vous pouvez :</p>
            <ul>
              <li>consulter et mettre à jour le dossier de votre famille ;</li>
              <li>réserver les activités de vos enfants ou signaler leurs absences ;</li>
              <li>consulter et payer vos factures en ligne.</li>
            </ul>
            <p>
              <a class="button button--accent" href="/inscription">
                Créer un compte
              </a>
            </p>
          </section>
        </div>
      )}
      <section aria-labelledby="espaces">
        <h2 id="espaces">Vos espaces</h2>
        <ul class="tiles">
          {tiles.map((t) => (
            <li key={t.href}>
              <div class="tile">
                <Icon name={t.icon} />
                <h3>
                  <a href={t.href}>{t.title}</a>
                </h3>
                <p>{t.text}</p>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </Page>
  );
}
