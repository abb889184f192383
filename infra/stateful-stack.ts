import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { tableSchema } from '../functions/lib/table-schema.ts';
import { type Deployment, physicalNames, profileSettings } from './deployments.ts';
import { Operators } from './constructs/alarms.ts';
import { Backups } from './constructs/backups.ts';
import { acknowledge } from './nag.ts';

export interface StatefulStackProps extends StackProps {
  deployment: Deployment;
}

/**
 * Stateful resources (by physical name) left out of the backup plan, each with its reason. The
 * infra tests check every table and bucket of this stack is either backed up or listed here.
 */
export const BACKUP_EXCLUDED = (deployment: Deployment): Record<string, string> => ({
  [physicalNames(deployment).exportsBucket]:
    'Exports are copies made on request that expire within days; a backup would keep them for a year after their owner was promised they were gone. A lost export is made again.',
});

const physicalName = (r: dynamodb.Table | s3.Bucket): string =>
  Stack.of(r).resolve(r instanceof dynamodb.Table ? (r.node.defaultChild as dynamodb.CfnTable).tableName : (r.node.defaultChild as s3.CfnBucket).bucketName);

const stringKey = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });

/**
 * Everything that holds data and must outlive a bad deploy: the table, the uploads and exports
 * buckets, the signing secret and (government) the keys and the in-region backup vault.
 * Every resource here is retained when removed from the app.
 */
export class StatefulStack extends Stack {
  readonly table: dynamodb.Table;
  readonly ballotTable: dynamodb.Table;
  readonly uploads: s3.Bucket;
  readonly exports: s3.Bucket;
  readonly signingSecret: secretsmanager.Secret;
  readonly archiveSigningSecret: secretsmanager.Secret;
  readonly ballotSecret: secretsmanager.Secret;
  /** Government only: the customer-managed key behind the table, buckets, secret and backups. */
  readonly dataKey: kms.Key | undefined;
  /** Where every alarm of the deployment goes (here, first to deploy, so every stack can use it). */
  readonly operators: sns.Topic;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const { deployment } = props;
    const settings = profileSettings(deployment.profile);
    const names = physicalNames(deployment);

    this.operators = new Operators(this, 'Operators', { deployment }).topic;

    this.dataKey = settings.customerManagedKeys
      ? new kms.Key(this, 'DataKey', {
          alias: `alias/moot-${deployment.id.toLowerCase()}-data`,
          description: `Moot ${deployment.id}: table, buckets, signing secret and backups`,
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: names.table,
      partitionKey: stringKey(tableSchema.partitionKey),
      sortKey: stringKey(tableSchema.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: this.dataKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: this.dataKey,
      stream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
      timeToLiveAttribute: tableSchema.ttlAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const [indexName, index] of Object.entries(tableSchema.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: stringKey(index.partitionKey),
        sortKey: stringKey(index.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    // Anonymous ballots live apart, in a table with no stream and no point-in-time recovery, so
    // no ordered, timestamped record of writes exists that could pair a ballot with the has-voted
    // marker written beside it in the main table. Daily backups still cover it.
    this.ballotTable = new dynamodb.Table(this, 'BallotTable', {
      tableName: names.ballotTable,
      partitionKey: stringKey(tableSchema.partitionKey),
      sortKey: stringKey(tableSchema.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: false },
      deletionProtection: true,
      encryption: this.dataKey ? dynamodb.TableEncryption.CUSTOMER_MANAGED : dynamodb.TableEncryption.AWS_MANAGED,
      encryptionKey: this.dataKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.ballotTable,
      'AwsSolutions-DDB3',
      'Point-in-time recovery would keep a per-second history of anonymous ballots, which together with the has-voted markers would show who cast which ballot; the daily backup plan covers this table instead (SECURITY.md, "Anonymous ballots").',
    );

    const dataBucket = (id: string, bucketName: string, rules: s3.LifecycleRule[], cors?: s3.CorsRule[]) =>
      new s3.Bucket(this, id, {
        bucketName,
        encryption: this.dataKey ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
        encryptionKey: this.dataKey,
        bucketKeyEnabled: Boolean(this.dataKey),
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        versioned: true,
        objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        removalPolicy: RemovalPolicy.RETAIN,
        cors,
        lifecycleRules: [
          ...rules,
          { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionDays) },
          { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
          { id: 'expire-delete-markers', expiredObjectDeleteMarker: true },
        ],
      });

    // Browsers upload straight to S3 with a presigned POST, from the deployment's own origin only.
    // Group archives uploaded for import are deleted when the import ends; this rule catches the
    // rest, and the bucket is versioned, so the deleted copies go a day later.
    this.uploads = dataBucket('Uploads', names.uploadsBucket, [
      { id: 'expire-import-archives', prefix: 'imports/', expiration: Duration.days(7), noncurrentVersionExpiration: Duration.days(1) },
    ], [
      {
        allowedOrigins: [`https://${deployment.domain}`],
        allowedMethods: [s3.HttpMethods.POST, s3.HttpMethods.GET],
        allowedHeaders: ['*'],
        maxAge: 3000,
      },
    ]);
    this.exports = dataBucket('Exports', names.exportsBucket, [
      { id: 'expire-exports', expiration: Duration.days(settings.exportRetentionDays) },
    ]);
    // Browsers reach both buckets directly through presigned URLs, and S3 server access logs
    // record each request's remote address in full, which Moot promises never to store.
    for (const bucket of [this.uploads, this.exports]) {
      acknowledge(bucket, 'AwsSolutions-S1', 'Browsers reach this bucket directly through presigned URLs; S3 server access logs would store each viewer\'s full IP address, which Moot never stores. Access is authorized and recorded (masked) by the API before any URL is signed.');
    }

    this.signingSecret = new secretsmanager.Secret(this, 'SigningSecret', {
      description: `Moot ${deployment.id}: HMAC key for signed cursors and unsubscribe links`,
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.signingSecret,
      'AwsSolutions-SMG4',
      'Rotating the HMAC key invalidates every outstanding pagination cursor and unsubscribe link, so it is rotated deliberately by an operator (runbook), not on a schedule.',
    );
    this.ballotSecret = new secretsmanager.Secret(this, 'BallotSecret', {
      description: `Moot ${deployment.id}: HMAC key for ballot keys; never rotated`,
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.ballotSecret,
      'AwsSolutions-SMG4',
      'Never rotated, by design: a ballot is found by an HMAC of its poll and voter under this key, so a new key would let every voter of an open poll vote a second time.',
    );

    // The Ed25519 key that signs group archives follows from this secret (functions/exports/archive-signature.ts).
    this.archiveSigningSecret = new secretsmanager.Secret(this, 'ArchiveSigningSecret', {
      description: `Moot ${deployment.id}: seed of the Ed25519 key that signs group archives`,
      encryptionKey: this.dataKey,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.archiveSigningSecret,
      'AwsSolutions-SMG4',
      'Other deployments pin the public key that follows from it (infra/deployments.ts archiveKeys); it is rotated deliberately by an operator, the new key published and pinned first, not on a schedule.',
    );

    // Every table and bucket here is backed up, but those BACKUP_EXCLUDED names, with its reason.
    const backedUp = [this.table, this.ballotTable, this.uploads, this.exports].filter((r) => !(physicalName(r) in BACKUP_EXCLUDED(deployment)));
    new Backups(this, 'Backup', {
      deployment,
      key: this.dataKey,
      operators: this.operators,
      resources: backedUp.map((r) => (r instanceof dynamodb.Table ? backup.BackupResource.fromDynamoDbTable(r) : backup.BackupResource.fromArn((r as s3.Bucket).bucketArn))),
    });
  }
}
