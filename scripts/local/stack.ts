import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import S3rver from 's3rver';
import { createRequire } from 'node:module';
import type { FunctionName } from '../../shared/api/routes.ts';
import { brandFiles, emailBrandColours } from '../../infra/brand.ts';
import { deployments } from '../../infra/deployments.ts';
import { ensureBallotTable, ensureTable, startDynamo } from './dynamo.ts';
import { StackError } from './errors.ts';
import { createLocalServer } from './server.ts';
import { startStreamPoller } from './stream-poller.ts';

// The SES emulator is CommonJS with an ES-style default export; require it the same way under Node and Vite.
const sesServer = (createRequire(import.meta.url)('aws-ses-v2-local') as { default: (config: { host: string; port: number }) => Promise<Server> }).default;

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface StackOptions {
  /** App port; 0 picks a free one. */
  port: number;
  /** Mailbox port; 0 picks a free one. */
  mailPort: number;
  /** Where data persists; without it everything lives in memory and in a temporary folder. */
  dataDir?: string;
  webDir?: string;
  /** Scheduler tick interval (60 s like the cloud; tests may shorten it). */
  schedulerIntervalMs?: number;
  /** Whose brand to wear: a deployment id from infra/deployments.ts (else MOOT_BRAND, else the first deployment). */
  brand?: string;
}

export interface Stack {
  appUrl: string;
  mailUrl: string;
  dynamoEndpoint: string;
  s3Endpoint: string;
  tableName: string;
  ballotTableName: string;
  /** The value CloudFront's origin header carries here: send it to act as the edge. */
  originSecret: string;
  /** Runs one stream poll now and waits for its deliveries. */
  flushStream(): Promise<void>;
  /** Runs the scheduler once now. */
  tick(): Promise<unknown>;
  stop(): Promise<void>;
}

/** Finds a free port by binding port 0 on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function assertPortFree(port: number, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createNetServer();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        new StackError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} is already in use: stop whatever uses it, or pick another port with ${variable}=<port> npm start.`
            : `Cannot listen on port ${port} (${error.code}): pick another port with ${variable}=<port>.`,
        ),
      ),
    );
    server.listen(port, () => server.close(() => resolve()));
  });
}

function assertJava(): void {
  const result = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (result.error || result.status !== 0) {
    throw new StackError('Java 17 or newer is needed to run DynamoDB Local, and `java` is not on PATH: install a JRE (e.g. `apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) and run npm start again.');
  }
  const version = /version "(\d+)/.exec(`${result.stderr}${result.stdout}`)?.[1];
  if (version && Number(version) < 17) throw new StackError(`Java ${version} is too old for DynamoDB Local: install Java 17 or newer.`);
}

/**
 * Starts the whole local stack: DynamoDB Local, the SES and S3 emulators, the API and web
 * server, the stream poller and the scheduler. The same handlers run here as in the cloud.
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  assertJava();
  if (options.port) await assertPortFree(options.port, 'PORT');
  if (options.mailPort) await assertPortFree(options.mailPort, 'MAIL_PORT');
  const brandOf = options.brand ?? process.env.MOOT_BRAND ?? deployments[0]!.id;
  const branding = deployments.find((d) => d.id === brandOf)?.branding;
  if (!branding) throw new StackError(`MOOT_BRAND=${brandOf} is no deployment: use one of ${deployments.map((d) => d.id).join(', ')}.`);
  const port = options.port || (await freePort());
  const mailPort = options.mailPort || (await freePort());
  const dataDir = options.dataDir;
  const scratch = dataDir ? undefined : mkdtempSync(join(tmpdir(), 'moot-'));
  const s3Dir = join(dataDir ?? scratch!, 's3');
  if (dataDir) mkdirSync(join(dataDir, 'dynamodb'), { recursive: true });
  mkdirSync(s3Dir, { recursive: true });

  const stoppers: Array<() => Promise<unknown> | unknown> = [];
  const stop = async () => {
    for (const stopper of stoppers.reverse()) await Promise.resolve(stopper()).catch(() => undefined);
    stoppers.length = 0;
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };

  try {
    const dynamoPort = await freePort();
    const [dynamo, mail, s3] = await Promise.all([
      startDynamo(dynamoPort, dataDir ? join(dataDir, 'dynamodb') : undefined),
      sesServer({ host: '127.0.0.1', port: mailPort }),
      (async () => {
        const s3Port = await freePort();
        // Like the cloud bucket's CORS rule: the app's own origin may POST uploads and GET files.
        const cors = `<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:${port}</AllowedOrigin><AllowedMethod>POST</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>600</MaxAgeSeconds></CORSRule></CORSConfiguration>`;
        const s3rver = new S3rver({ address: '127.0.0.1', port: s3Port, silent: true, directory: s3Dir, configureBuckets: [{ name: 'moot-uploads', configs: [cors] }, { name: 'moot-exports' }] });
        await s3rver.run();
        return { s3rver, endpoint: `http://127.0.0.1:${s3Port}` };
      })(),
    ]);
    // If this process dies without stopping the stack, the Java child must not outlive it.
    const killDynamo = () => dynamo.process.kill('SIGKILL');
    process.once('exit', killDynamo);
    stoppers.push(() => new Promise<void>((resolve) => {
      process.off('exit', killDynamo);
      if (dynamo.process.exitCode !== null) return resolve();
      dynamo.process.once('exit', () => resolve());
      dynamo.process.kill('SIGTERM');
      setTimeout(() => dynamo.process.kill('SIGKILL'), 3_000).unref();
    }));
    stoppers.push(() => new Promise((resolve) => (mail as Server).close(resolve)));
    stoppers.push(() => s3.s3rver.close());

    const tableName = 'moot';
    const ballotTableName = 'moot-ballots';
    // Cursors and links are signed; a persisted stack keeps its key so they survive a restart.
    const secretFile = dataDir ? join(dataDir, 'signing-secret') : undefined;
    if (secretFile && !existsSync(secretFile)) writeFileSync(secretFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    const signingSecret = secretFile ? readFileSync(secretFile, 'utf8').trim() : randomBytes(32).toString('base64url');
    // Ballots are keyed with a key of their own that never rotates (rotating it would let voters vote
    // again); it persists like the one above.
    const ballotKeyFile = dataDir ? join(dataDir, 'ballot-secret') : undefined;
    if (ballotKeyFile && !existsSync(ballotKeyFile)) writeFileSync(ballotKeyFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    const ballotSecret = ballotKeyFile ? readFileSync(ballotKeyFile, 'utf8').trim() : randomBytes(32).toString('base64url');
    // Group archives are signed with an Ed25519 key derived from this secret; it persists like the one above.
    const archiveKeyFile = dataDir ? join(dataDir, 'archive-signing-secret') : undefined;
    if (archiveKeyFile && !existsSync(archiveKeyFile)) writeFileSync(archiveKeyFile, randomBytes(32).toString('base64url'), { mode: 0o600 });
    const archiveSigningSecret = archiveKeyFile ? readFileSync(archiveKeyFile, 'utf8').trim() : randomBytes(32).toString('base64url');
    const appUrl = `http://localhost:${port}`;
    // CloudFront's secret origin header, for whatever stands in for CloudFront here (tests, benches):
    // only a request that carries it may name its viewer's address.
    const originSecret = process.env.ORIGIN_SECRET || randomBytes(32).toString('base64url');
    // The handlers read their configuration when first imported, so set it before loading them.
    Object.assign(process.env, {
      MOOT_LOCAL: '1',
      SIGNING_SECRET: signingSecret,
      BALLOT_SECRET: ballotSecret,
      ARCHIVE_SIGNING_SECRET: archiveSigningSecret,
      ORIGIN_SECRET: originSecret,
      TABLE_NAME: tableName,
      BALLOT_TABLE_NAME: ballotTableName,
      APP_URL: appUrl,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      SES_ENDPOINT: `http://127.0.0.1:${mailPort}`,
      S3_ENDPOINT: s3.endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      // EMF lines are for CloudWatch; set it to false to see them locally.
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? 'true',
      BRAND_NAME: branding.name,
      BRAND_COLOURS: emailBrandColours(branding),
    });
    await ensureTable(dynamo.endpoint, tableName);
    await ensureBallotTable(dynamo.endpoint, ballotTableName);

    const { withDbUsage } = await import('../../functions/lib/clients.ts');
    const handlers = new Map<FunctionName, Promise<any>>();
    const loadHandler = (fn: FunctionName) => {
      if (!handlers.has(fn)) handlers.set(fn, import(`../../functions/${fn}/handler.ts`).then((m) => m.handler));
      return handlers.get(fn)!;
    };
    const server = createLocalServer({ port, webDir: options.webDir ?? join(repoRoot, 'frontend/build'), loadHandler, withDbUsage, storageOrigin: s3.endpoint, brandFiles: brandFiles(branding) });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, resolve);
    });
    stoppers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));

    // Two readers of the stream, as in the cloud: the stream worker, and the jobs worker for
    // exports, imports and erasure, so a long job never holds up notifications.
    const stream = await import('../../functions/workers/stream-handler.ts');
    const jobs = await import('../../functions/workers/jobs-handler.ts');
    const pollers = [startStreamPoller(dynamo.endpoint, tableName, stream.handler), startStreamPoller(dynamo.endpoint, tableName, jobs.handler)];
    stoppers.push(() => Promise.all(pollers.map((p) => p.stop())).then(() => undefined));

    const scheduler = await import('../../functions/workers/scheduler-handler.ts');
    const tick = () => scheduler.handler().catch((error: Error) => console.error(`scheduler: ${error.message}`));
    const timer = setInterval(tick, options.schedulerIntervalMs ?? 60_000);
    stoppers.push(() => clearInterval(timer));
    // Work that fell due while the stack was down runs straight away.
    void tick();

    return {
      appUrl,
      mailUrl: `http://localhost:${mailPort}`,
      dynamoEndpoint: dynamo.endpoint,
      s3Endpoint: s3.endpoint,
      tableName,
      ballotTableName,
      originSecret,
      flushStream: () => Promise.all(pollers.map((p) => p.flush())).then(() => undefined),
      tick,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
