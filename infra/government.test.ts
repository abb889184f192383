import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployments, profileSettings, stackName } from './deployments.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

const government = deployments.filter((d) => d.profile === 'government');
const saas = deployments.filter((d) => d.profile === 'saas');

/** Every Fn::GetStackOutput in a template: the weak cross-stack references CDK writes. */
function stackOutputsReferenced(template: object): { StackName: string; Region: string }[] {
  const found: { StackName: string; Region: string }[] = [];
  JSON.stringify(template, (key, value) => {
    if (key === 'Fn::GetStackOutput') found.push(value);
    return value;
  });
  return found;
}

it('has a government deployment in Auckland and SaaS deployments in the US, EU and AU', () => {
  expect(government.map((d) => d.region)).toEqual(['ap-southeast-6']);
  expect(saas.map((d) => d.region).sort()).toEqual(['ap-southeast-2', 'eu-central-1', 'us-east-1']);
});

it('gives every deployment its own account', () => {
  expect(new Set(deployments.map((d) => d.account)).size).toBe(deployments.length);
  for (const d of deployments) expect(d.account).toMatch(/^\d{12}$/);
});

it('keeps government logs longer than SaaS logs', () => {
  expect(profileSettings('government').logRetentionDays).toBeGreaterThan(profileSettings('saas').logRetentionDays);
});

describe.each(government)('the $id government deployment', (deployment) => {
  const stateful = () => synth.templates[stackName(deployment, 'Stateful')]!;
  const stateless = () => synth.templates[stackName(deployment, 'Stateless')]!;

  it('encrypts the table, both data buckets and the secret with its own rotated key', () => {
    // The data key; the other is the operators topic's.
    const keys = resourcesOf(stateful(), 'AWS::KMS::Key').filter((k) => k.id.startsWith('DataKey'));
    expect(keys.length).toBe(1);
    expect(keys[0]!.Properties.EnableKeyRotation).toBe(true);
    const dataKey = { 'Fn::GetAtt': [keys[0]!.id, 'Arn'] };
    const [table] = resourcesOf(stateful(), 'AWS::DynamoDB::Table');
    expect(table!.Properties.SSESpecification.KMSMasterKeyId).toEqual(dataKey);
    const dataBuckets = resourcesOf(stateful(), 'AWS::S3::Bucket').filter((b) => b.Properties.BucketName);
    expect(dataBuckets.length).toBe(2);
    for (const bucket of dataBuckets) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: dataKey,
      });
    }
    const [secret] = resourcesOf(stateful(), 'AWS::SecretsManager::Secret');
    expect(secret!.Properties.KmsKeyId).toEqual(dataKey);
  });

  it('encrypts every log group, the failure queue and the web bucket with a customer-managed key', () => {
    for (const { id, Properties } of resourcesOf(stateless(), 'AWS::Logs::LogGroup')) {
      expect(Properties.KmsKeyId, id).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
      expect(Properties.RetentionInDays, id).toBe(731);
    }
    const [queue] = resourcesOf(stateless(), 'AWS::SQS::Queue');
    expect(queue!.Properties.KmsMasterKeyId).toBeDefined();
    for (const key of resourcesOf(stateless(), 'AWS::KMS::Key')) expect(key.Properties.EnableKeyRotation).toBe(true);
  });

  it('backs up to a KMS-encrypted, locked vault in its own region, and nowhere else', () => {
    const [vault] = resourcesOf(stateful(), 'AWS::Backup::BackupVault');
    expect(vault!.Properties.EncryptionKeyArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
    expect(vault!.Properties.LockConfiguration).toBeDefined();
    const [plan] = resourcesOf(stateful(), 'AWS::Backup::BackupPlan');
    for (const rule of plan!.Properties.BackupPlan.BackupPlanRule) expect(rule.CopyActions, rule.RuleName).toBeUndefined();
    stateful().resourceCountIs('AWS::Backup::BackupSelection', 1);
  });

  it('references only its own stateful stack, in its own region, and its own web ACL in us-east-1', () => {
    const refs = stackOutputsReferenced(stateless().toJSON());
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect([
        { StackName: stackName(deployment, 'Stateful'), Region: deployment.region },
        { StackName: stackName(deployment, 'Edge'), Region: 'us-east-1' },
      ]).toContainEqual({ StackName: ref.StackName, Region: ref.Region });
    }
  });

  it('names no other deployment’s account, domain or stack anywhere in its templates', () => {
    const mine = Object.entries(synth.templates).filter(([name]) => name.startsWith(`Moot-${deployment.id}-`));
    expect(mine.length).toBeGreaterThanOrEqual(2);
    for (const [name, template] of mine) {
      const text = JSON.stringify(template.toJSON());
      for (const other of deployments.filter((d) => d !== deployment)) {
        expect(text, name).not.toContain(other.account);
        expect(text, name).not.toContain(other.domain);
        expect(text, name).not.toContain(`Moot-${other.id}-`);
      }
    }
  });

  it('sends mail from an SES region in the same account when its own region has none', () => {
    const mail = synth.stacks.find((s) => s.deployment === deployment)!.mail;
    if (!deployment.mailRegion) return expect(mail).toBeUndefined();
    expect(mail!.account).toBe(deployment.account);
    expect(mail!.region).toBe(deployment.mailRegion);
    synth.templates[mail!.stackName]!.resourceCountIs('AWS::SES::EmailIdentity', 1);
    stateless().resourceCountIs('AWS::SES::EmailIdentity', 0);
  });
});

describe.each(government)('every stack of the $id government deployment', (deployment) => {
  const templates = () => Object.entries(synth.templates).filter(([name]) => name.startsWith(`Moot-${deployment.id}-`));
  const cmk = (value: unknown) => JSON.stringify(value ?? null).match(/"Fn::GetAtt":\["\w*Key\w*","Arn"\]|"Ref":"\w*Key\w*"/);

  it('encrypts with its own keys wherever the service allows: functions\' environments, topics, queues, log groups, secrets, tables, data buckets and vaults', () => {
    const checks: [string, (p: Record<string, any>) => unknown][] = [
      ['AWS::Lambda::Function', (p) => p.KmsKeyArn],
      ['AWS::SNS::Topic', (p) => p.KmsMasterKeyId],
      ['AWS::SQS::Queue', (p) => p.KmsMasterKeyId],
      ['AWS::Logs::LogGroup', (p) => p.KmsKeyId],
      ['AWS::SecretsManager::Secret', (p) => p.KmsKeyId],
      ['AWS::DynamoDB::Table', (p) => p.SSESpecification?.KMSMasterKeyId],
      ['AWS::Backup::BackupVault', (p) => p.EncryptionKeyArn],
    ];
    let checked = 0;
    for (const [name, template] of templates()) {
      for (const [type, key] of checks) {
        for (const r of resourcesOf(template, type)) {
          // CDK's deploy-time BucketDeployment handler has no environment of ours.
          if (r.id.startsWith('CustomCDKBucketDeployment')) continue;
          checked++;
          expect(cmk(key(r.Properties)), `${name} ${r.id}`).toBeTruthy();
        }
      }
      for (const bucket of resourcesOf(template, 'AWS::S3::Bucket')) {
        const sse = bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault;
        // S3 server access log delivery writes only to SSE-S3 buckets (acknowledged in infra/nist.ts).
        if (bucket.id.startsWith('CdnLogs')) expect(sse.SSEAlgorithm).toBe('AES256');
        else expect(cmk(sse.KMSMasterKeyID), `${name} ${bucket.id}`).toBeTruthy();
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('versions its log bucket with Object Lock on, and denies deleting any log to everyone', () => {
    const [logs] = resourcesOf(synth.templates[stackName(deployment, 'Stateless')]!, 'AWS::S3::Bucket').filter((b) => b.id.startsWith('CdnLogs'));
    expect(logs!.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(logs!.Properties.ObjectLockEnabled).toBe(true);
    const policy = resourcesOf(synth.templates[stackName(deployment, 'Stateless')]!, 'AWS::S3::BucketPolicy').find((p) => JSON.stringify(p.Properties.Bucket).includes(logs!.id))!;
    expect(policy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({ Effect: 'Deny', Principal: { AWS: '*' }, Action: ['s3:DeleteObject', 's3:DeleteObjectVersion'] }));
  });

  it('has a rotation runbook for every secret that does not rotate on a schedule', () => {
    const runbook = /## Rotating secrets\n([\s\S]*?)(?=\n## |$)/.exec(readFileSync(fileURLToPath(new URL('../docs/operations.md', import.meta.url)), 'utf8'))?.[1] ?? '';
    let unscheduled = 0;
    for (const [, template] of templates()) {
      const scheduled = JSON.stringify(resourcesOf(template, 'AWS::SecretsManager::RotationSchedule'));
      for (const secret of resourcesOf(template, 'AWS::SecretsManager::Secret')) {
        if (scheduled.includes(secret.id)) continue;
        unscheduled++;
        expect(runbook, secret.id).toContain(secret.id.replace(/[0-9A-F]{8}$/, ''));
      }
    }
    expect(unscheduled).toBe(3);
  });
});

describe.each(saas)('the $id SaaS deployment', (deployment) => {
  it('references only its own stateful and edge stacks', () => {
    const refs = stackOutputsReferenced(synth.templates[stackName(deployment, 'Stateless')]!.toJSON());
    for (const ref of refs) expect([stackName(deployment, 'Stateful'), stackName(deployment, 'Edge')]).toContain(ref.StackName);
  });

  it('keeps logs for 90 days', () => {
    for (const { id, Properties } of resourcesOf(synth.templates[stackName(deployment, 'Stateless')]!, 'AWS::Logs::LogGroup')) {
      expect(Properties.RetentionInDays, id).toBe(90);
    }
  });
});
