import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StackError } from './local/errors.ts';
import { repoRoot, startStack } from './local/stack.ts';

const started = performance.now();

function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds the web app when it is missing or older than its sources, so `npm start` is enough. */
function ensureWebBuild(): void {
  const index = join(repoRoot, 'frontend/build/index.html');
  const sources = [join(repoRoot, 'frontend/src'), join(repoRoot, 'shared')];
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.filter(existsSync).map(newestChange))) return;
  console.log('Building the web app…');
  const result = spawnSync(process.execPath, [join(repoRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'frontend/vite.config.ts', '--logLevel', 'warn'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) throw new StackError('The web app did not build; the errors are above.');
}

function port(variable: string, fallback: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new StackError(`${variable}=${raw} is not a port number (1-65535).`);
  return value;
}

try {
  ensureWebBuild();
  const stack = await startStack({
    port: port('PORT', 3000),
    mailPort: port('MAIL_PORT', 8005),
    dataDir: process.env.MOOT_DATA_DIR || join(repoRoot, '.moot'),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`Moot is ready in ${seconds} s.\n  App:     ${stack.appUrl}\n  Mailbox: ${stack.mailUrl}\nData is kept in .moot/. Press Ctrl-C to stop.`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
} catch (error) {
  if (error instanceof StackError) {
    console.error(`npm start: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
