import { apiSecurityHeaders, contentSecurityPolicy, webSecurityHeaders } from '../shared/security-headers.ts';
import { assetExtensions } from '../shared/web-assets.ts';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { alarm, functionAlarms, iteratorAgeAlarm, queueAlarm } from './constructs/alarms.ts';
import { routes, splitRouteKey } from '../shared/api/routes.ts';
import { brandFiles, emailBrandColours } from './brand.ts';
import { Mail, mailNames } from './constructs/mail.ts';
import { responseHeadersPolicy } from './constructs/security-headers.ts';
import type { EdgeStack } from './edge-stack.ts';
import { MootFunction, type MootFunctionProps } from './constructs/moot-function.ts';
import { JOBS_NODE_OPTIONS } from './node-options.ts';
import { JOB_KINDS } from '../functions/workers/job-kinds.ts';
import { apiOriginDomain, type Deployment, physicalNames, profileSettings, trustedArchiveKeys } from './deployments.ts';
import { ORIGIN_HEADER } from '../functions/lib/origin.ts';
import { acknowledge, acknowledgeLibraryWildcards, wildcardResourceFinding } from './nag.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  deployment: Deployment;
  stateful: StatefulStack;
  /** The deployment's us-east-1 stack: the WAF web ACL in front of the distribution. */
  edge: EdgeStack;
  /** esbuild output per Lambda name (`auth`, …, `stream`, `scheduler`). */
  bundles: Record<string, { dir: string }>;
  /** The static SvelteKit build. */
  webDir: string;
}

/**
 * Long jobs (exports, imports, erasure) that run at once, in all. Each may take 15 minutes and
 * 2 GiB, so a burst of exports waits its turn instead of taking the account's concurrency
 * from the API.
 */
export const JOBS_AT_ONCE = 4;

/**
 * Concurrency reserved for each function, which is also its ceiling: one capability's burst (one
 * client hammering one route) cannot take the concurrency the others need. 9 capabilities × 50 plus
 * the workers is about 470 of an account's usual 1,000 (docs/operations.md, "Limits").
 */
export const RESERVED_CONCURRENCY = { capability: 50, stream: 10, 'ses-events': 5, 'origin-rotation': 1, scheduler: 1, jobs: JOBS_AT_ONCE } as const;

/** The request-metrics filter of a failure bucket, which its alarm watches. */
export const FAILURE_METRICS_FILTER = 'AllObjects';

/**
 * A stream event source's on-failure destination in S3, which (unlike SQS) receives the whole
 * batch. Written here rather than with S3OnFailureDestination, which grants read, write and
 * delete on the bucket where putting objects is all a reader needs.
 */
const failedBatchesTo = (bucket: s3.Bucket): lambda.IEventSourceDlq => ({
  bind: (_target, handler) => {
    // What Lambda documents for an S3 on-failure destination: put the batch, list the bucket.
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [bucket.arnForObjects('*')] }));
    handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }));
    if (bucket.encryptionKey) handler.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Encrypt'], resources: [bucket.encryptionKey.keyArn] }));
    return { destination: bucket.bucketArn };
  },
});

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/** Capabilities get the ordinary set unless listed here; new capabilities need no change. */
const capabilityGrants: Record<string, (fn: MootFunction) => void> = {
  // Publishes the archive key at /.well-known/moot-archive-keys.json.
  meta: (fn) => fn.grantArchiveKey(),
  // Exports and account data write archives, and an erased account's files are deleted.
  exports: (fn) => fn.grantTable('rw').grantUploads('rw').grantExports('rw').grantSigningSecret().grantSendMail(),
  account: (fn) => fn.grantTable('rw').grantUploads('rw').grantExports('rw').grantSigningSecret().grantSendMail(),
};
const defaultCapabilityGrants = (fn: MootFunction) =>
  fn.grantTable('rw').grantUploads('rw').grantExports('r').grantSigningSecret().grantSendMail();

/** The Content-Security-Policy is declared once, in shared/, for CloudFront and the local server alike. */
export { contentSecurityPolicy };

// Paths that are not files of the build are app routes: serve the SPA shell and let the client router
// take over. The extension list is the one the local server uses (ids in routes contain dots).
const spaRewrite = `var assets = ${JSON.stringify(assetExtensions)};
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  var dot = last.lastIndexOf('.');
  if (dot <= 0 || assets.indexOf(last.slice(dot + 1).toLowerCase()) === -1) request.uri = '/index.html';
  return request;
}`;

/**
 * Everything that can be rebuilt from code: the Lambdas, the HTTP API, mail, the scheduler and
 * the CDN in front of the web app and the API.
 */
export class StatelessStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly distribution: cloudfront.Distribution;
  readonly functions: Record<string, MootFunction> = {};
  readonly originSecret: secretsmanager.Secret;
  /** Buckets that receive failed batches (alarmed like failure queues). */
  readonly failureBuckets: s3.Bucket[] = [];

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { deployment, stateful } = props;
    const settings = profileSettings(deployment.profile);
    const names = physicalNames(deployment);
    const slug = deployment.id.toLowerCase();
    const cmk = settings.customerManagedKeys;

    // Government encrypts the stack's logs, queue and web bucket with its own key.
    const key = cmk
      ? new kms.Key(this, 'Key', {
          alias: `alias/moot-${slug}-stateless`,
          description: `Moot ${deployment.id}: logs, queues and web bucket`,
          enableKeyRotation: true,
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    key?.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` } },
      }),
    );
    const logGroup = (id: string) =>
      new logs.LogGroup(this, id, {
        retention: settings.logRetentionDays as logs.RetentionDays,
        encryptionKey: key,
        removalPolicy: RemovalPolicy.RETAIN,
      });

    // Where SES is offered in this region the mail resources live here; otherwise in MailStack.
    const mail = mailNames(deployment);
    const localMail = mail.region === deployment.region ? new Mail(this, 'Mail', { deployment, alarmTopic: stateful.operators }) : undefined;

    // CloudFront sends this with every API request; only a request carrying it may name its
    // viewer's address (per-IP limits), and the API refuses any other. Rotated every 30 days.
    this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
      description: `Moot ${deployment.id}: the header CloudFront sends to the API`,
      encryptionKey: key,
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', excludePunctuation: true, passwordLength: 48 },
    });

    // --- Functions ------------------------------------------------------------------------
    const environment: Record<string, string> = {
      TABLE_NAME: names.table,
      BALLOT_TABLE_NAME: names.ballotTable,
      UPLOADS_BUCKET: names.uploadsBucket,
      EXPORTS_BUCKET: names.exportsBucket,
      MAIL_FROM: `no-reply@${deployment.domain}`,
      SES_CONFIGURATION_SET: mail.configurationSet,
      SES_REGION: mail.region,
      APP_URL: `https://${deployment.domain}`,
      DEPLOYMENT_ID: deployment.id,
      BRAND_NAME: deployment.branding.name,
      BRAND_COLOURS: emailBrandColours(deployment.branding),
      SIGNING_SECRET_ARN: stateful.signingSecret.secretArn,
      ARCHIVE_SIGNING_SECRET_ARN: stateful.archiveSigningSecret.secretArn,
      TRUSTED_ARCHIVE_KEYS: JSON.stringify(trustedArchiveKeys(deployment)),
      BALLOT_SECRET_ARN: stateful.ballotSecret.secretArn,
      ORIGIN_SECRET_ARN: this.originSecret.secretArn,
      SES_RATE_PER_SECOND: String(deployment.sesRatePerSecond),
      INVITATIONS_PER_DAY: String(deployment.invitationsPerInviterPerDay),
    };
    const resources = {
      tableArn: this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: names.table }),
      ballotTableArn: this.formatArn({ service: 'dynamodb', resource: 'table', resourceName: names.ballotTable }),
      uploadsBucketArn: `arn:${this.partition}:s3:::${names.uploadsBucket}`,
      exportsBucketArn: `arn:${this.partition}:s3:::${names.exportsBucket}`,
      signingSecretArn: stateful.signingSecret.secretArn,
      archiveSigningSecretArn: stateful.archiveSigningSecret.secretArn,
      ballotSecretArn: stateful.ballotSecret.secretArn,
      mailArns: [mail.identityArn, mail.configurationSetArn],
      dataKey: stateful.dataKey,
    };
    const bundle = (name: string): string => {
      const dir = props.bundles[name]?.dir;
      if (!dir) throw new Error(`No bundle for Lambda "${name}": run scripts/bundle.ts (bundleFunctions) first`);
      return dir;
    };
    const mootFunction = (name: string, extra: Pick<MootFunctionProps, 'timeout' | 'description' | 'ephemeralStorageMiB' | 'nodeOptions' | 'reservedConcurrency'>) =>
      (this.functions[name] = new MootFunction(this, `Fn-${name}`, {
        codeDir: bundle(name),
        environment,
        resources,
        logRetentionDays: settings.logRetentionDays,
        logKey: key,
        ...extra,
      }));

    // --- HTTP API, built from the route table ----------------------------------------------
    const apiLogs = logGroup('ApiAccessLogs');
    this.api = new apigwv2.HttpApi(this, 'Api', {
      apiName: `moot-${slug}`,
      description: `Moot ${deployment.id} API; reached through CloudFront at https://${deployment.domain}/api`,
      createDefaultStage: false,
      // Its only way in is its own name, behind CloudFront, which adds the origin secret.
      disableExecuteApiEndpoint: true,
    });
    const apiDomain = new apigwv2.DomainName(this, 'ApiDomain', {
      domainName: apiOriginDomain(deployment),
      certificate: acm.Certificate.fromCertificateArn(this, 'ApiCertificate', deployment.apiCertificateArn),
      securityPolicy: apigwv2.SecurityPolicy.TLS_1_2,
    });
    new CfnOutput(this, 'ApiOriginTarget', {
      description: `DNS: ${apiOriginDomain(deployment)} is a CNAME of this regional name`,
      value: apiDomain.regionalDomainName,
    });
    new apigwv2.HttpStage(this, 'ApiStage', {
      httpApi: this.api,
      stageName: '$default',
      domainMapping: { domainName: apiDomain },
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(apiLogs),
        // No $context.identity.sourceIp: IP addresses are never stored unmasked. No response
        // length either: a vote's answer repeats its ballot, so its size, beside the time of the
        // voter's has-voted marker, would point at their ballot in the published list.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latency: '$context.responseLatency',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Authorization is the session cookie, checked inside each capability Lambda (middy chain) because some routes are public (sign-in) or optionally signed in; a gateway authorizer would split that rule in two.',
    );

    const integrations = new Map<string, HttpLambdaIntegration>();
    for (const [routeKey, spec] of Object.entries(routes)) {
      if (!this.functions[spec.fn]) {
        const fn = mootFunction(spec.fn, { description: `Moot ${spec.fn} capability`, reservedConcurrency: RESERVED_CONCURRENCY.capability });
        (capabilityGrants[spec.fn] ?? defaultCapabilityGrants)(fn);
        fn.grantOriginSecret(this.originSecret);
        integrations.set(spec.fn, new HttpLambdaIntegration(`Integration-${spec.fn}`, fn.fn));
      }
      const { method, path } = splitRouteKey(routeKey);
      // Under the API so the API-wide acknowledgements above cover every route.
      new apigwv2.HttpRoute(this.api, `Route ${routeKey}`, {
        httpApi: this.api,
        routeKey: apigwv2.HttpRouteKey.with(path, method as apigwv2.HttpMethod),
        integration: integrations.get(spec.fn)!,
      });
    }

    // --- Workers ----------------------------------------------------------------------------
    // Batches the table-stream readers gave up on, whole (records and error), so they can be
    // replayed after the stream's 24 hours (docs/operations.md); an alarm fires on every one.
    const streamFailures = new s3.Bucket(this, 'StreamFailures', {
      encryption: key ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: key,
      bucketKeyEnabled: Boolean(key),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      // Request metrics, for the alarm on any failed batch written here.
      metrics: [{ id: FAILURE_METRICS_FILTER }],
      lifecycleRules: [
        { id: 'expire-failures', expiration: Duration.days(14), noncurrentVersionExpiration: Duration.days(1) },
        { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    acknowledge(streamFailures, 'AwsSolutions-S1', 'Written only by the stream readers\' roles and read by operators replaying a batch; no browser reaches it, and object-level access is in CloudTrail. It holds table records for 14 days.');
    this.failureBuckets.push(streamFailures);
    // Asynchronous invocations (SNS feedback, the EventBridge schedule) that failed their retries.
    const asyncFailures = new sqs.Queue(this, 'AsyncFailures', {
      retentionPeriod: Duration.days(14),
      enforceSSL: true,
      encryption: key ? sqs.QueueEncryption.KMS : sqs.QueueEncryption.SQS_MANAGED,
      encryptionMasterKey: key,
    });
    acknowledge(
      asyncFailures,
      'AwsSolutions-SQS3',
      'This queue is itself the on-failure destination of asynchronous invocations; a DLQ of a DLQ adds nothing.',
    );
    const streamTable = dynamodb.Table.fromTableAttributes(this, 'StreamTable', { tableName: names.table, tableStreamArn: stateful.table.tableStreamArn! });
    const streamSource = (filters?: Array<Record<string, unknown>>) =>
      new DynamoEventSource(streamTable, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: filters ? 1 : 100,
        // Jobs run side by side (up to JOBS_AT_ONCE per shard, and as many in all: the jobs worker's
        // reserved concurrency); events of one item still come in order.
        parallelizationFactor: filters ? JOBS_AT_ONCE : 1,
        maxBatchingWindow: Duration.seconds(1),
        bisectBatchOnError: true,
        retryAttempts: 5,
        reportBatchItemFailures: true,
        onFailure: failedBatchesTo(streamFailures),
        filters,
      });

    // Two readers of the table's stream (DynamoDB allows two per shard). The stream worker fans
    // out notifications and email.
    const stream = mootFunction('stream', { timeout: Duration.seconds(60), description: 'Moot stream worker: fans out events', reservedConcurrency: RESERVED_CONCURRENCY.stream })
      .grantTable('rw')
      .grantSigningSecret()
      .grantSendMail();
    stream.fn.addEventSource(streamSource());
    // The jobs worker takes only the events of long jobs (exports, imports, erasure), one at a
    // time, with 15 minutes and 2 GiB of /tmp for each: group exports spool their CSV and HTML
    // companions there before uploading them one at a time.
    const jobs = mootFunction('jobs', {
      timeout: Duration.minutes(15),
      description: 'Moot jobs worker: exports, imports and account erasure',
      reservedConcurrency: RESERVED_CONCURRENCY.jobs,
      ephemeralStorageMiB: 2048,
      nodeOptions: JOBS_NODE_OPTIONS,
    })
      .grantTable('rw')
      .grantUploads('rw')
      .grantExports('rw')
      .grantSigningSecret()
      .grantArchiveKey()
      .grantSendMail();
    jobs.fn.addEventSource(streamSource([
      lambda.FilterCriteria.filter({ eventName: lambda.FilterRule.isEqual('INSERT'), dynamodb: { NewImage: { type: { S: lambda.FilterRule.isEqual('event') }, kind: { S: [...JOB_KINDS] } } } }),
    ]));
    for (const reader of [stream, jobs]) {
      acknowledge(reader, wildcardResourceFinding(reader, streamFailures.arnForObjects('*')), 'A failed batch is written under a key Lambda chooses; the readers may only put objects into the failure bucket.');
    }

    // The scheduler finishes interrupted erasures, which delete files in both buckets.
    const scheduler = mootFunction('scheduler', {
      timeout: Duration.seconds(55),
      description: 'Moot scheduler: sweeps due items every minute',
      // One sweep at a time: a slow sweep is never overlapped by the next minute's.
      reservedConcurrency: RESERVED_CONCURRENCY.scheduler,
    })
      .grantTable('rw')
      .grantUploads('rw')
      .grantExports('rw')
      .grantSigningSecret()
      .grantSendMail();
    new events.Rule(this, 'EveryMinute', {
      description: 'Runs the Moot scheduler sweep',
      schedule: events.Schedule.rate(Duration.minutes(1)),
      targets: [new targets.LambdaFunction(scheduler.fn, { retryAttempts: 0 })],
    });
    // The next sweep picks up what this one missed; a failed one is still recorded and alarmed.
    scheduler.sendAsyncFailuresTo(asyncFailures);

    // Bounces and complaints from the configuration set's topic (here, or in the mail region's
    // MailStack, subscribed across regions by its fixed name) suppress addresses for future mail.
    const sesEvents = mootFunction('ses-events', { description: 'Moot SES feedback: suppresses hard-bounced and complaining addresses', reservedConcurrency: RESERVED_CONCURRENCY['ses-events'] }).grantTable('rw');
    const feedback = localMail?.feedback ?? sns.Topic.fromTopicArn(this, 'MailFeedback', mail.feedbackTopicArn);
    feedback.addSubscription(new LambdaSubscription(sesEvents.fn));
    sesEvents.sendAsyncFailuresTo(asyncFailures);
    if (key) {
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        for (const sender of [scheduler, sesEvents]) acknowledge(sender, `AwsSolutions-IAM5[Action::${action}]`, 'Written by the SQS on-failure destination for the KMS-encrypted failure queue; scoped to this stack\'s own key.');
      }
    }

    // --- Web app and CDN --------------------------------------------------------------------
    // Server access logs of the web bucket, which only CloudFront reads (so they hold CloudFront's
    // addresses, never a viewer's); S3 log delivery writes objects it owns and needs SSE-S3.
    const cdnLogs = new s3.Bucket(this, 'CdnLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.OBJECT_WRITER,
      versioned: true,
      // Government: Object Lock on, and deleting a log version is denied to everyone (below); S3 log
      // delivery refuses a target with a default retention, so the lifecycle rule ends each log.
      objectLockEnabled: deployment.profile === 'government' ? true : undefined,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-logs', expiration: Duration.days(settings.logRetentionDays), noncurrentVersionExpiration: Duration.days(1) }],
    });
    acknowledge(cdnLogs, 'AwsSolutions-S1', 'This is the access-log destination; logging it to itself would loop.');
    if (deployment.profile === 'government') {
      cdnLogs.addToResourcePolicy(
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
          resources: [cdnLogs.bucketArn, cdnLogs.arnForObjects('*')],
        }),
      );
    }

    const web = new s3.Bucket(this, 'Web', {
      encryption: key ? s3.BucketEncryption.KMS : s3.BucketEncryption.S3_MANAGED,
      encryptionKey: key,
      bucketKeyEnabled: Boolean(key),
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: cdnLogs,
      serverAccessLogsPrefix: 'web-bucket/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'expire-noncurrent', noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionDays) },
        { id: 'abort-multipart', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });

    const uploadsOrigin = `https://${names.uploadsBucket}.s3.${this.region}.amazonaws.com`;
    // The same headers the local server sends (shared/security-headers.ts): the web app's, and the
    // API's own stricter set (CSP default-src 'none', no referrer, no-store) on what the API answers.
    const headers = responseHeadersPolicy(this, 'SecurityHeaders', `Moot ${deployment.id} security headers`, webSecurityHeaders(uploadsOrigin));
    const apiHeaders = responseHeadersPolicy(this, 'ApiSecurityHeaders', `Moot ${deployment.id} API security headers`, apiSecurityHeaders);

    const apiOrigin = new origins.HttpOrigin(apiOriginDomain(deployment), {
      protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      // A CloudFormation dynamic reference: the value is resolved at deploy time and never in the template.
      customHeaders: { [ORIGIN_HEADER]: this.originSecret.secretValueFromJson('current').unsafeUnwrap() },
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: `Moot ${deployment.id}`,
      domainNames: [deployment.domain],
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', deployment.certificateArn),
      minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: cloudfront.PriceClass.PRICE_CLASS_ALL,
      defaultRootObject: 'index.html',
      // No standard logs: they record every viewer's full IP address and X-Forwarded-For.
      enableLogging: false,
      webAclId: props.edge.webAcl.attrArn,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(web),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [
          {
            eventType: cloudfront.FunctionEventType.VIEWER_REQUEST,
            function: new cloudfront.Function(this, 'SpaRewrite', {
              code: cloudfront.FunctionCode.fromInline(spaRewrite),
              runtime: cloudfront.FunctionRuntime.JS_2_0,
              comment: 'Serve /index.html for app routes (paths that are not built files)',
            }),
          },
        ],
      },
      additionalBehaviors: {
        // Other deployments fetch the archive keys here (the route table's one path outside /api).
        '/.well-known/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: apiHeaders,
        },
        '/api/*': {
          origin: apiOrigin,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: apiHeaders,
        },
      },
    });
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Groups are international by nature; the data-residency promise is about where data is stored (this region), not where readers are.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'CloudFront standard logs record each viewer\'s full IP address and X-Forwarded-For, which Moot promises never to store. The API logs each request (with no address) and its own events with masked ones.',
    );

    // The rotation writes the new value into the secret and into the header CloudFront sends.
    const rotation = mootFunction('origin-rotation', { timeout: Duration.seconds(60), description: 'Moot origin secret rotation: new header value for CloudFront', reservedConcurrency: RESERVED_CONCURRENCY['origin-rotation'] });
    rotation.fn.addEnvironment('DISTRIBUTION_ID', this.distribution.distributionId);
    rotation.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
        resources: [`arn:${this.partition}:cloudfront::${this.account}:distribution/${this.distribution.distributionId}`],
      }),
    );
    this.originSecret.addRotationSchedule('Rotation', { rotationLambda: rotation.fn, automaticallyAfter: Duration.days(30) });

    const deployLogs = logGroup('WebDeployLogs');
    const webDeployment = new s3deploy.BucketDeployment(this, 'WebDeployment', {
      // The built app is the same everywhere; its brand.css, brand.json and logo are this deployment's.
      sources: [s3deploy.Source.asset(props.webDir), ...Object.entries(brandFiles(deployment.branding)).map(([path, content]) => s3deploy.Source.data(path, content))],
      destinationBucket: web,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      prune: true,
      memoryLimit: 512,
      logGroup: deployLogs,
    });
    this.acknowledgeBucketDeployment(webDeployment);
    if (key) {
      acknowledge(
        this,
        'Annotation::@aws-cdk/aws-cloudfront-origins:wildcardKeyPolicyForOac',
        'The web key lets CloudFront decrypt for any distribution of this account, which is isolated and has only this one; the bucket holds the public static app.',
      );
    }

    this.addMonitoring(deployment, stateful.operators, apiLogs, [stream, jobs]);
  }

  /**
   * Alarms to the operators topic, generated from what this stack holds: errors, duration and
   * throttles of every Moot function, the age of each stream reader's iterator, messages in every
   * queue (all of them failure queues), the API's 5xx and throttled requests; and one dashboard.
   */
  private addMonitoring(deployment: Deployment, topic: sns.ITopic, apiLogs: logs.LogGroup, streamReaders: MootFunction[]): void {
    const scope = new Construct(this, 'Alarms');
    const namespace = `Moot/${deployment.id}`;
    // HTTP APIs publish no throttle metric: a stage throttle is a 429 that never reached a function.
    apiLogs.addMetricFilter('ApiThrottled', {
      metricNamespace: namespace,
      metricName: 'ApiThrottled',
      filterPattern: logs.FilterPattern.all(logs.FilterPattern.stringValue('$.status', '=', '429'), logs.FilterPattern.stringValue('$.integrationLatency', '=', '-')),
      metricValue: '1',
    });
    const fiveMinutes = Duration.minutes(5);
    const api5xx = this.api.metricServerError({ period: fiveMinutes, statistic: 'Sum' });
    const apiThrottled = new cloudwatch.Metric({ namespace, metricName: 'ApiThrottled', period: fiveMinutes, statistic: 'Sum' });
    alarm(scope, 'Api5xx', topic, {
      alarmDescription: `Moot ${deployment.id}: the API answered 5xx`,
      metric: api5xx,
      threshold: 5,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    alarm(scope, 'ApiThrottled', topic, {
      alarmDescription: `Moot ${deployment.id}: the API stage throttled requests`,
      metric: apiThrottled,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    });
    for (const [name, fn] of Object.entries(this.functions)) functionAlarms(scope, pascal(name), fn, topic);
    for (const fn of streamReaders) iteratorAgeAlarm(scope, pascal(fn.node.id.replace(/^Fn-/, '')), fn, topic);
    const queues = this.node.findAll().filter((c): c is sqs.Queue => c instanceof sqs.Queue);
    for (const queue of queues) queueAlarm(scope, queue.node.id, queue, topic);
    for (const bucket of this.failureBuckets) {
      alarm(scope, `${bucket.node.id}Written`, topic, {
        alarmDescription: `Moot ${deployment.id}: a failed batch was written to ${bucket.node.id}`,
        metric: new cloudwatch.Metric({ namespace: 'AWS/S3', metricName: 'PutRequests', dimensionsMap: { BucketName: bucket.bucketName, FilterId: FAILURE_METRICS_FILTER }, period: fiveMinutes, statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      });
    }

    const fns = Object.entries(this.functions);
    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `moot-${deployment.id.toLowerCase()}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'API requests', left: [this.api.metricCount({ period: fiveMinutes })], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'API 4xx, 5xx, throttled', left: [this.api.metricClientError({ period: fiveMinutes }), api5xx, apiThrottled], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'API latency p99', left: [this.api.metricLatency({ period: fiveMinutes, statistic: 'p99' })], width: 8 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Function errors', left: fns.map(([name, fn]) => fn.fn.metricErrors({ period: fiveMinutes, label: name })), width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Function duration p99', left: fns.map(([name, fn]) => fn.fn.metricDuration({ period: fiveMinutes, statistic: 'p99', label: name })), width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Stream iterator age', left: streamReaders.map((fn) => fn.fn.metric('IteratorAge', { period: fiveMinutes, statistic: 'Maximum' })), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Failure queues', left: queues.map((q) => q.metricApproximateNumberOfMessagesVisible({ period: fiveMinutes, statistic: 'Maximum', label: q.node.id })), width: 8 }),
          new cloudwatch.GraphWidget({ title: 'Throttles', left: fns.map(([name, fn]) => fn.fn.metricThrottles({ period: fiveMinutes, label: name })), width: 8 }),
        ],
      ],
    });
  }

  /** BucketDeployment's handler is a CDK singleton at stack level; its policies are CDK's own. */
  private acknowledgeBucketDeployment(webDeployment: s3deploy.BucketDeployment): void {
    const handler = this.node.children.find((child) => child.node.id.startsWith('Custom::CDKBucketDeployment'));
    for (const scope of handler ? [webDeployment, handler] : [webDeployment]) {
      acknowledgeLibraryWildcards(
        scope,
        'Written by CDK BucketDeployment to sync the built web app from the CDK asset bucket into the web bucket and invalidate CloudFront; limited to those two buckets and this distribution.',
      );
    }
    if (handler) {
      acknowledge(
        handler,
        'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        'CDK BucketDeployment\'s deploy-time handler; it runs only during deployments and its role is created by the library.',
      );
      acknowledge(handler, 'AwsSolutions-L1', 'The BucketDeployment handler runtime is chosen by aws-cdk-lib and moves with it; it runs only at deploy time.');
    }
  }
}
