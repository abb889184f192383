import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { brandFiles } from './brand.ts';
import { type BrandColours, deployments, stackName } from './deployments.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

// Every deployment's brand, whatever entries infra/deployments.ts holds: a private host added
// there is checked here without any change to this file.

const frontend = fileURLToPath(new URL('../frontend/', import.meta.url));

/** The colour tokens of app.css in one scheme: the surfaces brand colours sit on. */
function appTokens(scheme: 'light' | 'dark'): Record<string, string> {
  const css = readFileSync(join(frontend, 'src/app.css'), 'utf8');
  const block = scheme === 'light' ? /^:root \{([^}]*)\}/m.exec(css)?.[1] : /@media \(prefers-color-scheme: dark\) \{\s*:root \{([^}]*)\}/.exec(css)?.[1];
  if (!block) throw new Error(`No ${scheme} :root block in app.css`);
  return Object.fromEntries([...block.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6})\s*;/gi)].map((m) => [m[1]!, m[2]!.toLowerCase()]));
}

/** WCAG 2.x relative luminance of #rrggbb. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/** Where each brand token is used as text or as a control, and on what (app.css and the components). */
function pairs(colours: BrandColours, tokens: Record<string, string>): Array<{ what: string; fg: string; bg: string; least: number }> {
  const surfaces = ['--color-bg', '--color-surface', '--color-surface-sunken', '--color-info-surface'].map((name) => [name, tokens[name]!] as const);
  return [
    { what: 'button text on primary', fg: colours.primaryContrast, bg: colours.primary, least: 4.5 },
    { what: 'button text on primary-hover', fg: colours.primaryContrast, bg: colours.primaryHover, least: 4.5 },
    // Links are --brand-primary text; a hovered link or control may show --brand-primary-hover.
    ...surfaces.flatMap(([name, bg]) => [
      { what: `link text on ${name}`, fg: colours.primary, bg, least: 4.5 },
      { what: `hovered link text on ${name}`, fg: colours.primaryHover, bg, least: 4.5 },
    ]),
  ];
}

describe.each(deployments)('the $id brand', (deployment) => {
  it.each(['light', 'dark'] as const)('meets WCAG AA contrast in the %s scheme', (scheme) => {
    const tokens = appTokens(scheme);
    const failing = pairs(deployment.branding.colours[scheme], tokens)
      .map((pair) => ({ ...pair, ratio: Math.round(contrast(pair.fg, pair.bg) * 100) / 100 }))
      .filter((pair) => pair.ratio < pair.least);
    expect(failing).toEqual([]);
  });

  it('has its logo in the repository, as an SVG that loads nothing and runs nothing', () => {
    const { logoPath } = deployment.branding;
    if (!logoPath) return;
    const file = join(frontend, logoPath);
    expect(existsSync(file), logoPath).toBe(true);
    const svg = readFileSync(file, 'utf8');
    expect(svg).toMatch(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).not.toMatch(/<script|<foreignObject|\bon\w+=|href=|url\(|@import/i);
  });
});

describe('the default tokens', () => {
  it("of app.css are the first deployment's, so the app looks the same before brand.css arrives", () => {
    for (const scheme of ['light', 'dark'] as const) {
      const tokens = appTokens(scheme);
      const colours = deployments[0]!.branding.colours[scheme];
      expect({ primary: tokens['--brand-primary'], primaryHover: tokens['--brand-primary-hover'], primaryContrast: tokens['--brand-primary-contrast'] }).toEqual(colours);
    }
  });
});

describe('each deployment site', () => {
  let synth: Synthesized;
  beforeAll(async () => {
    synth = await synthesize();
  });

  /** The files of each source the stack's web deployment copies into its bucket, read from cdk.out. */
  function deployedFiles(id: string): Record<string, string> {
    const deployment = deployments.find((d) => d.id === id)!;
    const template = synth.templates[stackName(deployment, 'Stateless')]!;
    const [web] = resourcesOf(template, 'Custom::CDKBucketDeployment');
    const keys = (web!.Properties.SourceObjectKeys as string[]).map((key) => key.replace(/\.zip$/, ''));
    const files: Record<string, string> = {};
    for (const hash of keys) {
      const dir = join(synth.outdir, `asset.${hash}`);
      for (const path of ['brand.css', 'brand.json', 'brand/logo.svg']) {
        if (existsSync(join(dir, path))) files[path] = readFileSync(join(dir, path), 'utf8');
      }
    }
    return files;
  }

  it.each(deployments.map((d) => d.id))("%s deploys its own brand.css, brand.json and logo with its web app", (id) => {
    const deployment = deployments.find((d) => d.id === id)!;
    expect(deployedFiles(id)).toEqual(brandFiles(deployment.branding));
  });

  it('serves different brands for deployments with different branding', () => {
    const distinct = new Map(deployments.map((d) => [JSON.stringify(d.branding), d.id]));
    expect(distinct.size).toBeGreaterThan(1);
    const served = [...distinct.values()].map((id) => JSON.stringify(deployedFiles(id)));
    expect(new Set(served).size).toBe(distinct.size);
  });

  it("gives every function its deployment's name and email colours", () => {
    for (const deployment of deployments) {
      const template = synth.templates[stackName(deployment, 'Stateless')]!;
      for (const { id, Properties } of resourcesOf(template, 'AWS::Lambda::Function').filter((f) => f.id.startsWith('Fn'))) {
        expect(Properties.Environment.Variables, id).toMatchObject({
          BRAND_NAME: deployment.branding.name,
          BRAND_COLOURS: JSON.stringify({ primary: deployment.branding.colours.light.primary, primaryContrast: deployment.branding.colours.light.primaryContrast }),
        });
      }
    }
  });
});
