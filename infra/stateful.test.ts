import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { tableSchema } from '../functions/lib/table-schema.ts';
import { deployments, physicalNames, profileSettings, stackName } from './deployments.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

describe.each(deployments)('the $id stateful stack', (deployment) => {
  const template = () => synth.templates[stackName(deployment, 'Stateful')]!;
  const settings = profileSettings(deployment.profile);
  const names = physicalNames(deployment);

  it('is termination protected and deploys to its own account and region', () => {
    const { stateful } = synth.stacks.find((s) => s.deployment === deployment)!;
    expect(stateful.terminationProtection).toBe(true);
    expect(stateful.account).toBe(deployment.account);
    expect(stateful.region).toBe(deployment.region);
  });

  it('keeps the table on demand, recoverable, protected from deletion and retained', () => {
    template().hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        TableName: names.table,
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        TimeToLiveSpecification: { AttributeName: tableSchema.ttlAttribute, Enabled: true },
      }),
    });
  });

  it('keeps anonymous ballots in a table of their own with no stream, no point-in-time history and no indexes, encrypted and protected like the main one', () => {
    const ballots = resourcesOf(template(), 'AWS::DynamoDB::Table').find((t) => t.Properties.TableName === names.ballotTable);
    expect(ballots).toBeDefined();
    const props = ballots!.Properties;
    expect((template().findResources('AWS::DynamoDB::Table')[ballots!.id] as { DeletionPolicy?: string }).DeletionPolicy).toBe('Retain');
    expect(props.StreamSpecification).toBeUndefined();
    expect(props.KinesisStreamSpecification).toBeUndefined();
    expect(props.GlobalSecondaryIndexes).toBeUndefined();
    expect(props.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: false });
    expect(props.DeletionProtectionEnabled).toBe(true);
    expect(props.SSESpecification.SSEEnabled).toBe(true);
  });

  it('builds the table keys and every GSI from the schema declaration', () => {
    const [table] = resourcesOf(template(), 'AWS::DynamoDB::Table');
    const props = table!.Properties;
    expect(props.KeySchema).toEqual([
      { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
    ]);
    const gsis = Object.fromEntries(props.GlobalSecondaryIndexes.map((g: any) => [g.IndexName, g.KeySchema]));
    expect(Object.keys(gsis).sort()).toEqual(Object.keys(tableSchema.indexes).sort());
    for (const [name, index] of Object.entries(tableSchema.indexes)) {
      expect(gsis[name]).toEqual([
        { AttributeName: index.partitionKey, KeyType: 'HASH' },
        { AttributeName: index.sortKey, KeyType: 'RANGE' },
      ]);
    }
    for (const attribute of props.AttributeDefinitions) expect(attribute.AttributeType).toBe('S');
  });

  it(`encrypts the table with ${settings.customerManagedKeys ? 'its own rotated KMS key' : 'KMS'}`, () => {
    const [table] = resourcesOf(template(), 'AWS::DynamoDB::Table');
    expect(table!.Properties.SSESpecification.SSEEnabled).toBe(true);
    if (settings.customerManagedKeys) {
      expect(table!.Properties.SSESpecification.KMSMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
      template().hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    } else {
      expect(table!.Properties.SSESpecification.KMSMasterKeyId).toBeUndefined();
    }
  });

  it('blocks public access, requires TLS and encrypts every bucket', () => {
    const buckets = resourcesOf(template(), 'AWS::S3::Bucket');
    expect(buckets.length).toBe(2);
    for (const { id, Properties } of buckets) {
      expect(Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, id).toMatch(/^(AES256|aws:kms)$/);
    }
    const policies = resourcesOf(template(), 'AWS::S3::BucketPolicy');
    expect(policies.length).toBe(2);
    for (const { Properties } of policies) {
      expect(Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });

  it.each(['uploadsBucket', 'exportsBucket'] as const)('versions and expires old versions of the %s, with no access log that would keep viewers\' addresses', (which) => {
    const bucket = resourcesOf(template(), 'AWS::S3::Bucket').find((b) => b.Properties.BucketName === names[which])!;
    const p = bucket.Properties;
    expect(p.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(p.LoggingConfiguration).toBeUndefined();
    expect(p.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
      settings.customerManagedKeys ? 'aws:kms' : 'AES256',
    );
    expect(p.LifecycleConfiguration.Rules).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ NoncurrentVersionExpiration: { NoncurrentDays: settings.noncurrentVersionDays } }),
        expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
      ]),
    );
  });

  it(`expires exports after ${settings.exportRetentionDays} days`, () => {
    const exportsBucket = resourcesOf(template(), 'AWS::S3::Bucket').find((b) => b.Properties.BucketName === names.exportsBucket)!;
    expect(exportsBucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: settings.exportRetentionDays, Status: 'Enabled' }),
    );
  });

  it('expires group archives uploaded for import after 7 days and their deleted copies a day later, and nothing else in the uploads bucket', () => {
    const uploads = resourcesOf(template(), 'AWS::S3::Bucket').find((b) => b.Properties.BucketName === names.uploadsBucket)!;
    const expiring = uploads.Properties.LifecycleConfiguration.Rules.filter((r: { ExpirationInDays?: number }) => r.ExpirationInDays);
    expect(expiring).toEqual([expect.objectContaining({ Prefix: 'imports/', ExpirationInDays: 7, NoncurrentVersionExpiration: { NoncurrentDays: 1 }, Status: 'Enabled' })]);
  });

  it("allows browser uploads from the deployment's own origin only", () => {
    const uploads = resourcesOf(template(), 'AWS::S3::Bucket').find((b) => b.Properties.BucketName === names.uploadsBucket)!;
    const rules = uploads.Properties.CorsConfiguration.CorsRules;
    expect(rules.flatMap((r: any) => r.AllowedOrigins)).toEqual([`https://${deployment.domain}`]);
    expect(rules[0].AllowedMethods).toContain('POST');
  });

  it('keys ballots with a generated secret of their own that is never rotated', () => {
    const ballot = Object.entries(template().findResources('AWS::SecretsManager::Secret')).find(([, r]) => String(r.Properties.Description).includes('ballot keys'));
    expect(ballot?.[1].Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    expect(Object.values(template().findResources('AWS::SecretsManager::RotationSchedule')).filter((r) => JSON.stringify(r).includes(ballot![0]))).toEqual([]);
  });

  it('generates the signing secret rather than taking it from code', () => {
    template().hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64 }),
    });
  });
});
