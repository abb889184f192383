import { createHash, timingSafeEqual } from 'node:crypto';
import { config } from './config.ts';

/**
 * CloudFront adds this header, carrying the deployment's origin secret, to every request it sends
 * to the API. Only a request that carries it may name its viewer with `CloudFront-Viewer-Address`;
 * anything else reached the API some other way and its own source address is used instead.
 */
export const ORIGIN_HEADER = 'x-moot-origin-verify';

/** The secret's stored shape: rotation keeps the previous value valid while CloudFront catches up. */
export interface OriginSecret {
  current: string;
  previous?: string;
}

let cached: { values: Promise<string[]>; at: number } | undefined;
/** A header that matches nothing refreshes the values at most this often (a rotation may have run). */
const REFRESH_MS = 30_000;

async function fetchValues(withPending: boolean): Promise<string[]> {
  if (process.env.ORIGIN_SECRET) return [process.env.ORIGIN_SECRET];
  const arn = process.env.ORIGIN_SECRET_ARN;
  if (!arn) return [];
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: config.region });
  const read = async (VersionStage: string): Promise<string[]> => {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage }));
    const secret = JSON.parse(SecretString ?? '{}') as Partial<OriginSecret>;
    return [secret.current, secret.previous].filter((v): v is string => typeof v === 'string' && v.length >= 32);
  };
  // While a rotation is under way CloudFront may already send the pending value.
  const pending = withPending ? read('AWSPENDING').catch(() => []) : Promise.resolve([]);
  return [...(await read('AWSCURRENT')), ...(await pending)];
}

function values(refresh: boolean): Promise<string[]> {
  const now = Date.now();
  if (!cached || (refresh && now - cached.at > REFRESH_MS)) {
    const values = fetchValues(refresh);
    cached = { values, at: now };
    // A failed read is retried on the next request rather than cached.
    values.catch(() => { if (cached?.values === values) cached = undefined; });
  }
  return cached.values;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

function matches(header: string, candidates: string[]): boolean {
  const sent = digest(header);
  return candidates.some((candidate) => timingSafeEqual(sent, digest(candidate)));
}

/** Whether the request came through our CloudFront distribution (or the local stack's stand-in for it). */
export async function fromOurEdge(header: string | undefined): Promise<boolean> {
  if (!header) return false;
  if (matches(header, await values(false))) return true;
  return matches(header, await values(true));
}

/** Tests only: forget the cached values (the environment changed). */
export function resetOriginSecretCache(): void {
  cached = undefined;
}
