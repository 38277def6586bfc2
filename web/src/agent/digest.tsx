/**
 * `/agent/accuse-de-traitement`: the processing e-mails the open window
 * would send if it closed now, exactly as they will leave; and, in the
 * local demo, `/agent/boite-envoi`: the e-mails the portal sent.
 */
import { request } from '../api';
import { agent } from '../api/agent';
import type { Schemas } from '../api';
import { instantLong } from '../dates';
import { LoadFailure, Loading, useLoad } from '../ui/load';
import { plural } from './format';
import { AgentPage } from './ui';

type Preview = Schemas['DigestPreview'];

const PREVIEW_TITLE = "Accusé de traitement de la prochaine fenêtre";

function Email({ n, to, subject, text, when }: { n: number; to: string; subject: string; text: string; when?: string }) {
  const id = `courriel-${n}`;
  return (
    <article class="panel" aria-labelledby={id}>
      <h3 id={id}>
        {subject} — {to}
      </h3>
      {when && <p>Envoyé le {instantLong(when)}</p>}
      <pre class="email-text" role="region" aria-label={`Texte du courriel : ${subject}`} tabIndex={0}>
        {text}
      </pre>
    </article>
  );
}

export function DigestPreviewPage() {
  const preview = useLoad<Preview>(() => agent.digestPreview());
  const p = preview.data;
  return (
    <AgentPage title={PREVIEW_TITLE} crumbs={[{ label: PREVIEW_TITLE }]}>
      <p class="lead">
        Les familles reçoivent à 13:00 et à 18:00 un accusé de traitement des demandes traitées depuis
        l'envoi précédent. Voici ceux de la fenêtre en cours, tels qu'ils partiraient maintenant ; rien n'est envoyé.
      </p>
      {preview.error ? (
        <LoadFailure error={preview.error} />
      ) : !p ? (
        <Loading text="Préparation de l'aperçu…" />
      ) : (
        <>
          <p>
            <strong>Envoi prévu le {instantLong(p.sends_at)}</strong> :{' '}
            {p.families === 0
              ? "aucune demande n'a encore été traitée dans cette fenêtre."
              : `${p.more ? 'Plus de ' : ''}${plural(p.families, 'famille', 'familles')} avec au moins une demande traitée${
                  p.more || p.emails.length < p.families ? ` (${plural(p.emails.length, 'courriel montré', 'courriels montrés')})` : ''
                }.`}
          </p>
          {p.outbox && (
            <p>
              <a href="/agent/boite-envoi">Voir la boîte d'envoi de la démo</a> (les courriels déjà envoyés : accusés
              d'enregistrement, accusés de traitement, comptes).
            </p>
          )}
          {p.emails.map((e, i) => (
            <Email key={i} n={i} to={e.to} subject={e.subject} text={e.text} />
          ))}
        </>
      )}
    </AgentPage>
  );
}

interface OutboxEntry {
  id: string;
  to: string;
  subject: string;
  text: string;
  sent_at: string;
}

const OUTBOX_TITLE = "Boîte d'envoi de la démo";

export function OutboxPage() {
  const outbox = useLoad(() => request<{ items: OutboxEntry[]; total: number }>('GET', '/api/demo/outbox'));
  const o = outbox.data;
  return (
    <AgentPage title={OUTBOX_TITLE} crumbs={[{ href: '/agent/accuse-de-traitement', label: PREVIEW_TITLE }, { label: OUTBOX_TITLE }]}>
      <p class="lead">
        En démonstration, le portail n'envoie aucun courriel : il les range dans sa boîte d'envoi, du plus récent au plus
        ancien.
      </p>
      {outbox.error ? (
        outbox.error.status === 404 ? (
          <p>Ce portail n'a pas de boîte d'envoi consultable : elle n'existe qu'en démonstration.</p>
        ) : (
          <LoadFailure error={outbox.error} />
        )
      ) : !o ? (
        <Loading text="Lecture de la boîte d'envoi…" />
      ) : o.items.length === 0 ? (
        <p>Aucun courriel envoyé pour le moment.</p>
      ) : (
        <>
          <p>
            {o.total > o.items.length
              ? `Les ${o.items.length} courriels les plus récents, sur ${o.total}.`
              : plural(o.total, 'courriel envoyé.', 'courriels envoyés.')}
          </p>
          {o.items.map((e, i) => (
            <Email key={e.id} n={i} to={e.to} subject={e.subject} text={e.text} when={e.sent_at} />
          ))}
        </>
      )}
    </AgentPage>
  );
}
