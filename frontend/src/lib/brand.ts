/**
 * The product's name, logo and one-line description. A deployment's brand.json (served beside the
 * app, see infra/brand.ts) replaces the name and logo, and its brand.css the `--brand-*` tokens of
 * app.css; nothing else names the product. The root layout loads it before any page renders.
 */
export const brand: { name: string; logo: string | null; readonly tagline: string } = {
  name: 'Moot',
  logo: null,
  tagline: 'Where groups discuss and decide together.',
};

let loaded: Promise<void> | undefined;

/** Reads brand.json once; without one the app stays Moot. */
export function loadBrand(fetch: typeof globalThis.fetch): Promise<void> {
  loaded ??= fetch('/brand.json')
    .then((response) => (response.ok ? response.json() : null))
    .then((manifest: { name?: unknown; logo?: unknown } | null) => {
      if (typeof manifest?.name === 'string' && manifest.name) brand.name = manifest.name;
      // Only a path on this site: never another origin, protocol-relative ones included.
      if (typeof manifest?.logo === 'string' && /^\/(?!\/)/.test(manifest.logo)) brand.logo = manifest.logo;
    })
    .catch(() => undefined);
  return loaded;
}

/** A page title in one consistent shape: "Sign in · Moot". */
export function pageTitle(page?: string): string {
  return page ? `${page} · ${brand.name}` : brand.name;
}
