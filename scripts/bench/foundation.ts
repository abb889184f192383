// Foundation benchmark: start-up time of `npm start`, latency and DynamoDB usage of sign-in and
// GET /api/me on the local stack, and each Lambda bundle's size. Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunctions } from '../bundle.ts';
import { freePort, repoRoot } from '../local/stack.ts';
import { ms, sample } from './stats.ts';

const REQUESTS = 1_000;

async function startApp(): Promise<{ appUrl: string; mailUrl: string; readyMs: number; stop: () => Promise<void> }> {
  const [port, mailPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(join(tmpdir(), 'moot-bench-'));
  // The bench stands in for CloudFront, so it shares the edge's origin secret with the stack.
  process.env.ORIGIN_SECRET ??= randomBytes(32).toString('base64url');
  const started = performance.now();
  const child = spawn(process.execPath, ['scripts/start.ts'], {
    cwd: repoRoot,
    env: { ...process.env, PORT: String(port), MAIL_PORT: String(mailPort), MOOT_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes('Moot is ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}: ${out}`)));
  });
  const readyMs = performance.now() - started;
  const stop = () =>
    new Promise<void>((resolve) => {
      child.once('exit', () => {
        rmSync(dataDir, { recursive: true, force: true });
        resolve();
      });
      child.kill('SIGINT');
    });
  return { appUrl: `http://localhost:${port}`, mailUrl: `http://localhost:${mailPort}`, readyMs, stop };
}

export async function main(): Promise<void> {
  console.log('## Foundation');
  const app = await startApp();
  try {
    console.log(`npm start to ready: ${ms(app.readyMs)} (web app already built)`);

    // Each request from its own /24, so the per-IP limit (30 per 15 min) measures the work, not a 429.
    const viewer = (i: number) => `198.18.${i % 256}.${Math.floor(i / 256)}:443`;
    const email = await sample(REQUESTS, (i) =>
      fetch(`${app.appUrl}/api/auth/email`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-moot-origin-verify': process.env.ORIGIN_SECRET ?? '', 'cloudfront-viewer-address': viewer(i) },
        body: JSON.stringify({ email: `bench-${i}@example.org` }),
      }),
    );
    console.log(`POST /api/auth/email ×${REQUESTS}: p50 ${ms(email.p50)}, p99 ${ms(email.p99)}, DynamoDB requests per call ${[...email.dbRequests].join('/')}, ${email.capacity.toFixed(2)} capacity units per call (includes sending the email to the local SES)`);

    const store = (await (await fetch(`${app.mailUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; body: { text: string } }> };
    const message = store.emails.find((e) => e.destination.to.includes('bench-0@example.org'));
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(message?.body.text ?? '')?.[1];
    const redeemed = await fetch(`${app.appUrl}/api/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) });
    console.log(`POST /api/auth/token (new user, link): DynamoDB requests ${redeemed.headers.get('x-moot-db-requests')}, capacity ${redeemed.headers.get('x-moot-db-capacity')}`);
    const cookie = (redeemed.headers.get('set-cookie') ?? '').split(';')[0]!;

    const me = await sample(REQUESTS, () => fetch(`${app.appUrl}/api/me`, { headers: { cookie } }));
    console.log(`GET /api/me ×${REQUESTS}: p50 ${ms(me.p50)}, p99 ${ms(me.p99)}, DynamoDB requests per call ${[...me.dbRequests].join('/')}, ${me.capacity.toFixed(2)} capacity units per call`);
  } finally {
    await app.stop();
  }

  const bundles = await bundleFunctions();
  console.log('Lambda bundles (esbuild, minified ESM, AWS SDK external):');
  for (const [name, { bytes }] of Object.entries(bundles).sort()) console.log(`  ${name.padEnd(10)} ${(bytes / 1024).toFixed(1)} KB`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
