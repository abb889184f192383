/**
 * The product's name and one-line description. A deployment with its own branding
 * changes these and the `--brand-*` tokens in app.css; nothing else names the product.
 */
export const brand = {
  name: 'Moot',
  tagline: 'Where groups discuss and decide together.',
} as const;

/** A page title in one consistent shape: "Sign in · Moot". */
export function pageTitle(page?: string): string {
  return page ? `${page} · ${brand.name}` : brand.name;
}
