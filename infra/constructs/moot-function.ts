import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge, wildcardResourceFinding } from '../nag.ts';
import { NODE_OPTIONS } from '../node-options.ts';

/** What a Moot Lambda can reach, by ARN; the stateless stack builds it once per deployment. */
export interface FunctionResources {
  tableArn: string;
  /** The anonymous ballot table, reached wherever the main table is. */
  ballotTableArn: string;
  uploadsBucketArn: string;
  exportsBucketArn: string;
  signingSecretArn: string;
  /** The seed of the key that signs group archives. */
  archiveSigningSecretArn: string;
  /** The ballot key's secret (never rotated); read wherever the signing secret is. */
  ballotSecretArn: string;
  /** SES identity and configuration set the function may send through. */
  mailArns: string[];
  /** Government only: the key behind the table, buckets and secret. */
  dataKey?: kms.IKey;
}

export interface MootFunctionProps {
  /** Directory holding the esbuild bundle (`index.mjs`). */
  codeDir: string;
  environment: Record<string, string>;
  resources: FunctionResources;
  logRetentionDays: number;
  /** Government: log groups are encrypted with this key. */
  logKey?: kms.IKey;
  timeout?: Duration;
  memorySize?: number;
  /** Temporary storage in MiB (Lambda's default is 512). */
  ephemeralStorageMiB?: number;
  nodeOptions?: string;
  description?: string;
  /** Concurrency kept for this function alone, and its ceiling: a worker that must not crowd out the API. */
  reservedConcurrency?: number;
}

type Access = 'r' | 'rw';

const tableActions: Record<Access, string[]> = {
  r: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'],
  rw: [
    'dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable',
    'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem',
  ],
};

const bucketActions: Record<Access, string[]> = {
  r: ['s3:GetObject'],
  rw: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload'],
};

/**
 * A Moot Lambda with the house defaults: Node.js 24 on arm64, 512 MB, active X-Ray tracing, its
 * own log group with the profile's retention (and key), and a role that starts empty. Permissions
 * are added through the readable `grant*` methods, each of which acknowledges the cdk-nag
 * wildcard finding it causes, with the reason, right where the wildcard is written.
 */
export class MootFunction extends Construct {
  readonly fn: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
  private readonly resources: FunctionResources;
  private keyGranted = false;

  constructor(scope: Construct, id: string, props: MootFunctionProps) {
    super(scope, id);
    this.resources = props.resources;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetentionDays as logs.RetentionDays,
      encryptionKey: props.logKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Our own role rather than the default one, which attaches the AWS-managed
    // AWSLambdaBasicExecutionRole (logs:* on every log group in the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Moot ${id} function`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.fn = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(props.codeDir),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      role: this.role,
      description: props.description,
      reservedConcurrentExecutions: props.reservedConcurrency,
      // Government: environment variables (names of tables, secrets' ARNs) under its own key too.
      environmentEncryption: props.logKey,
      ephemeralStorageSize: props.ephemeralStorageMiB ? Size.mebibytes(props.ephemeralStorageMiB) : undefined,
      environment: { NODE_OPTIONS: props.nodeOptions ?? NODE_OPTIONS, ...props.environment },
    });
    if (props.logKey) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.logKey.keyArn] }));
    }
    acknowledge(
      this,
      'AwsSolutions-IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and dynamodb:ListStreams (added by the stream event source) do not support resource-level permissions.',
    );
  }

  /** Items and every index of the main table, and the anonymous ballot table (one transaction writes both). */
  grantTable(access: Access): this {
    const indexes = `${this.resources.tableArn}/index/*`;
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: tableActions[access], resources: [this.resources.tableArn, indexes, this.resources.ballotTableArn] }),
    );
    acknowledge(this, wildcardResourceFinding(this, indexes), 'Queries reach every GSI of the single table; the index set is declared in functions/lib/table-schema.ts and changes with it.');
    return this.grantDataKey();
  }

  grantUploads(access: Access): this {
    return this.grantObjects(this.resources.uploadsBucketArn, access, 'Upload object keys are generated per user at run time (uploads/<group>/<id>); access is checked by the use case before presigning.');
  }

  grantExports(access: Access): this {
    return this.grantObjects(this.resources.exportsBucketArn, access, 'Export object keys are generated per export at run time; the bucket holds nothing else and objects expire.');
  }

  /** The HMAC secrets: for signed cursors and unsubscribe links, and for ballot keys. */
  grantSigningSecret(): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.resources.signingSecretArn, this.resources.ballotSecretArn] }),
    );
    return this.grantDataKey();
  }

  /** Read the secret CloudFront sends to the API (and its key, where it has one of its own). */
  grantOriginSecret(secret: secretsmanager.ISecret): this {
    secret.grantRead(this.role);
    return this;
  }

  /** The archive signing key: for the jobs worker (signs exports, trusts its own) and the key's publication. */
  grantArchiveKey(): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.resources.archiveSigningSecretArn] }),
    );
    return this.grantDataKey();
  }

  /**
   * For a function invoked asynchronously (by SNS, EventBridge): after two retries, or six hours of
   * throttling, the event and its error go to `queue` instead of being dropped.
   */
  sendAsyncFailuresTo(queue: sqs.IQueue): this {
    this.fn.configureAsyncInvoke({ onFailure: new SqsDestination(queue), retryAttempts: 2, maxEventAge: Duration.hours(6) });
    return this;
  }

  /** Send through the deployment's SES identity and configuration set, nothing else. */
  grantSendMail(): this {
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['ses:SendEmail', 'ses:SendRawEmail'], resources: this.resources.mailArns }),
    );
    return this;
  }

  private grantObjects(bucketArn: string, access: Access, reason: string): this {
    const objects = `${bucketArn}/*`;
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: bucketActions[access], resources: [objects] }));
    acknowledge(this, wildcardResourceFinding(this, objects), reason);
    return this.grantDataKey();
  }

  private grantDataKey(): this {
    const key = this.resources.dataKey;
    if (!key || this.keyGranted) return this;
    this.keyGranted = true;
    // Listed actions rather than key.grantEncryptDecrypt(), whose GenerateDataKey*/ReEncrypt*
    // wildcards would need acknowledging for no benefit.
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [key.keyArn],
      }),
    );
    return this;
  }
}
