/** `/inscription`: the guide's sign-up form, then `/inscription/confirmation`. */
import { useRef, useState } from 'preact/hooks';

import { type ApiError, type Civility, type SignUp, accounts } from '../api';
import { commune } from '../commune';
import { navigate } from '../router';
import { Checkbox, ErrorSummary, FieldError, PasswordField, Req, RequiredNote, SubmitButton, InputField, errorId, useSubmit } from '../ui/form';
import { Page } from '../ui/page';
import { Captcha, type CaptchaControl } from './captcha';

export const PASSWORD_RULE =
  'Le mot de passe doit contenir au moins 8 caractères, dont au moins 1 chiffre, 1 minuscule et 1 majuscule.';

/** API field -> the element the error summary leads to. */
const FIELDS: Record<string, string> = {
  civility: 'civilite-m',
  last_name: 'nom',
  first_name: 'prenom',
  email: 'email',
  password: 'mot-de-passe',
  password_confirmation: 'confirmation',
  subscriber_code: 'code-abonne',
  accept_terms: 'conditions',
  captcha: 'captcha',
};

const DEFAULT_SENT =
  "Votre demande de création de compte est enregistrée. Un e-mail de confirmation vous a été envoyé : cliquez sur le lien d'activation qu'il contient pour finaliser votre inscription.";
let sentMessage = DEFAULT_SENT;

/** Whether the answer means the captcha payload was used up. */
function captchaSpent(e: ApiError): boolean {
  return e.errors.some((f) => f.field === 'captcha') || e.status === 0 || e.status >= 500;
}

export function SignUpPage() {
  const [civility, setCivility] = useState<Civility | ''>('');
  const [lastName, setLastName] = useState('');
  const [firstName, setFirstName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [code, setCode] = useState('');
  const [accept, setAccept] = useState(false);
  const captcha = useRef<CaptchaControl | null>(null);
  const { busy, error, run } = useSubmit();
  const err = (field: string) => error?.fieldMessage(field);

  async function submit(ev: Event) {
    ev.preventDefault();
    if (busy) return;
    const payload = (await captcha.current?.payload()) ?? '';
    const body: SignUp = {
      civility,
      last_name: lastName,
      first_name: firstName,
      email: email.trim(),
      password,
      password_confirmation: confirmation,
      accept_terms: accept,
      captcha: payload,
    };
    if (code.trim() !== '') body.subscriber_code = code.trim();
    await run(
      () => accounts.signUp(body),
      (res) => {
        sentMessage = res?.message || DEFAULT_SENT;
        navigate('/inscription/confirmation');
      },
      (e) => {
        if (captchaSpent(e)) captcha.current?.reset();
      },
    );
  }

  const civilityError = err('civility');
  return (
    <Page title="Créer un compte" error={!!error} breadcrumb={[{ label: 'Créer un compte' }]}>
      <p class="lead">Votre compte citoyen vous donne accès aux services en ligne de {commune.name}.</p>
      <RequiredNote />
      <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined} class="prose">
        <ErrorSummary error={error} fields={FIELDS} />

        <section class="form-section" aria-labelledby="section-contact">
          <h2 id="section-contact">Votre contact</h2>
          <p class="hint">Indiquez vos civilité, nom et prénom</p>
          <div class={civilityError ? 'field field--error' : 'field'}>
            <fieldset aria-describedby={civilityError ? errorId('civilite') : undefined}>
              <legend>
                Civilité
                <Req />
              </legend>
              <FieldError id="civilite" message={civilityError} />
              <div class="choices">
                {(
                  [
                    ['civilite-m', 'M.', 'Monsieur'],
                    ['civilite-mme', 'Mme', 'Madame'],
                  ] as const
                ).map(([id, value, label]) => (
                  <div class="choice" key={id}>
                    <input
                      type="radio"
                      id={id}
                      name="civilite"
                      value={value}
                      checked={civility === value}
                      onChange={() => setCivility(value)}
                      required
                      aria-invalid={civilityError ? 'true' : undefined}
                    />
                    <label for={id}>{label}</label>
                  </div>
                ))}
              </div>
            </fieldset>
          </div>
          <InputField id="nom" label="Nom" required autoComplete="family-name" value={lastName} onValue={setLastName} error={err('last_name')} maxLength={100} />
          <InputField id="prenom" label="Prénom" required autoComplete="given-name" value={firstName} onValue={setFirstName} error={err('first_name')} maxLength={100} />
        </section>

        <section class="form-section" aria-labelledby="section-acces">
          <h2 id="section-acces">Vos accès au Portail</h2>
          <p class="hint">Renseignez votre email et le mot de passe de votre choix</p>
          <InputField
            id="email"
            label="E-mail (identifiant)"
            type="email"
            required
            autoComplete="email"
            spellcheck={false}
            hint="Exemple : prenom.nom@exemple.fr"
            value={email}
            onValue={setEmail}
            error={err('email')}
          />
          <PasswordField
            id="mot-de-passe"
            label="Mot de passe"
            what="le mot de passe"
            required
            autoComplete="new-password"
            hint={PASSWORD_RULE}
            value={password}
            onValue={setPassword}
            error={err('password')}
          />
          <PasswordField
            id="confirmation"
            label="Confirmation du mot de passe"
            what="la confirmation du mot de passe"
            required
            autoComplete="new-password"
            value={confirmation}
            onValue={setConfirmation}
            error={err('password_confirmation')}
          />
        </section>

        <section class="form-section" aria-labelledby="section-code">
          <h2 id="section-code">Code abonné Famille</h2>
          <p class="hint">Entrez le code abonné famille transmis par votre collectivité</p>
          <InputField
            id="code-abonne"
            label="Code abonné"
            hint="Facultatif : vous pourrez aussi le renseigner plus tard dans « Mes abonnements »."
            autoComplete="off"
            spellcheck={false}
            value={code}
            onValue={setCode}
            error={err('subscriber_code')}
            maxLength={40}
          />
        </section>

        <Checkbox
          id="conditions"
          checked={accept}
          onChecked={setAccept}
          required
          error={err('accept_terms')}
          label={
            <>
              J'ai lu et j'accepte les{' '}
              <a href="/conditions" target="_blank" rel="noopener">
                Conditions d'utilisation<span class="visually-hidden"> (nouvel onglet)</span>
              </a>
            </>
          }
        />

        <Captcha id="captcha" error={err('captcha')} control={captcha} />

        <div class="actions">
          <SubmitButton busy={busy}>S'inscrire</SubmitButton>
          <a href="/connexion">J'ai déjà un compte</a>
        </div>
        <p class="status" role="status">
          {busy ? 'Envoi de votre inscription en cours…' : ''}
        </p>
      </form>
    </Page>
  );
}

export function SignUpSentPage() {
  return (
    <Page title="Vérifiez votre messagerie" breadcrumb={[{ href: '/inscription', label: 'Créer un compte' }, { label: 'Demande enregistrée' }]}>
      <div class="prose">
        <div class="notice notice--success">
          <p>
            <strong>{sentMessage}</strong>
          </p>
        </div>
        <p>Le lien d'activation est valable 48 heures. Une fois votre compte activé, vous pourrez vous connecter au {commune.portal_name} avec votre e-mail et votre mot de passe.</p>
        <p>
          Vous ne trouvez pas l'e-mail ? Regardez dans le dossier des courriers indésirables (spam), ou{' '}
          <a href="/nouveau-lien-activation">demandez un nouveau lien d'activation</a>.
        </p>
        <p>
          <a href="/">Retour à l'accueil</a>
        </p>
      </div>
    </Page>
  );
}
