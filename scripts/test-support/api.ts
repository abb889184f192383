import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import { ORIGIN_HEADER } from '../../functions/lib/origin.ts';

export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** DynamoDB requests the call made, as the local server reports them. */
  dbRequests: number;
}

/**
 * A test client for the local API: JSON in and out, with an optional session cookie. Like
 * CloudFront, it sends the origin secret, so a `cloudfront-viewer-address` header it carries is
 * believed; `edge: false` calls the API as someone who bypassed CloudFront would.
 */
export async function api<T = any>(
  method: string,
  path: string,
  options: { body?: unknown; cookie?: string; headers?: Record<string, string>; edge?: boolean } = {},
): Promise<ApiResponse<T>> {
  const response = await fetch(`${inject('appUrl')}${path}`, {
    method,
    headers: {
      ...(options.edge === false ? {} : { [ORIGIN_HEADER]: inject('originSecret') }),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? JSON.parse(text) : undefined,
    dbRequests: Number(response.headers.get('x-moot-db-requests') ?? 'NaN'),
  };
}

/** A viewer address in a random /24 of the 198.18.0.0/15 benchmarking range. */
export const randomViewer = () => `198.19.${randomBytes(1)[0]}.${randomBytes(1)[0]}:443`;

export const uniqueEmail = (label = 'person') => `${label}-${randomBytes(5).toString('hex')}@example.org`;

interface StoredEmail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
  at: number;
}

/** Every message the SES emulator holds for an address, oldest first. */
export async function mailTo(address: string): Promise<StoredEmail[]> {
  const store = (await (await fetch(`${inject('mailUrl')}/store`)).json()) as { emails: StoredEmail[] };
  return store.emails.filter((e) => e.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}

/** The link token and code of the newest sign-in email to an address. */
export async function latestSignIn(address: string): Promise<{ token: string; code: string }> {
  const message = (await mailTo(address)).at(-1);
  if (!message?.body.text) throw new Error(`No sign-in email for ${address}`);
  const token = /#token=([A-Za-z0-9_-]{43})/.exec(message.body.text)?.[1];
  const code = /code: (\d{6})/.exec(message.body.text)?.[1];
  if (!token || !code) throw new Error('The sign-in email has no link or code');
  return { token, code };
}

export function sessionCookieFrom(response: ApiResponse): string {
  const header = response.headers.get('set-cookie') ?? '';
  const cookie = header.split(';')[0];
  if (!cookie?.startsWith('moot_session=')) throw new Error('No session cookie in the response');
  return cookie;
}

/** Signs a fresh person in by the emailed link and returns their session cookie. */
export async function signIn(email = uniqueEmail()): Promise<{ cookie: string; email: string; userId: string }> {
  // Each sign-in comes from its own /24 so the per-IP limit never trips a test that signs many people in.
  const requested = await api('POST', '/api/auth/email', { body: { email }, headers: { 'cloudfront-viewer-address': randomViewer() } });
  if (requested.status !== 202) throw new Error(`sign-in request answered ${requested.status}`);
  const { token } = await latestSignIn(email);
  const redeemed = await api('POST', '/api/auth/token', { body: { token } });
  if (redeemed.status !== 200) throw new Error(`redeem answered ${redeemed.status}`);
  return { cookie: sessionCookieFrom(redeemed), email, userId: redeemed.body.user.id };
}

let rawClient: DynamoDBDocumentClient | undefined;

/** Every raw item in the table (or the anonymous ballot table), read straight from DynamoDB Local, for tests of what is stored. */
export async function scanTable(TableName = inject('tableName')): Promise<Record<string, unknown>[]> {
  const client = rawTable();
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Every item of the anonymous ballot table. */
export const scanBallotTable = () => scanTable(inject('ballotTableName'));

export function rawTable(): DynamoDBDocumentClient {
  rawClient ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: inject('dynamoEndpoint'), region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
  );
  return rawClient;
}

/**
 * Points this test process at the shared stack, for tests that run a handler or worker in-process
 * (as the cloud would call it). Modules read their configuration on import, so call this first.
 */
export function useStackEnv(extra: Record<string, string> = {}): void {
  Object.assign(process.env, {
    MOOT_LOCAL: '1',
    TABLE_NAME: inject('tableName'),
    BALLOT_TABLE_NAME: inject('ballotTableName'),
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    S3_ENDPOINT: inject('s3Endpoint'),
    SES_ENDPOINT: inject('mailUrl'),
    APP_URL: inject('appUrl'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    ...extra,
  });
}

/** Runs the scheduler once in this process, as its one-minute tick would. */
export async function runScheduler(): Promise<void> {
  useStackEnv();
  const { handler } = await import('../../functions/workers/scheduler-handler.ts');
  await handler();
}

/**
 * Polls `probe` until it answers something truthy (stream workers and the scheduler act a moment
 * after the request), failing with `what` if nothing comes within `ms`.
 */
export async function waitFor<T>(probe: () => Promise<T | null | undefined | false>, what: string, ms = 45_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
