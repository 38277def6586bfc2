/** Pieces shared by the family pages: family chooser, pending banner, no family yet. */
import { useState } from 'preact/hooks';

import type { Me } from '../api';
import { PENDING_TEXT, PendingIcon } from '../ui/pending';
import { chooseFamily, currentFamily } from './current';
import './family.css';

/** The guide's banner above a form with pending fields. */
export function PendingBanner() {
  return (
    <div class="notice notice--pending">
      <p>
        <PendingIcon /> <strong>Certains champs sont en demande de modification.</strong> Les nouvelles valeurs, marquées « {PENDING_TEXT} », seront appliquées quand la collectivité les aura validées.
      </p>
    </div>
  );
}

/** A select of the account's families, when it has several. */
export function FamilyChooser({ me }: { me: Me }) {
  const current = currentFamily(me);
  const [chosen, setChosen] = useState(current?.family_id ?? '');
  if (me.families.length < 2) return null;
  return (
    <form
      class="family-chooser"
      onSubmit={(ev) => {
        ev.preventDefault();
        chooseFamily(chosen);
      }}
    >
      <div class="field">
        <label for="famille-affichee">Famille affichée</label>
        <p class="hint" id="famille-affichee-aide">
          Votre compte est relié à {me.families.length} dossiers famille.
        </p>
        <div class="inline-form">
          <select id="famille-affichee" value={chosen} onChange={(e) => setChosen(e.currentTarget.value)} aria-describedby="famille-affichee-aide">
            {me.families.map((f) => (
              <option key={f.family_id} value={f.family_id}>
                {f.label || `Dossier ${f.family_id}`}
              </option>
            ))}
          </select>
          <button type="submit" class="button button--secondary">
            Afficher cette famille
          </button>
        </div>
      </div>
    </form>
  );
}

/** For an account not linked to any family yet. */
export function NoFamily() {
  return (
    <div class="notice">
      <h2 class="notice__title">Votre compte n'est relié à aucun dossier famille</h2>
      <p>Pour accéder à l'espace famille, abonnez-vous au dossier de votre famille avec le code abonné transmis par votre collectivité, ou avec les références d'une de vos factures.</p>
      <p>
        <a class="button" href="/mon-espace/abonnements">
          Mes abonnements
        </a>
      </p>
    </div>
  );
}
