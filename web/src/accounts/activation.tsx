/**
 * `/activation?token=…`: the link of the activation e-mail; and
 * `/nouveau-lien-activation` to get a new one.
 */
import { useEffect, useRef, useState } from 'preact/hooks';

import { ApiError, accounts, asApiError } from '../api';
import { commune } from '../commune';
import { location } from '../router';
import { ErrorSummary, RequiredNote, SubmitButton, InputField, useSubmit } from '../ui/form';
import { Page } from '../ui/page';

export const MISSING_TOKEN =
  "Le lien est incomplet. Copiez dans votre navigateur l'adresse complète indiquée dans l'e-mail, ou cliquez sur le bouton de l'e-mail.";

type Outcome = { state: 'working' } | { state: 'done'; message: string } | { state: 'failed'; error: ApiError };

export function ActivationPage() {
  const token = location().query.get('token')?.trim() ?? '';
  const [outcome, setOutcome] = useState<Outcome>({ state: 'working' });
  const sent = useRef(false);
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    // A token is spent by its first use: post it once.
    if (sent.current) return;
    sent.current = true;
    if (!token) {
      setOutcome({ state: 'failed', error: new ApiError(0, 'missing_token', MISSING_TOKEN) });
      return;
    }
    accounts
      .activate(token)
      .then((res) => setOutcome({ state: 'done', message: res?.message || 'Votre compte est activé.' }))
      .catch((e: unknown) => setOutcome({ state: 'failed', error: asApiError(e) }));
  }, [token]);

  useEffect(() => {
    if (outcome.state !== 'working') box.current?.focus();
  }, [outcome.state]);

  const failed = outcome.state === 'failed';
  return (
    <Page title={failed ? 'Activation impossible' : 'Activation de votre compte'} error={failed} breadcrumb={[{ label: 'Activation du compte' }]}>
      <div class="prose">
        {outcome.state === 'working' && (
          <p role="status">Activation de votre compte en cours…</p>
        )}
        {outcome.state === 'done' && (
          <div ref={box} class="notice notice--success" role="status" tabIndex={-1}>
            <p>
              <strong>{outcome.message}</strong>
            </p>
            <p>
              <a class="button" href="/connexion">
                Se connecter
              </a>
            </p>
          </div>
        )}
        {outcome.state === 'failed' && (
          <div ref={box} class="notice notice--error" role="alert" tabIndex={-1}>
            <p>
              <strong>{outcome.error.detail}</strong>
            </p>
            <p>
              Si votre compte est déjà activé, <a href="/connexion">connectez-vous</a>. Sinon, <a href="/nouveau-lien-activation">demandez un nouveau lien d'activation</a>.
            </p>
          </div>
        )}
      </div>
    </Page>
  );
}

export function ResendActivationPage() {
  const [email, setEmail] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const box = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (done) box.current?.focus();
  }, [done]);

  function submit(ev: Event) {
    ev.preventDefault();
    void run(
      () => accounts.resendActivation(email.trim()),
      (res) => setDone(res?.message || "Si un compte attend son activation à cette adresse, un nouveau lien d'activation vient d'y être envoyé."),
    );
  }

  return (
    <Page title="Recevoir un nouveau lien d'activation" error={!!error} breadcrumb={[{ label: "Nouveau lien d'activation" }]}>
      <div class="narrow">
        {done ? (
          <div ref={box} class="notice notice--success" role="status" tabIndex={-1}>
            <p>
              <strong>{done}</strong>
            </p>
            <p>Le lien est valable 48 heures.</p>
          </div>
        ) : (
          <>
            <p>Indiquez l'e-mail de votre compte citoyen : s'il attend encore son activation, nous y enverrons un nouveau lien.</p>
            <RequiredNote />
            <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
              <ErrorSummary error={error} fields={{ email: 'email' }} />
              <InputField id="email" label="E-mail (identifiant)" type="email" required autoComplete="email" spellcheck={false} value={email} onValue={setEmail} error={error?.fieldMessage('email')} />
              <div class="actions">
                <SubmitButton busy={busy}>Envoyer un nouveau lien</SubmitButton>
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
