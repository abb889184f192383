import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrandColours, Branding } from './deployments.ts';

const frontendDir = fileURLToPath(new URL('../frontend/', import.meta.url));

/** Where the web app finds a deployment's brand; the same for every deployment. */
export const brandPaths = { stylesheet: 'brand.css', manifest: 'brand.json', logo: 'brand/logo.svg' } as const;

/** What the web app reads from brand.json. */
export interface BrandManifest {
  name: string;
  /** The wordmark's address, or null for the Moot mark beside the name. */
  logo: string | null;
}

const tokens = (colours: BrandColours) =>
  `--brand-primary:${colours.primary};--brand-primary-hover:${colours.primaryHover};--brand-primary-contrast:${colours.primaryContrast}`;

const HEX = /^#[0-9a-f]{6}$/i;

/**
 * The files served beside the web app that make it this deployment's: brand.css overrides the
 * `--brand-*` tokens of app.css in both schemes, brand.json names the product and its logo, and
 * brand/logo.svg is the logo itself. The stateless stack deploys them with the site; the local
 * server serves the chosen deployment's.
 */
export function brandFiles(branding: Branding): Record<string, string> {
  for (const colours of [branding.colours.light, branding.colours.dark]) {
    for (const value of Object.values(colours)) if (!HEX.test(value)) throw new Error(`Brand colour "${value}" of ${branding.name} is not #rrggbb`);
  }
  if (branding.logoPath && !existsSync(join(frontendDir, branding.logoPath))) {
    throw new Error(`The logo of ${branding.name}, ${branding.logoPath}, is not in frontend/: add the SVG there or drop logoPath`);
  }
  const manifest: BrandManifest = { name: branding.name, logo: branding.logoPath ? `/${brandPaths.logo}` : null };
  return {
    [brandPaths.stylesheet]: `:root:root{${tokens(branding.colours.light)}}\n@media (prefers-color-scheme: dark){:root:root{${tokens(branding.colours.dark)}}}\n`,
    [brandPaths.manifest]: `${JSON.stringify(manifest)}\n`,
    ...(branding.logoPath ? { [brandPaths.logo]: readFileSync(join(frontendDir, branding.logoPath), 'utf8') } : {}),
  };
}

/** The brand the Lambdas put into email (light scheme: mail clients mostly show email light). */
export const emailBrandColours = (branding: Branding): string =>
  JSON.stringify({ primary: branding.colours.light.primary, primaryContrast: branding.colours.light.primaryContrast });
