/**
 * Forgotten password: `/mot-de-passe-oublie` asks for a link by e-mail,
 * `/nouveau-mot-de-passe?token=…` (the link) sets the new password.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError, accounts } from '../api';
import { commune } from '../commune';
import { location } from '../router';
import { loggedOut } from '../session';
import { ErrorSummary, PasswordField, RequiredNote, SubmitButton, InputField, useSubmit } from '../ui/form';
import { Page } from '../ui/page';
import { MISSING_TOKEN } from './activation';
import { PASSWORD_RULE } from './signup';

function SuccessBox({ children }: { children: ComponentChildren }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <div ref={box} class="notice notice--success" role="status" tabIndex={-1}>
      {children}
    </div>
  );
}

export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();

  function submit(ev: Event) {
    ev.preventDefault();
    void run(
      () => accounts.forgotPassword(email.trim()),
      (res) =>
        setDone(
          res?.message ||
            "Si un compte existe avec cette adresse, un e-mail contenant un lien pour choisir un nouveau mot de passe vient d'y être envoyé.",
        ),
    );
  }

  return (
    <Page title="Mot de passe oublié" error={!!error} breadcrumb={[{ href: '/connexion', label: 'Connexion' }, { label: 'Mot de passe oublié' }]}>
      <div class="narrow">
        {done ? (
          <SuccessBox>
            <p>
              <strong>{done}</strong>
            </p>
            <p>Le lien est valable 1 heure. Pensez à regarder dans le dossier des courriers indésirables (spam).</p>
          </SuccessBox>
        ) : (
          <>
            <p>Indiquez l'e-mail de votre compte citoyen : nous vous enverrons un lien pour choisir un nouveau mot de passe.</p>
            <RequiredNote />
            <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
              <ErrorSummary error={error} fields={{ email: 'email' }} />
              <InputField
                id="email"
                label="E-mail (identifiant)"
                type="email"
                required
                autoComplete="username"
                spellcheck={false}
                value={email}
                onValue={setEmail}
                error={error?.fieldMessage('email')}
              />
              <div class="actions">
                <SubmitButton busy={busy}>Recevoir un lien</SubmitButton>
              </div>
            </form>
          </>
        )}
        <p class="spaced">
          <a href="/connexion">Retour à la connexion au {commune.portal_name}</a>
        </p>
      </div>
    </Page>
  );
}

const FIELDS: Record<string, string> = {
  password: 'mot-de-passe',
  password_confirmation: 'confirmation',
};

export function NewPasswordPage() {
  const token = location().query.get('token')?.trim() ?? '';
  const [password, setPassword] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();

  function submit(ev: Event) {
    ev.preventDefault();
    if (!token) {
      setError(new ApiError(0, 'missing_token', MISSING_TOKEN));
      return;
    }
    void run(
      () => accounts.newPassword({ token, password, password_confirmation: confirmation }),
      (res) => {
        // Every session of the account is closed by the change.
        loggedOut();
        setDone(res?.message || 'Votre mot de passe est changé.');
      },
    );
  }

  const linkBroken = error && (error.code === 'missing_token' || error.code.startsWith('token_') || error.code === 'invalid_token');
  return (
    <Page title="Choisir un nouveau mot de passe" error={!!error} breadcrumb={[{ href: '/connexion', label: 'Connexion' }, { label: 'Nouveau mot de passe' }]}>
      <div class="narrow">
        {done ? (
          <SuccessBox>
            <p>
              <strong>{done}</strong>
            </p>
            <p>
              <a class="button" href="/connexion">
                Se connecter
              </a>
            </p>
          </SuccessBox>
        ) : (
          <>
            <RequiredNote />
            <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
              <ErrorSummary error={error} fields={FIELDS}>
                {linkBroken && (
                  <p>
                    <a href="/mot-de-passe-oublie">Demander un nouveau lien</a>
                  </p>
                )}
              </ErrorSummary>
              <PasswordField
                id="mot-de-passe"
                label="Nouveau mot de passe"
                what="le mot de passe"
                required
                autoComplete="new-password"
                hint={PASSWORD_RULE}
                value={password}
                onValue={setPassword}
                error={error?.fieldMessage('password')}
              />
              <PasswordField
                id="confirmation"
                label="Confirmation du mot de passe"
                what="la confirmation du mot de passe"
                required
                autoComplete="new-password"
                value={confirmation}
                onValue={setConfirmation}
                error={error?.fieldMessage('password_confirmation')}
              />
              <div class="actions">
                <SubmitButton busy={busy}>Enregistrer le mot de passe</SubmitButton>
              </div>
            </form>
          </>
        )}
      </div>
    </Page>
  );
}
