/** `/conditions`: terms of use and privacy notice, in plain French. */
import { commune } from '../commune';
import { Page } from '../ui/page';

export function ConditionsPage() {
  const c = commune.name;
  const portal = commune.portal_name;
  return (
    <Page title="Conditions d'utilisation et données personnelles" breadcrumb={[{ label: "Conditions d'utilisation" }]}>
      <div class="prose">
        <p class="lead">
          Ces conditions expliquent simplement ce que vous pouvez faire sur le {portal} de {c}, ce à quoi vous vous engagez, et ce que nous faisons de vos données.
        </p>
        <nav aria-labelledby="sommaire">
          <h2 id="sommaire">Sommaire</h2>
          <ol>
            <li>
              <a href="#service">Le service</a>
            </li>
            <li>
              <a href="#compte">Votre compte citoyen</a>
            </li>
            <li>
              <a href="#engagements">Vos engagements</a>
            </li>
            <li>
              <a href="#demandes">Vos demandes</a>
            </li>
            <li>
              <a href="#disponibilite">Disponibilité du service</a>
            </li>
            <li>
              <a href="#donnees">Vos données personnelles</a>
            </li>
            <li>
              <a href="#cookies">Cookies</a>
            </li>
            <li>
              <a href="#evolution">Évolution de ces conditions</a>
            </li>
          </ol>
        </nav>

        <h2 id="service">1. Le service</h2>
        <p>
          Le {portal} est le service en ligne de {c} pour les familles. Il permet de créer un compte citoyen, de le relier au dossier de votre famille grâce au code abonné
          transmis par la collectivité, puis de consulter et mettre à jour ce dossier, de suivre les activités de vos enfants, de faire des demandes de réservation ou
          d'absence, et de consulter vos factures.
        </p>
        <p>L'utilisation du portail est gratuite et facultative : vous pouvez toujours faire vos démarches auprès des services de {c}.</p>

        <h2 id="compte">2. Votre compte citoyen</h2>
        <ul>
          <li>Pour créer un compte, vous indiquez votre civilité, votre nom, votre prénom, votre adresse e-mail et un mot de passe.</li>
          <li>
            Vous recevez un e-mail avec un lien d'activation, valable 48 heures. Tant que vous n'avez pas cliqué sur ce lien, vous ne pouvez pas vous connecter.
          </li>
          <li>
            Votre mot de passe est personnel : ne le communiquez à personne. Il doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule.
            Nous ne le conservons jamais en clair et ne vous le demanderons jamais par e-mail ou par téléphone.
          </li>
          <li>
            Si vous l'oubliez, la page « Mot de passe oublié ? » vous envoie un lien, valable 1 heure, pour en choisir un nouveau. Changer de mot de passe vous déconnecte
            de tous vos appareils.
          </li>
          <li>
            Si vous pensez que quelqu'un d'autre utilise votre compte, changez votre mot de passe et <a href="/nous-contacter">prévenez le service</a>.
          </li>
          <li>Vous pouvez demander la fermeture de votre compte à tout moment en contactant le service.</li>
        </ul>

        <h2 id="engagements">3. Vos engagements</h2>
        <p>En utilisant le portail, vous vous engagez à :</p>
        <ul>
          <li>donner des informations exactes et les tenir à jour ;</li>
          <li>n'utiliser que votre propre identité et ne relier votre compte qu'au dossier de votre famille ;</li>
          <li>ne pas tenter d'accéder aux données d'autres personnes, ni de perturber le fonctionnement du service.</li>
        </ul>
        <p>En cas d'usage frauduleux ou abusif, {c} peut suspendre ou fermer le compte concerné, après vous en avoir informé sauf urgence.</p>

        <h2 id="demandes">4. Vos demandes</h2>
        <p>
          Les demandes faites sur le portail (réservations, absences, modifications du dossier famille, pièces justificatives…) sont examinées par les services de {c}.
          Un e-mail vous confirme leur enregistrement ; une demande n'est acquise que lorsqu'elle a été acceptée. Les règles de chaque activité (dates limites,
          nombre de places) s'appliquent.
        </p>

        <h2 id="disponibilite">5. Disponibilité du service</h2>
        <p>
          Nous faisons le nécessaire pour que le portail soit disponible à tout moment, mais il peut être interrompu, notamment pour maintenance. Pour une démarche
          urgente, <a href="/nous-contacter">contactez directement le service</a>.
        </p>

        <h2 id="donnees">6. Vos données personnelles</h2>
        <h3>Qui est responsable de vos données ?</h3>
        <p>
          {c} est responsable du traitement de vos données. Les personnes qui y ont accès sont tenues au secret professionnel ou à la confidentialité.
        </p>
        <h3>Quelles données ?</h3>
        <ul>
          <li>votre compte : civilité, nom, prénom, adresse e-mail, mot de passe (conservé uniquement sous une forme chiffrée irréversible) et code abonné ;</li>
          <li>le dossier de votre famille tenu par la collectivité : responsables, enfants, contacts habilités, autorisations, informations utiles à la prise en charge des enfants ;</li>
          <li>vos demandes, les réponses de la collectivité et vos factures ;</li>
          <li>des informations techniques de connexion (date, adresse IP), pour la sécurité du service.</li>
        </ul>
        <p>
          Les informations de santé des enfants (allergies, vaccins, besoins particuliers) ne sont demandées que lorsqu'elles sont nécessaires à leur accueil ; elles
          ne sont visibles que par les personnes qui en ont besoin.
        </p>
        <h3>Pour quoi faire ?</h3>
        <ul>
          <li>gérer votre compte et le relier au dossier de votre famille ;</li>
          <li>traiter vos demandes et vous informer de leur suivi par e-mail ;</li>
          <li>organiser l'accueil de vos enfants et facturer les services ;</li>
          <li>protéger le service contre les abus (par exemple, limiter les tentatives de connexion).</li>
        </ul>
        <p>
          Ces traitements sont nécessaires à l'exécution des missions de service public de la collectivité (article 6.1.e du règlement général sur la protection des
          données). Vos données ne sont jamais vendues ni utilisées à des fins publicitaires.
        </p>
        <h3>Qui les reçoit ?</h3>
        <p>
          Les agents habilités des services de {c}, et les prestataires techniques qui hébergent le portail et envoient ses e-mails, pour le compte de la collectivité
          et selon ses instructions.
        </p>
        <h3>Combien de temps ?</h3>
        <ul>
          <li>votre compte : tant qu'il est ouvert ; un compte inutilisé pendant 3 ans peut être fermé, après un e-mail vous en avertissant ;</li>
          <li>le dossier famille, les demandes et les factures : selon les durées fixées par la réglementation des archives publiques et de la comptabilité publique ;</li>
          <li>les informations techniques de connexion : 6 mois au plus.</li>
        </ul>
        <h3>Vos droits</h3>
        <p>
          Vous pouvez accéder à vos données, les faire rectifier, demander leur effacement ou la limitation de leur traitement, et vous opposer à leur traitement pour
          des raisons tenant à votre situation particulière. Pour exercer ces droits, ou pour joindre le délégué à la protection des données de la collectivité,{' '}
          <a href="/nous-contacter">contactez le service</a>.
        </p>
        <p>
          Si vous estimez, après nous avoir contactés, que vos droits ne sont pas respectés, vous pouvez adresser une réclamation à la Commission nationale de
          l'informatique et des libertés (CNIL), sur le site cnil.fr.
        </p>

        <h2 id="cookies">7. Cookies</h2>
        <p>
          Le portail n'utilise qu'un seul cookie, strictement nécessaire : le cookie de session, qui vous garde connecté. Il disparaît quand vous vous déconnectez, et
          au plus tard 12 heures après votre connexion. Aucun cookie de mesure d'audience ou de publicité n'est déposé.
        </p>
        <p>
          La vérification « Je ne suis pas un robot » du formulaire d'inscription est un petit calcul fait par votre navigateur : elle ne dépose pas de cookie, ne fait
          appel à aucun service extérieur et ne suit pas vos mouvements.
        </p>

        <h2 id="evolution">8. Évolution de ces conditions</h2>
        <p>
          {c} peut faire évoluer ces conditions, par exemple quand de nouveaux services ouvrent sur le portail. La version en vigueur est toujours celle de cette page.
          Ces conditions relèvent du droit français.
        </p>
      </div>
    </Page>
  );
}
