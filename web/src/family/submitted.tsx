/** What a parent sees once a change is sent: it waits for the commune. */
import { useEffect, useRef } from 'preact/hooks';

import { ApiError, type FieldProblem } from '../api';

export function SubmittedNotice({ requestId, what = 'modification' }: { requestId: string; what?: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.focus();
  }, [requestId]);
  return (
    <div ref={box} class="notice notice--success" role="status" tabIndex={-1}>
      <p>
        <strong>Votre demande de {what} est envoyée à la collectivité.</strong> Elle sera appliquée après sa validation. En attendant, la nouvelle valeur est affichée à côté de l'actuelle avec la mention « Modification en attente de validation ».
      </p>
      <p>
        <a href={`/mes-demandes/${encodeURIComponent(requestId)}`}>Suivre cette demande dans « Mes demandes »</a>
      </p>
    </div>
  );
}

/** An error found before sending, shaped like the server's. */
export function clientError(problems: FieldProblem[]): ApiError {
  const first = problems[0]?.message ?? 'La demande contient des erreurs.';
  const detail = problems.length > 1 ? `${problems.length} champs sont à corriger. ${first}` : first;
  return new ApiError(422, problems[0]?.code ?? 'invalid', detail, problems);
}
