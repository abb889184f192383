import { randomBytes } from 'node:crypto';
import { config } from './config.ts';

let signingKey: Promise<string> | undefined;

/**
 * The HMAC key for signed cursors and links. In the cloud it is a Secrets Manager secret read
 * once per cold start; locally it comes from the environment (the local stack sets it).
 */
export function getSigningKey(): Promise<string> {
  signingKey ??= (async () => {
    if (process.env.SIGNING_SECRET) return process.env.SIGNING_SECRET;
    const arn = process.env.SIGNING_SECRET_ARN;
    if (!arn) {
      if (config.local) return randomBytes(32).toString('base64url');
      throw new Error('No signing secret is configured.');
    }
    const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
    const client = new SecretsManagerClient({ region: config.region });
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    if (!SecretString) throw new Error('The signing secret is empty.');
    return SecretString;
  })();
  return signingKey;
}
