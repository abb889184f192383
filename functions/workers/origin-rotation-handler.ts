import { randomBytes } from 'node:crypto';
import {
  CloudFrontClient,
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { logger } from '../lib/logger.ts';
import { ORIGIN_HEADER, type OriginSecret } from '../lib/origin.ts';

/** What Secrets Manager sends a rotation function, once per step. */
export interface RotationEvent {
  Step: 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';
  SecretId: string;
  ClientRequestToken: string;
}

export interface RotationClients {
  secrets: Pick<SecretsManagerClient, 'send'>;
  cloudfront: Pick<CloudFrontClient, 'send'>;
  distributionId: string;
}

let clients: RotationClients | undefined;
const defaultClients = (): RotationClients =>
  (clients ??= {
    secrets: new SecretsManagerClient({}),
    // CloudFront's control plane is global and answers in us-east-1.
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    distributionId: process.env.DISTRIBUTION_ID ?? '',
  });

async function readVersion(c: RotationClients, secretId: string, stage: { VersionStage?: string; VersionId?: string }): Promise<OriginSecret> {
  const { SecretString } = await c.secrets.send(new GetSecretValueCommand({ SecretId: secretId, ...stage }));
  const parsed = JSON.parse(SecretString ?? '{}') as Partial<OriginSecret>;
  if (typeof parsed.current !== 'string') throw new Error('The origin secret has no current value.');
  return { current: parsed.current, ...(parsed.previous ? { previous: parsed.previous } : {}) };
}

/** Sets the origin secret header on every origin of the distribution that already carries it. */
function withHeader(config: DistributionConfig, value: string): { config: DistributionConfig; origins: number } {
  let origins = 0;
  for (const origin of config.Origins?.Items ?? []) {
    const header = origin.CustomHeaders?.Items?.find((h) => h.HeaderName?.toLowerCase() === ORIGIN_HEADER);
    if (header) {
      header.HeaderValue = value;
      origins++;
    }
  }
  return { config, origins };
}

/**
 * Rotates the secret CloudFront sends to the API, in Secrets Manager's four steps. The new
 * version keeps the old value as `previous`, and the API accepts current, pending and previous,
 * so requests in flight while CloudFront's edges take up the new header keep working.
 */
export async function rotate(event: RotationEvent, c: RotationClients = defaultClients()): Promise<void> {
  const { SecretId, ClientRequestToken: token } = event;
  const described = await c.secrets.send(new DescribeSecretCommand({ SecretId }));
  if (!described.RotationEnabled) throw new Error('Rotation is not enabled for this secret.');
  const stages = described.VersionIdsToStages?.[token];
  if (!stages) throw new Error('That version is not part of this secret.');
  if (stages.includes('AWSCURRENT') && event.Step !== 'finishSecret') return;

  switch (event.Step) {
    case 'createSecret': {
      const current = await readVersion(c, SecretId, { VersionStage: 'AWSCURRENT' });
      const existing = await readVersion(c, SecretId, { VersionId: token, VersionStage: 'AWSPENDING' }).catch(() => undefined);
      if (existing) return;
      const next: OriginSecret = { current: randomBytes(32).toString('base64url'), previous: current.current };
      await c.secrets.send(new PutSecretValueCommand({ SecretId, ClientRequestToken: token, SecretString: JSON.stringify(next), VersionStages: ['AWSPENDING'] }));
      return;
    }
    case 'setSecret': {
      const pending = await readVersion(c, SecretId, { VersionId: token, VersionStage: 'AWSPENDING' });
      const { DistributionConfig: config, ETag } = await c.cloudfront.send(new GetDistributionConfigCommand({ Id: c.distributionId }));
      if (!config) throw new Error('The distribution has no configuration.');
      const changed = withHeader(config, pending.current);
      if (changed.origins === 0) throw new Error(`No origin of the distribution carries ${ORIGIN_HEADER}.`);
      await c.cloudfront.send(new UpdateDistributionCommand({ Id: c.distributionId, IfMatch: ETag, DistributionConfig: changed.config }));
      return;
    }
    case 'testSecret': {
      const pending = await readVersion(c, SecretId, { VersionId: token, VersionStage: 'AWSPENDING' });
      const { DistributionConfig: config } = await c.cloudfront.send(new GetDistributionConfigCommand({ Id: c.distributionId }));
      const values = (config?.Origins?.Items ?? []).flatMap((o) => o.CustomHeaders?.Items ?? []).filter((h) => h.HeaderName?.toLowerCase() === ORIGIN_HEADER);
      if (!values.length || values.some((h) => h.HeaderValue !== pending.current)) throw new Error('CloudFront does not send the pending origin secret yet.');
      return;
    }
    case 'finishSecret': {
      const currentVersion = Object.entries(described.VersionIdsToStages ?? {}).find(([, s]) => s.includes('AWSCURRENT'))?.[0];
      if (currentVersion === token) return;
      await c.secrets.send(new UpdateSecretVersionStageCommand({ SecretId, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: currentVersion }));
      return;
    }
  }
}

/** Each step is logged with its request id (never the secret); a failed step is logged and thrown, so Secrets Manager retries it. */
export async function handler(event: RotationEvent, context?: Context): Promise<void> {
  if (context?.awsRequestId) logger.addContext(context);
  try {
    await rotate(event);
    logger.info('Origin secret rotation step done', { step: event.Step });
  } catch (error) {
    logger.error('Origin secret rotation step failed', { step: event.Step, error: error as Error });
    throw error;
  }
}
