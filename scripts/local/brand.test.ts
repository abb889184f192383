import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brandFiles, type BrandManifest } from '../../infra/brand.ts';
import { deployments } from '../../infra/deployments.ts';
import { createLocalServer } from './server.ts';

// The local server stands in for CloudFront in front of a deployment's web bucket: it serves the
// chosen deployment's brand files beside the app, as the stateless stack deploys them.
const servers: Array<ReturnType<typeof createLocalServer>> = [];
afterAll(() => Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve)))));

async function serveBrandOf(id: string): Promise<string> {
  const deployment = deployments.find((d) => d.id === id)!;
  const server = createLocalServer({
    port: 0,
    webDir: mkdtempSync(join(tmpdir(), 'moot-web-')),
    loadHandler: () => Promise.reject(new Error('no API here')),
    withDbUsage: async (fn) => ({ result: await fn(), usage: { requests: 0, capacityUnits: 0 } }),
    brandFiles: brandFiles(deployment.branding),
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe.each(deployments)('the local server wearing the $id brand', (deployment) => {
  it("serves that deployment's brand.css, brand.json and logo, with their content types", async () => {
    const origin = await serveBrandOf(deployment.id);

    const css = await fetch(`${origin}/brand.css`);
    const manifest = await fetch(`${origin}/brand.json`);

    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const stylesheet = await css.text();
    for (const colour of [...Object.values(deployment.branding.colours.light), ...Object.values(deployment.branding.colours.dark)]) expect(stylesheet).toContain(colour);
    expect((await manifest.json()) as BrandManifest).toEqual({ name: deployment.branding.name, logo: deployment.branding.logoPath ? '/brand/logo.svg' : null });
    const logo = await fetch(`${origin}/brand/logo.svg`);
    expect(logo.status).toBe(deployment.branding.logoPath ? 200 : 404);
    if (deployment.branding.logoPath) expect(logo.headers.get('content-type')).toBe('image/svg+xml');
  });
});

describe('two deployments', () => {
  it('with different branding serve different brands from the same build', async () => {
    const [moot, government] = [deployments.find((d) => d.profile === 'saas')!, deployments.find((d) => d.profile === 'government')!];
    const [first, second] = await Promise.all([serveBrandOf(moot.id), serveBrandOf(government.id)]);

    const read = (origin: string) => Promise.all(['brand.css', 'brand.json'].map((path) => fetch(`${origin}/${path}`).then((r) => r.text())));
    const [[firstCss, firstJson], [secondCss, secondJson]] = await Promise.all([read(first), read(second)]);

    expect(firstCss).not.toBe(secondCss);
    expect(JSON.parse(firstJson!).name).toBe(moot.branding.name);
    expect(JSON.parse(secondJson!).name).toBe(government.branding.name);
    expect(moot.branding.name).not.toBe(government.branding.name);
  });
});
