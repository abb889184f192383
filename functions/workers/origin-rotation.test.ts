import {
  GetDistributionConfigCommand,
  UpdateDistributionCommand,
  type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ORIGIN_HEADER } from '../lib/origin.ts';
import { rotate, type RotationClients, type RotationEvent } from './origin-rotation-handler.ts';

// Secrets Manager and CloudFront have no local emulator, so these two stand-ins keep just the
// state the rotation reads and writes: secret versions with their stages, and a distribution
// config guarded by its ETag.
function fakes(initial: string) {
  // RotateSecret registers the new version (v2) as AWSPENDING, with no value yet, before step one.
  const versions = new Map<string, { value?: string; stages: string[] }>([
    ['v1', { value: JSON.stringify({ current: initial }), stages: ['AWSCURRENT'] }],
    ['v2', { stages: ['AWSPENDING'] }],
  ]);
  let etag = 'E1';
  let config: DistributionConfig = {
    Origins: {
      Quantity: 2,
      Items: [
        { Id: 'web', DomainName: 'web.s3.example' },
        { Id: 'api', DomainName: 'api-origin.example', CustomHeaders: { Quantity: 1, Items: [{ HeaderName: ORIGIN_HEADER, HeaderValue: initial }] } },
      ],
    },
  } as DistributionConfig;
  const byStage = (stage: string) => [...versions].find(([, v]) => v.stages.includes(stage));
  const secrets = {
    send: async (command: unknown) => {
      if (command instanceof DescribeSecretCommand) return { RotationEnabled: true, VersionIdsToStages: Object.fromEntries([...versions].map(([id, v]) => [id, [...v.stages]])) };
      if (command instanceof GetSecretValueCommand) {
        const { VersionId, VersionStage } = command.input;
        const found = VersionId ? versions.get(VersionId) : byStage(VersionStage!)?.[1];
        if (!found?.value || (VersionStage && !found.stages.includes(VersionStage))) throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
        return { SecretString: found.value };
      }
      if (command instanceof PutSecretValueCommand) {
        versions.set(command.input.ClientRequestToken!, { value: command.input.SecretString!, stages: command.input.VersionStages! });
        return {};
      }
      if (command instanceof UpdateSecretVersionStageCommand) {
        const { MoveToVersionId, RemoveFromVersionId, VersionStage } = command.input;
        const from = versions.get(RemoveFromVersionId!)!;
        from.stages = [...from.stages.filter((s) => s !== VersionStage), 'AWSPREVIOUS'];
        versions.get(MoveToVersionId!)!.stages = [VersionStage!];
        return {};
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  const cloudfront = {
    send: async (command: unknown) => {
      if (command instanceof GetDistributionConfigCommand) return { DistributionConfig: structuredClone(config), ETag: etag };
      if (command instanceof UpdateDistributionCommand) {
        if (command.input.IfMatch !== etag) throw Object.assign(new Error('precondition failed'), { name: 'PreconditionFailed' });
        config = structuredClone(command.input.DistributionConfig!);
        etag = `E${Number(etag.slice(1)) + 1}`;
        return {};
      }
      throw new Error(`unexpected ${String(command)}`);
    },
  };
  return {
    clients: { secrets, cloudfront, distributionId: 'D1' } as unknown as RotationClients,
    header: () => config.Origins!.Items![1]!.CustomHeaders!.Items![0]!.HeaderValue,
    current: () => JSON.parse(byStage('AWSCURRENT')![1].value!) as { current: string; previous?: string },
    webOrigin: () => config.Origins!.Items![0],
  };
}

const step = (Step: RotationEvent['Step']): RotationEvent => ({ Step, SecretId: 'origin', ClientRequestToken: 'v2' });

describe('rotating the origin secret', () => {
  it('makes a new value, has CloudFront send it, and keeps the old one valid as previous', async () => {
    const old = 'o'.repeat(43);
    const f = fakes(old);
    for (const name of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) await rotate(step(name), f.clients);
    const now = f.current();
    expect(now.previous).toBe(old);
    expect(now.current).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(now.current).not.toBe(old);
    expect(f.header()).toBe(now.current);
    expect(f.webOrigin()).toEqual({ Id: 'web', DomainName: 'web.s3.example' });
  });

  it('can run each step twice, as Secrets Manager may retry one, without minting a second value', async () => {
    const f = fakes('p'.repeat(43));
    for (const name of ['createSecret', 'createSecret', 'setSecret', 'setSecret', 'testSecret', 'finishSecret', 'finishSecret'] as const) await rotate(step(name), f.clients);
    expect(f.header()).toBe(f.current().current);
  });

  it('fails its test step while CloudFront still sends the old value', async () => {
    const f = fakes('q'.repeat(43));
    await rotate(step('createSecret'), f.clients);
    await expect(rotate(step('testSecret'), f.clients)).rejects.toThrow(/does not send/);
  });
});
