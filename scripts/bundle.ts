import { build } from 'esbuild';
import { mkdir, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { functionNames } from '../shared/api/routes.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** Every Lambda entry point: one per capability in the route table, plus the workers. */
export const entries: Record<string, string> = {
  ...Object.fromEntries(functionNames.map((fn) => [fn, `functions/${fn}/handler.ts`])),
  stream: 'functions/workers/stream-handler.ts',
  jobs: 'functions/workers/jobs-handler.ts',
  scheduler: 'functions/workers/scheduler-handler.ts',
  'ses-events': 'functions/notifications/ses-events-handler.ts',
  'origin-rotation': 'functions/workers/origin-rotation-handler.ts',
};

export const bundleRoot = `${root}.build/functions`;

/**
 * Bundles each Lambda with esbuild: minified ESM for nodejs24.x on arm64. The AWS SDK stays
 * external because the runtime provides it, so the sizes count only our code and libraries.
 */
export async function bundleFunctions(): Promise<Record<string, { dir: string; bytes: number }>> {
  const out: Record<string, { dir: string; bytes: number }> = {};
  await Promise.all(
    Object.entries(entries).map(async ([name, entry]) => {
      const dir = `${bundleRoot}/${name}`;
      await mkdir(dir, { recursive: true });
      await build({
        entryPoints: [`${root}${entry}`],
        outfile: `${dir}/index.mjs`,
        bundle: true,
        minify: true,
        format: 'esm',
        platform: 'node',
        target: 'node24',
        external: ['@aws-sdk/*', '@smithy/*'],
        banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
        legalComments: 'none',
        logLevel: 'error',
      });
      out[name] = { dir, bytes: (await stat(`${dir}/index.mjs`)).size };
    }),
  );
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sizes = await bundleFunctions();
  for (const [name, { bytes }] of Object.entries(sizes).sort()) {
    console.log(`${name.padEnd(12)} ${(bytes / 1024).toFixed(1)} KB`);
  }
}
