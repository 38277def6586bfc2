/** Logging in: the form (also on the home page) and `/connexion`. */
import { useState } from 'preact/hooks';

import { commune } from '../commune';
import { location, navigate, safeReturnPath } from '../router';
import { logIn } from '../session';
import { ErrorSummary, PasswordField, SubmitButton, InputField, useSubmit } from '../ui/form';
import { Page } from '../ui/page';

interface LoginFormProps {
  /** Keeps ids unique if the form is shown twice. */
  idPrefix?: string;
  /** Where to go once logged in. */
  next?: string;
  onError?: (hasError: boolean) => void;
}

export function LoginForm({ idPrefix = '', next = '/mon-espace', onError }: LoginFormProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  const id = (s: string) => `${idPrefix}${s}`;

  function submit(ev: Event) {
    ev.preventDefault();
    void run(
      () => logIn(email.trim(), password),
      (me) => {
        onError?.(false);
        // An agent logging in without a page to go back to lands on the
        // back-office, activity staff on their attendance sheets.
        const home = me.role === 'agent' ? '/agent' : me.role === 'staff' ? '/pointage' : next;
        navigate(next === '/mon-espace' ? home : next, { replace: true });
      },
      () => {
        setPassword('');
        onError?.(true);
      },
    );
  }

  return (
    <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
      <ErrorSummary error={error}>
        {error?.code === 'not_activated' && (
          <p>
            Vous n'avez pas reçu l'e-mail, ou le lien a expiré ? <a href="/nouveau-lien-activation">Recevoir un nouveau lien d'activation</a>
          </p>
        )}
        {error?.code === 'invalid_credentials' && (
          <p>
            <a href="/mot-de-passe-oublie">Mot de passe oublié ?</a>
          </p>
        )}
      </ErrorSummary>
      <InputField
        id={id('identifiant')}
        label="Identifiant"
        hint="Votre adresse e-mail"
        type="email"
        autoComplete="username"
        spellcheck={false}
        value={email}
        onValue={setEmail}
      />
      <PasswordField
        id={id('mot-de-passe')}
        label="Mot de passe"
        what="le mot de passe"
        autoComplete="current-password"
        value={password}
        onValue={setPassword}
      />
      <div class="actions">
        <SubmitButton busy={busy} busyText="Connexion en cours…">
          Se connecter
        </SubmitButton>
        <a href="/mot-de-passe-oublie">Mot de passe oublié ?</a>
      </div>
    </form>
  );
}

export function LoginPage() {
  const { query } = location();
  const back = safeReturnPath(query.get('retour'));
  const [hasError, setHasError] = useState(false);
  return (
    <Page title={`Connectez-vous au ${commune.portal_name}`} documentTitle="Connexion" error={hasError} breadcrumb={[{ label: 'Connexion' }]}>
      <div class="narrow">
        {back && (
          <div class="notice">
            <p>Connectez-vous pour accéder à cette page.</p>
          </div>
        )}
        <LoginForm next={back ?? '/mon-espace'} onError={setHasError} />
        <h2 class="spaced">Vous n'avez pas encore de compte citoyen ?</h2>
        <p>
          <a class="button button--accent" href="/inscription">
            Créer un compte
          </a>
        </p>
      </div>
    </Page>
  );
}
