import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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
// The JSON report lets the run end with one plain summary line that any CI can read.
const report = join(repoRoot, '.build', 'vitest-report.json');
const tests = spawnSync(
  process.execPath,
  [bin('vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { cwd: repoRoot, stdio: 'inherit' },
);
try {
  const summary = JSON.parse(readFileSync(report, 'utf8')) as { numPassedTests: number; numFailedTests: number; numPendingTests: number };
  console.log(`\nTests: ${summary.numPassedTests} passed, ${summary.numFailedTests} failed, ${summary.numPendingTests} skipped`);
} catch {
  console.error('No test report was written.');
}
process.exit(tests.status ?? 1);
