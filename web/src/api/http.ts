/**
 * The portal's API: same origin, JSON, session cookie. Errors arrive as
 * RFC 9457 `application/problem+json` and become an `ApiError` carrying the
 * French `detail` and the invalid fields.
 */

export interface FieldProblem {
  field: string;
  code: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly errors: FieldProblem[];
  /** Seconds to wait, from `Retry-After`. */
  readonly retryAfter: number | null;

  constructor(
    status: number,
    code: string,
    detail: string,
    errors: FieldProblem[] = [],
    retryAfter: number | null = null,
  ) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }

  /** The message for the error field of `field`, if any. */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}

/** "30 secondes", "1 minute", "15 minutes", "2 heures". */
export function frenchDuration(seconds: number): string {
  const plural = (n: number, word: string) => `${n} ${word}${n > 1 ? 's' : ''}`;
  if (seconds < 60) return plural(Math.max(1, Math.ceil(seconds)), 'seconde');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return plural(minutes, 'minute');
  return plural(Math.ceil(minutes / 60), 'heure');
}

function parseRetryAfter(value: string | null): number | null {
  if (!value) return null;
  const secs = Number(value);
  if (Number.isFinite(secs) && secs >= 0) return secs;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, (at - Date.now()) / 1000);
}

const statusDetail: Record<number, string> = {
  400: 'La demande est invalide.',
  401: 'Vous devez être connecté pour accéder à cette page.',
  403: "Vous n'avez pas accès à cette page.",
  404: "La ressource demandée n'existe pas.",
  409: 'Les données ont été modifiées entre-temps. Rechargez la page et recommencez.',
  422: 'La demande contient des erreurs.',
  429: 'Trop de tentatives.',
  503: 'Le service est momentanément indisponible. Réessayez dans quelques instants.',
};

function isFieldProblem(v: unknown): v is FieldProblem {
  if (!v || typeof v !== 'object') return false;
  const o = v as Record<string, unknown>;
  return typeof o['field'] === 'string' && typeof o['message'] === 'string';
}

export async function toError(resp: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(resp.headers.get('Retry-After'));
  let code = `http_${resp.status}`;
  let detail = statusDetail[resp.status] ?? "Une erreur inattendue s'est produite. Réessayez plus tard.";
  let errors: FieldProblem[] = [];
  const type = resp.headers.get('Content-Type') ?? '';
  if (type.includes('json')) {
    try {
      const body = (await resp.json()) as Record<string, unknown>;
      if (typeof body['code'] === 'string') code = body['code'];
      if (typeof body['detail'] === 'string' && body['detail'] !== '') detail = body['detail'];
      if (Array.isArray(body['errors'])) {
        errors = body['errors'].filter(isFieldProblem).map((e) => ({
          field: e.field,
          code: typeof e.code === 'string' ? e.code : '',
          message: e.message,
        }));
      }
    } catch {
      // Not the JSON it claims to be: keep the generic French text.
    }
  }
  if (retryAfter !== null && (resp.status === 429 || resp.status === 503)) {
    // Always say how long to wait, whatever the server's wording.
    const wait = frenchDuration(retryAfter);
    const at = new Date(Date.now() + retryAfter * 1000).toLocaleTimeString('fr-FR', {
      hour: '2-digit',
      minute: '2-digit',
    });
    detail =
      resp.status === 429
        ? `Trop de tentatives. Pour votre sécurité, patientez ${wait} avant de réessayer (à partir de ${at}).`
        : `${detail.replace(/\s*Réessayez[^.]*\.\s*$/, '')} Réessayez dans ${wait}.`;
  }
  return new ApiError(resp.status, code, detail, errors, retryAfter);
}

export async function request<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  const init: RequestInit = {
    method,
    credentials: 'same-origin',
    headers: { Accept: 'application/json', ...headers },
  };
  if (body !== undefined) {
    init.headers = { ...init.headers, 'Content-Type': 'application/json' };
    init.body = JSON.stringify(body);
  }
  let resp: Response;
  try {
    resp = await fetch(path, init);
  } catch {
    throw new ApiError(
      0,
      'network',
      'Le portail ne répond pas. Vérifiez votre connexion à Internet, puis réessayez.',
    );
  }
  if (!resp.ok) throw await toError(resp);
  if (resp.status === 204) return undefined as T;
  const type = resp.headers.get('Content-Type') ?? '';
  return (type.includes('json') ? await resp.json() : undefined) as T;
}

/** Whatever was thrown, as an `ApiError` to show. */
export function asApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  console.error(e);
  return new ApiError(0, 'client', "Une erreur inattendue s'est produite. Rechargez la page, puis réessayez.");
}

/** Where the portal says to send a file (a presigned URL on AWS). */
export interface UploadTarget {
  url: string;
  method?: string;
  headers: [string, string][];
}

/**
 * Sends `file` to the address the portal gave (`what`: « de la photo »,
 * « du PDF »…, for the French messages); the portal checks it when told.
 */
export async function sendToUpload(target: UploadTarget, file: Blob, what: string): Promise<void> {
  let put: Response;
  try {
    put = await fetch(target.url, {
      method: target.method || 'PUT',
      headers: Object.fromEntries(target.headers),
      body: file,
    });
  } catch {
    throw new ApiError(0, 'network', `L'envoi ${what} a échoué : vérifiez votre connexion à Internet, puis réessayez.`);
  }
  if (!put.ok) throw new ApiError(put.status, 'upload_failed', `L'envoi ${what} a échoué. Réessayez dans quelques instants.`);
}
