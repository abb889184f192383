import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleFunctions } from '../scripts/bundle.ts';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The static web build the CDN serves. */
export const webBuildDir = join(root, 'frontend', 'build');

/**
 * Makes sure `frontend/build` exists, building it with `npm run build:web` when it does not, so
 * `cdk synth` works straight after `npm ci`. Fails with one line when the build cannot be made.
 */
export function ensureWebBuild(dir = webBuildDir): string {
  if (existsSync(join(dir, 'index.html'))) return dir;
  try {
    execFileSync('npm', ['run', 'build:web'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  } catch {
    throw new Error(`${dir} is missing and \`npm run build:web\` failed; run it to see why.`);
  }
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`\`npm run build:web\` did not produce ${dir}/index.html.`);
  return dir;
}

const lockDir = join(root, '.build', 'bundle.lock');

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  mkdirSync(join(root, '.build'), { recursive: true });
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      break;
    } catch {
      // A lock older than the deadline belongs to a process that died mid-bundle.
      if (existsSync(lockDir) && Date.now() - statSync(lockDir).mtimeMs > 120_000) rmSync(lockDir, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${lockDir}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

/**
 * Bundles every Lambda once (scripts/bundle.ts) and hands back a private snapshot of the output.
 * Synths and test files run concurrently and esbuild rewrites `.build/functions` in place, so
 * bundling is serialized and each caller stages its assets from its own copy.
 */
export async function prepareFunctionBundles(): Promise<Record<string, { dir: string; bytes: number }>> {
  return withLock(async () => {
    const bundles = await bundleFunctions();
    const snapshot = mkdtempSync(join(tmpdir(), 'moot-functions-'));
    const out: Record<string, { dir: string; bytes: number }> = {};
    for (const [name, { dir, bytes }] of Object.entries(bundles)) {
      cpSync(dir, join(snapshot, name), { recursive: true });
      out[name] = { dir: join(snapshot, name), bytes };
    }
    return out;
  });
}
