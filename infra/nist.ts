// The government stacks' acknowledged NIST 800-53 rev 5 findings, each with its reason, in one
// place. infra/moot-app.ts calls this for every government stack after building it; any finding
// not acknowledged here fails `cdk synth` (infra/nag.test.ts).
import { CfnResource, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { IConstruct } from 'constructs';
import { acknowledge } from './nag.ts';

const nist = (rule: string) => `NIST.800.53.R5-${rule}`;

/** Findings that hold for every resource of a kind in Moot, with why. */
const BY_KIND: { kind: (node: IConstruct) => boolean; rule: string; reason: string }[] = [
  {
    kind: (n) => n instanceof lambda.Function,
    rule: 'LambdaInsideVPC',
    reason: 'The functions reach only AWS APIs (DynamoDB, S3, SES, Secrets Manager), over TLS and authorized by IAM; there is no private network resource to reach, and a VPC would add NAT egress without narrowing any access.',
  },
  {
    kind: (n) => n instanceof lambda.Function,
    rule: 'LambdaDLQ',
    reason: 'Functions invoked synchronously (API Gateway, Secrets Manager rotation, CloudFormation) have no asynchronous event to keep; the stream readers use the event-source failure queue, and the asynchronously invoked ones (ses-events, scheduler) an on-failure destination (EventInvokeConfig), which this rule does not look at. infra/alarms.test.ts checks each.',
  },
  {
    kind: (n) => n instanceof iam.Policy || (n instanceof CfnResource && n.cfnResourceType === 'AWS::IAM::Policy'),
    rule: 'IAMNoInlinePolicy',
    reason: 'Each policy belongs to exactly one role and is generated from that function\'s grants in code (infra/constructs/moot-function.ts), reviewed and versioned with it; a managed policy would be reused by nobody.',
  },
  {
    kind: (n) => n instanceof s3.Bucket,
    rule: 'S3BucketReplicationEnabled',
    reason: 'Replication would copy the data out of the deployment\'s only region (New Zealand has one); the buckets that hold data are covered by the in-region AWS Backup plan instead, and the web and log buckets are rebuilt by a deploy or are logs.',
  },
  {
    kind: (n) => n instanceof secretsmanager.Secret && !n.node.id.startsWith('OriginSecret'),
    rule: 'SecretsManagerRotationEnabled',
    reason: 'Rotating these keys on a schedule would break what they sign (cursors and unsubscribe links, pinned archive keys) or let voters vote twice (the ballot key); they are rotated by an operator following docs/operations.md, "Rotating secrets", or never (the ballot key).',
  },
];

/** Findings on one resource, found by its construct id. */
const BY_ID: Record<string, { rule: string; reason: string }[]> = {
  BallotTable: [{ rule: 'DynamoDBPITREnabled', reason: 'Point-in-time recovery would keep a per-second history of anonymous ballots, which with the has-voted markers would show who cast which ballot; the daily backup plan covers this table (SECURITY.md, "Anonymous ballots").' }],
  Uploads: [{ rule: 'S3BucketLoggingEnabled', reason: 'Browsers reach this bucket through presigned URLs; S3 server access logs would store each viewer\'s full IP address, which Moot never stores. The API records (masked) every request it signs.' }],
  Exports: [{ rule: 'S3BucketLoggingEnabled', reason: 'Browsers download exports through presigned URLs; S3 server access logs would store each viewer\'s full IP address, which Moot never stores. The API records (masked) every link it signs.' }],
  StreamFailures: [{ rule: 'S3BucketLoggingEnabled', reason: 'Written only by the stream readers\' roles and read by operators replaying a batch; no browser reaches it, and object-level access is in CloudTrail.' }],
  CdnLogs: [{ rule: 'S3DefaultEncryptionKMS', reason: 'S3 server access log delivery writes only to buckets encrypted with SSE-S3; the logs record CloudFront\'s reads of the public web app, no personal data.' }],
  WebAcl: [{ rule: 'WAFv2LoggingEnabled', reason: 'WAF logs record each viewer\'s full IP address, which Moot promises never to store; the web ACL keeps CloudWatch metrics (counts only), and the API records each request with masked addresses.' }],
  // CDK BucketDeployment's deploy-time handler, a singleton under the stack.
  'Custom::CDKBucketDeployment': [{ rule: 'LambdaConcurrency', reason: 'CDK BucketDeployment\'s handler runs only during a deploy, once; its concurrency is the deploy\'s.' }],
};

export function acknowledgeNistFindings(stack: Stack): void {
  for (const node of stack.node.findAll()) {
    for (const { kind, rule, reason } of BY_KIND) if (kind(node)) acknowledge(node, nist(rule), reason);
    for (const [id, findings] of Object.entries(BY_ID)) {
      if (node.node.id === id || (id.startsWith('Custom::') && node.node.id.startsWith(id) && node.node.scope === stack)) {
        for (const { rule, reason } of findings) acknowledge(node, nist(rule), reason);
      }
    }
  }
}
