/**
 * A child's photo: the current one, and sending a new one in three steps
 * (`POST …/photo` gives where to put the file, the browser PUTs it there,
 * `POST …/photo/confirm` has the server check it). The new photo waits for
 * the commune like any change.
 */
import { useRef, useState } from 'preact/hooks';

import { ApiError, parent, sendToUpload } from '../api';
import { FieldError, describedBy, errorId, hintId, useSubmit } from '../ui/form';
import type { Child } from './model';
import { SubmittedNotice } from './submitted';
import { PendingNote, pendingId } from '../ui/pending';

const MAX = 5 * 1024 * 1024;
const TYPES = ['image/jpeg', 'image/png', 'image/webp'];

export function PhotoSection({ child, familyId, pendingSince, onSent }: { child: Child; familyId: string; pendingSince: string | null; onSent: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();

  function submit(ev: Event) {
    ev.preventDefault();
    setSent(null);
    if (!file) {
      setError(new ApiError(422, 'required', 'Choisissez une photo à envoyer.'));
      input.current?.focus();
      return;
    }
    if (!TYPES.includes(file.type)) {
      setError(new ApiError(422, 'photo_type', 'La photo doit être une image JPEG, PNG ou WebP.'));
      input.current?.focus();
      return;
    }
    if (file.size > MAX) {
      setError(new ApiError(422, 'photo_too_large', "La photo ne doit pas dépasser 5 Mo. Réduisez-la avant de l'envoyer."));
      input.current?.focus();
      return;
    }
    void run(
      async () => {
        const target = await parent.photoUpload(familyId, child.id, { content_type: file.type, size: file.size });
        await sendToUpload(target.upload, file, 'de la photo');
        return parent.photoConfirm(familyId, child.id, { upload_id: target.upload_id });
      },
      (res) => {
        setSent(res.request_id);
        setFile(null);
        if (input.current) input.current.value = '';
        onSent();
      },
      () => input.current?.focus(),
    );
  }

  const message = error?.detail;
  return (
    <section class="form-section" aria-labelledby="photo-titre">
      <h3 id="photo-titre">Photo</h3>
      <div class="photo">
        {child.photo_url ? <img src={child.photo_url} alt={`Photo de ${child.first_name}`} width="120" height="150" /> : <p class="photo__none">Aucune photo.</p>}
        <form onSubmit={submit} noValidate aria-busy={busy ? 'true' : undefined}>
          {sent && <SubmittedNotice requestId={sent} what="nouvelle photo" />}
          {pendingSince && <PendingNote id="photo" value="une nouvelle photo a été envoyée" />}
          <div class={message ? 'field field--error' : 'field'}>
            <label for="photo">Choisir une nouvelle photo</label>
            <p class="hint" id={hintId('photo')}>
              Image JPEG, PNG ou WebP, de 5 Mo au plus.
            </p>
            <FieldError id="photo" message={message} />
            <input
              ref={input}
              id="photo"
              type="file"
              accept="image/jpeg,image/png,image/webp"
              aria-invalid={message ? 'true' : undefined}
              aria-describedby={describedBy(hintId('photo'), pendingSince ? pendingId('photo') : null, message ? errorId('photo') : null)}
              onChange={(e) => {
                setFile(e.currentTarget.files?.[0] ?? null);
                setError(null);
              }}
            />
          </div>
          <p class="visually-hidden" role="status">
            {busy ? 'Envoi de la photo en cours…' : ''}
          </p>
          <div class="actions">
            <button type="submit" class="button button--secondary" aria-disabled={busy ? 'true' : undefined}>
              {busy ? 'Envoi en cours…' : 'Envoyer la photo'}
            </button>
          </div>
        </form>
      </div>
    </section>
  );
}
