/** Contact, spaces still to come, unknown address. */
import { communeInfo } from '../api';
import { commune } from '../commune';
import { Page } from '../ui/page';
import { LoadError, Loading, useLoad } from '../ui/load';

/** The commune's contact: the one configured for the e-mails too (`GET /api/commune`). */
export function ContactPage() {
  const info = useLoad(communeInfo);
  const lines = (info.data?.contact ?? '').split('\n').filter((l) => l.trim() !== '');
  return (
    <Page title="Nous contacter" breadcrumb={[{ label: 'Nous contacter' }]}>
      <div class="prose">
        <p>Pour toute question sur le {commune.portal_name}, votre dossier famille, les activités de vos enfants ou vos factures :</p>
        {info.state === 'loading' ? (
          <Loading />
        ) : info.state === 'failed' ? (
          <LoadError error={info.error} retry={info.reload} />
        ) : lines.length > 0 ? (
          <address class="panel panel--tinted">
            {lines.map((l, i) => (
              <span key={i}>
                {l}
                <br />
              </span>
            ))}
          </address>
        ) : (
          <p class="panel panel--tinted">Adressez-vous à l'accueil de {commune.name}.</p>
        )}
      </div>
    </Page>
  );
}

const SPACES = {
  famille: {
    title: 'Espace famille',
    what: 'consulter et mettre à jour le dossier de votre famille, voir le planning des activités de vos enfants, demander des réservations ou signaler des absences, et déposer vos pièces justificatives',
  },
  facturation: {
    title: 'Espace facturation',
    what: 'consulter vos factures, vos opérations et vos règlements et payer vos factures en ligne',
  },
};

export function ComingSoonPage({ space }: { space: keyof typeof SPACES }) {
  const s = SPACES[space];
  return (
    <Page title={s.title} breadcrumb={[{ label: s.title }]}>
      <div class="prose">
        <div class="notice">
          <h2 class="notice__title">Cet espace n'est pas encore disponible</h2>
          <p>
            L'{s.title.toLowerCase()} du {commune.portal_name} est en cours de préparation. Il vous permettra de {s.what}.
          </p>
        </div>
        <p>
          En attendant, pour toute démarche, <a href="/nous-contacter">contactez le service</a>.
        </p>
        <p>
          <a href="/mon-espace">Retour à mon espace citoyen</a>
        </p>
      </div>
    </Page>
  );
}

export function NotFoundPage() {
  return (
    <Page title="Page introuvable">
      <div class="prose">
        <p>L'adresse demandée ne correspond à aucune page du {commune.portal_name}. Si vous l'avez saisie, vérifiez-la ; si vous avez suivi un lien, il est peut-être périmé.</p>
        <p>
          <a href="/">Retour à l'accueil</a>
        </p>
      </div>
    </Page>
  );
}
