import { randomBytes } from 'node:crypto';
import { config } from './config.ts';

let signingKey: Promise<string> | undefined;
let ballotKey: Promise<string> | undefined;

/** A secret from the environment (locally) or from Secrets Manager by ARN (in the cloud), read once per cold start. */
async function readSecret(valueVar: string, arnVar: string, what: string): Promise<string> {
  if (process.env[valueVar]) return process.env[valueVar]!;
  const arn = process.env[arnVar];
  if (!arn) {
    if (config.local) return randomBytes(32).toString('base64url');
    throw new Error(`No ${what} secret is configured.`);
  }
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({ region: config.region });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`The ${what} secret is empty.`);
  return SecretString;
}

/**
 * The HMAC key for signed cursors and links. In the cloud it is a Secrets Manager secret read
 * once per cold start; locally it comes from the environment (the local stack sets it).
 */
export function getSigningKey(): Promise<string> {
  signingKey ??= readSecret('SIGNING_SECRET', 'SIGNING_SECRET_ARN', 'signing');
  return signingKey;
}

/**
 * The HMAC key that ballots are keyed with: its own secret, never rotated, because a ballot's key
 * must stay the same while its poll lasts (a new key would let its voter vote again). Locally
 * `BALLOT_SECRET` (the local stack generates one per stack), in the cloud `BALLOT_SECRET_ARN`.
 */
export function getBallotKey(): Promise<string> {
  ballotKey ??= readSecret('BALLOT_SECRET', 'BALLOT_SECRET_ARN', 'ballot');
  return ballotKey;
}
