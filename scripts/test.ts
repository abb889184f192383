import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './local/stack.ts';

/**
 * `npm test`: type-check, build the web app the browser journeys use, then every test tier
 * (unit, integration, e2e, infra) in one vitest run. Extra arguments go to vitest.
 */
function run(label: string, args: string[]): void {
  console.log(`\n▶ ${label}`);
  const result = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`✗ ${label} failed`);
    process.exit(result.status ?? 1);
  }
}

const bin = (pkg: string, path: string) => join(repoRoot, 'node_modules', pkg, path);

run('Type-check', [bin('typescript', 'bin/tsc'), '--noEmit', '-p', 'tsconfig.json']);
run('Build the web app', [bin('vite', 'bin/vite.js'), 'build', '--config', 'frontend/vite.config.ts', '--logLevel', 'warn']);
run('Tests', [bin('vitest', 'vitest.mjs'), 'run', ...process.argv.slice(2)]);
