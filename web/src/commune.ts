/**
 * The commune's branding, read once at start from `/commune.json`:
 *
 * ```json
 * { "name": "Mairie de Villebois", "short_name": "Villebois", "logo": "/logo.svg",
 *   "colors": { "primary": "#1f4e8c", "primary_contrast": "#ffffff", "accent": "#a3410b" },
 *   "font": "Marianne, Arial, sans-serif", "radius": "4px" }
 * ```
 *
 * Each key of `colors` sets the custom property `--color-<key>` (underscores
 * become dashes), so a commune can override any colour of `theme.css`.
 * The contact is not here: it is the server's (`GET /api/commune`), the
 * same as at the foot of every e-mail.
 */

export interface Commune {
  name: string;
  short_name: string;
  portal_name: string;
  logo: string;
}

const fallback: Commune = {
  name: 'Votre commune',
  short_name: 'Commune',
  portal_name: 'Portail Citoyen',
  logo: '/logo.svg',
};

export let commune: Commune = fallback;

/**
 * "de la mairie de Villebois" for "Mairie de Villebois", "de la ville de
 * Lyon", "d'Orval", "de Villebois": the commune's name after "de".
 */
export function ofCommune(name: string): string {
  const m = /^(mairie|ville|commune|communauté)\b(.*)$/i.exec(name.trim());
  if (m) return `de la ${m[1]!.toLowerCase()}${m[2]}`;
  return /^[aeiouyàâéèêëîïôûùh]/i.test(name.trim()) ? `d'${name.trim()}` : `de ${name.trim()}`;
}

const text = (v: unknown, or: string, max = 500): string =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : or;

/** A local path or an https URL, never `javascript:` and the like. */
const safeUrl = (v: unknown, or: string): string => {
  if (typeof v !== 'string') return or;
  if (v.startsWith('/') && !v.startsWith('//')) return v;
  return /^https:\/\//i.test(v) ? v : or;
};

function applyTheme(raw: Record<string, unknown>): void {
  const root = document.documentElement.style;
  const colors = raw['colors'];
  if (colors && typeof colors === 'object') {
    for (const [key, value] of Object.entries(colors as Record<string, unknown>)) {
      if (!/^[a-z][a-z0-9_]*$/.test(key) || typeof value !== 'string') continue;
      if (!CSS.supports('color', value)) continue;
      root.setProperty(`--color-${key.replaceAll('_', '-')}`, value);
    }
  }
  const font = raw['font'];
  if (typeof font === 'string' && CSS.supports('font-family', font)) {
    root.setProperty('--font', font);
  }
  const radius = raw['radius'];
  if (typeof radius === 'string' && CSS.supports('border-radius', radius)) {
    root.setProperty('--radius', radius);
  }
}

/** Fetches the branding; the portal still starts, neutral, without it. */
export async function loadCommune(): Promise<Commune> {
  try {
    const resp = await fetch('/commune.json', {
      cache: 'no-cache',
      headers: { Accept: 'application/json' },
    });
    if (!resp.ok) throw new Error(`commune.json: ${resp.status}`);
    const raw = (await resp.json()) as Record<string, unknown>;
    const name = text(raw['name'], fallback.name, 120);
    commune = {
      name,
      short_name: text(raw['short_name'], name, 60),
      portal_name: text(raw['portal_name'], fallback.portal_name, 80),
      logo: safeUrl(raw['logo'], fallback.logo),
    };
    applyTheme(raw);
  } catch (e) {
    console.warn('Branding de la commune indisponible :', e);
  }
  return commune;
}
