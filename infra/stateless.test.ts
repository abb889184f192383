import { beforeAll, describe, expect, it } from 'vitest';
import { functionNames, routes } from '../shared/api/routes.ts';
import { deployments, physicalNames, profileSettings, stackName, trustedArchiveKeys } from './deployments.ts';
import { JOBS_AT_ONCE } from './stateless-stack.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

const lambdaNames = [...functionNames, 'stream', 'jobs', 'scheduler', 'sesevents', 'originrotation'];


describe.each(deployments)('the $id stateless stack', (deployment) => {
  const template = () => synth.templates[stackName(deployment, 'Stateless')]!;
  const settings = profileSettings(deployment.profile);
  const functions = () => resourcesOf(template(), 'AWS::Lambda::Function').filter((f) => f.id.startsWith('Fn'));
  const lambdaFor = (name: string) => functions().find((f) => f.id.startsWith(`Fn${name}Function`))!;

  it('reaches the API only through CloudFront: no execute-api endpoint, its own name, and a rotated origin secret in a header', () => {
    const [api] = resourcesOf(template(), 'AWS::ApiGatewayV2::Api');
    expect(api!.Properties.DisableExecuteApiEndpoint).toBe(true);
    const [domain] = resourcesOf(template(), 'AWS::ApiGatewayV2::DomainName');
    expect(domain!.Properties.DomainName).toBe(`api-origin.${deployment.domain}`);
    expect(domain!.Properties.DomainNameConfigurations[0].CertificateArn).toBe(deployment.apiCertificateArn);
    expect(deployment.apiCertificateArn.split(':')[3]).toBe(deployment.region);
    expect(resourcesOf(template(), 'AWS::ApiGatewayV2::ApiMapping')).toHaveLength(1);

    const [distribution] = resourcesOf(template(), 'AWS::CloudFront::Distribution');
    const apiOrigin = distribution!.Properties.DistributionConfig.Origins.find((o: { DomainName: unknown }) => o.DomainName === `api-origin.${deployment.domain}`);
    expect(apiOrigin).toBeDefined();
    const [header] = apiOrigin.OriginCustomHeaders;
    expect(header.HeaderName).toBe('x-moot-origin-verify');
    // A dynamic reference to the secret's current value: the value itself is never in the template.
    expect(JSON.stringify(header.HeaderValue)).toMatch(/\{\{resolve:secretsmanager:.*:SecretString:current::\}\}/);
    expect(JSON.stringify(header.HeaderValue)).toContain('OriginSecret');

    const [rotation] = resourcesOf(template(), 'AWS::SecretsManager::RotationSchedule');
    expect(rotation!.Properties.RotationRules.ScheduleExpression ?? `rate(${rotation!.Properties.RotationRules.AutomaticallyAfterDays} days)`).toBe('rate(30 days)');
    expect(JSON.stringify(rotation!.Properties.RotationLambdaARN)).toContain('Fnoriginrotation');
    expect(lambdaFor('originrotation').Properties.Environment.Variables.DISTRIBUTION_ID).toBeDefined();
    for (const fn of new Set(Object.values(routes).map((r) => r.fn))) {
      expect(JSON.stringify(lambdaFor(fn).Properties.Environment.Variables.ORIGIN_SECRET_ARN), fn).toContain('OriginSecret');
    }
  });

  it('has one Lambda per capability in the route table plus the stream, jobs and scheduler workers', () => {
    expect(functions().length).toBe(lambdaNames.length);
    for (const name of lambdaNames) expect(lambdaFor(name), name).toBeDefined();
  });

  it('subscribes the SES-events handler to the mail feedback topic, in this region or the mail region', () => {
    const subscriptions = resourcesOf(template(), 'AWS::SNS::Subscription');
    expect(subscriptions).toHaveLength(1);
    const { Properties } = subscriptions[0]!;
    expect(Properties.Protocol).toBe('lambda');
    expect(JSON.stringify(Properties.Endpoint)).toContain('FnseseventsFunction');
    if (deployment.mailRegion && deployment.mailRegion !== deployment.region) {
      expect(Properties.TopicArn).toBe(`arn:aws:sns:${deployment.mailRegion}:${deployment.account}:moot-${deployment.id.toLowerCase()}-mail-feedback`);
      expect(Properties.Region).toBe(deployment.mailRegion);
    } else {
      expect(JSON.stringify(Properties.TopicArn)).toContain('MailFeedback');
    }
    const permission = resourcesOf(template(), 'AWS::Lambda::Permission').find((p) => p.Properties.Principal === 'sns.amazonaws.com');
    expect(permission).toBeDefined();
  });

  it('runs every Moot Lambda on nodejs24.x, arm64, with active tracing and its own log group', () => {
    for (const { id, Properties } of functions()) {
      expect(Properties.Runtime, id).toBe('nodejs24.x');
      expect(Properties.Architectures, id).toEqual(['arm64']);
      expect(Properties.MemorySize, id).toBe(512);
      expect(Properties.TracingConfig, id).toEqual({ Mode: 'Active' });
      expect(Properties.Handler, id).toBe('index.handler');
      expect(Properties.LoggingConfig.LogGroup, id).toBeDefined();
    }
  });

  it('gives the jobs worker, which builds group exports, 15 minutes, 2 GiB of temporary storage and a capped young generation', () => {
    for (const { id, Properties } of functions()) {
      const isJobs = id.startsWith('Fnjobs');
      expect(Properties.EphemeralStorage?.Size, id).toBe(isJobs ? 2048 : undefined);
      expect(Properties.Environment.Variables.NODE_OPTIONS, id).toBe(isJobs ? '--enable-source-maps --max-semi-space-size=8' : '--enable-source-maps');
      if (isJobs) expect(Properties.Timeout, id).toBe(900);
    }
  });

  it('has two readers of the table stream: the stream worker takes every event, the jobs worker only the long jobs, one at a time', () => {
    const mappings = resourcesOf(template(), 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(2);
    const byFunction = (name: string) => mappings.find((m) => JSON.stringify(m.Properties.FunctionName).includes(`Fn${name}Function`))!.Properties;
    expect(byFunction('stream').FilterCriteria).toBeUndefined();
    const jobs = byFunction('jobs');
    expect(jobs.BatchSize).toBe(1);
    expect(jobs.ParallelizationFactor).toBe(JOBS_AT_ONCE);
    const pattern = JSON.parse(jobs.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual({ eventName: ['INSERT'], dynamodb: { NewImage: { type: { S: ['event'] }, kind: { S: ['GroupExportRequested', 'GroupImportRequested', 'AccountDeletionRequested', 'PersonalExportRequested'] } } } });
    for (const m of mappings) expect(m.Properties.DestinationConfig.OnFailure.Destination).toBeDefined();
  });

  it(`keeps every log group for ${settings.logRetentionDays} days`, () => {
    const groups = resourcesOf(template(), 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThanOrEqual(lambdaNames.length + 1);
    for (const { id, Properties } of groups) expect(Properties.RetentionInDays, id).toBe(settings.logRetentionDays);
  });

  it('gives every function the deployment settings it reads', () => {
    const names = physicalNames(deployment);
    for (const { id, Properties } of functions()) {
      const env = Properties.Environment.Variables;
      expect(env, id).toMatchObject({
        TABLE_NAME: names.table,
        UPLOADS_BUCKET: names.uploadsBucket,
        EXPORTS_BUCKET: names.exportsBucket,
        MAIL_FROM: `no-reply@${deployment.domain}`,
        SES_CONFIGURATION_SET: expect.any(String),
        APP_URL: `https://${deployment.domain}`,
        DEPLOYMENT_ID: deployment.id,
        BRAND_NAME: deployment.branding.name,
        SES_RATE_PER_SECOND: String(deployment.sesRatePerSecond),
        INVITATIONS_PER_DAY: String(deployment.invitationsPerInviterPerDay),
      });
      expect(env.SIGNING_SECRET_ARN, id).toBeDefined();
      expect(env.BALLOT_SECRET_ARN, id).toBeDefined();
    }
  });

  it('routes every route-table key to the Lambda the table names', () => {
    const apiRoutes = resourcesOf(template(), 'AWS::ApiGatewayV2::Route');
    const integrations = Object.fromEntries(resourcesOf(template(), 'AWS::ApiGatewayV2::Integration').map((i) => [i.id, i.Properties]));
    expect(apiRoutes.length).toBe(Object.keys(routes).length);
    for (const [routeKey, spec] of Object.entries(routes)) {
      const route = apiRoutes.find((r) => r.Properties.RouteKey === routeKey);
      expect(route, routeKey).toBeDefined();
      const integrationId = route!.Properties.Target['Fn::Join'][1][1].Ref as string;
      const target = integrations[integrationId]!.IntegrationUri['Fn::GetAtt'][0] as string;
      expect(target, routeKey).toBe(lambdaFor(spec.fn).id);
    }
  });

  it('throttles the API stage and writes access logs without client IP addresses', () => {
    const [stage] = resourcesOf(template(), 'AWS::ApiGatewayV2::Stage');
    expect(stage!.Properties.StageName).toBe('$default');
    expect(stage!.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 });
    expect(stage!.Properties.AccessLogSettings.DestinationArn).toBeDefined();
    expect(stage!.Properties.AccessLogSettings.Format).toContain('$context.requestId');
    expect(stage!.Properties.AccessLogSettings.Format).not.toContain('sourceIp');
  });

  it('runs the scheduler every minute', () => {
    const [rule] = resourcesOf(template(), 'AWS::Events::Rule');
    expect(rule!.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule!.Properties.Targets[0].Arn['Fn::GetAtt'][0]).toBe(lambdaFor('scheduler').id);
  });

  it('feeds the table stream to the stream worker with bisecting retries and a failure bucket that keeps whole batches', () => {
    const [mapping] = resourcesOf(template(), 'AWS::Lambda::EventSourceMapping');
    expect(mapping!.Properties).toMatchObject({
      FunctionName: { Ref: lambdaFor('stream').id },
      BatchSize: 100,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(mapping!.Properties.DestinationConfig.OnFailure.Destination['Fn::GetAtt'][0]).toMatch(/^StreamFailures/);
    const failures = resourcesOf(template(), 'AWS::S3::Bucket').find((b) => b.id.startsWith('StreamFailures'))!;
    expect(failures.Properties.LifecycleConfiguration.Rules).toContainEqual(expect.objectContaining({ ExpirationInDays: 14, Status: 'Enabled' }));
    expect(failures.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
  });

  it('sends CSP, HSTS, nosniff, frame DENY and a strict referrer policy on every response', () => {
    const policy = resourcesOf(template(), 'AWS::CloudFront::ResponseHeadersPolicy').find((p) => p.id.startsWith('SecurityHeaders'));
    const headers = policy!.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(headers.StrictTransportSecurity).toMatchObject({ AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Preload: true });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
    expect(headers.FrameOptions.FrameOption).toBe('DENY');
    expect(headers.ReferrerPolicy.ReferrerPolicy).toBe('strict-origin-when-cross-origin');
    const csp: string = headers.ContentSecurityPolicy.ContentSecurityPolicy;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("script-src 'self';");
    // The only origin other than 'self' is this deployment's own uploads bucket.
    const uploadsOrigin = `https://${physicalNames(deployment).uploadsBucket}.s3.${deployment.region}.amazonaws.com`;
    const origins = csp.match(/https?:\/\/[^\s;]+/g) ?? [];
    expect(origins.length).toBeGreaterThan(0);
    for (const origin of origins) expect(origin).toBe(uploadsOrigin);

    const distribution = resourcesOf(template(), 'AWS::CloudFront::Distribution')[0]!.Properties.DistributionConfig;
    expect(distribution.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policy!.id });
    // What the API answers gets the API's own stricter headers (infra/edge.test.ts compares both sets).
    for (const behavior of distribution.CacheBehaviors) expect(behavior.ResponseHeadersPolicyId.Ref).toMatch(/^ApiSecurityHeaders/);
  });

  it('serves the web app from a private bucket and /api/* from the HTTP API without caching', () => {
    const distribution = resourcesOf(template(), 'AWS::CloudFront::Distribution')[0]!.Properties.DistributionConfig;
    expect(distribution.Aliases).toEqual([deployment.domain]);
    expect(distribution.ViewerCertificate).toMatchObject({ MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    expect(distribution.HttpVersion).toBe('http2and3');
    expect(distribution.PriceClass).toBe('PriceClass_All');
    expect(distribution.Logging).toBeUndefined();
    expect(distribution.DefaultCacheBehavior.FunctionAssociations[0].EventType).toBe('viewer-request');
    const s3Origin = distribution.Origins.find((o: any) => o.S3OriginConfig);
    expect(s3Origin.OriginAccessControlId).toBeDefined();

    const api = distribution.CacheBehaviors.find((b: any) => b.PathPattern === '/api/*');
    expect(api.AllowedMethods).toHaveLength(7);
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // Managed-CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    expect(api.ViewerProtocolPolicy).toBe('https-only');
  });

  it('signs archives with its own key, trusts only the archive keys of the deployments it lists, and publishes its key at /.well-known through CloudFront', () => {
    const env = (name: string) => lambdaFor(name).Properties.Environment.Variables;
    for (const name of ['jobs', 'meta']) expect(JSON.stringify(env(name).ARCHIVE_SIGNING_SECRET_ARN), name).toContain('ArchiveSigningSecret');
    expect(JSON.parse(env('jobs').TRUSTED_ARCHIVE_KEYS)).toEqual(trustedArchiveKeys(deployment));
    for (const id of deployment.trusts) expect(deployments.map((d) => d.id)).toContain(id);
    // The isolated government stack keeps no identities from any archive but its own.
    if (deployment.profile === 'government') expect(deployment.trusts.filter((id) => id !== deployment.id)).toEqual([]);
    else expect(deployment.trusts).toEqual(expect.arrayContaining(deployments.filter((d) => d.profile === 'saas').map((d) => d.id)));

    // Only the jobs worker and the key's publisher may read the secret.
    const readers = resourcesOf(template(), 'AWS::IAM::Policy')
      .filter((p) => JSON.stringify(p.Properties.PolicyDocument).includes('ArchiveSigningSecret'))
      .map((p) => JSON.stringify(p.Properties.Roles));
    expect(readers).toHaveLength(2);
    expect(readers.join()).toMatch(/Fnjobs/);
    expect(readers.join()).toMatch(/Fnmeta/);

    const distribution = resourcesOf(template(), 'AWS::CloudFront::Distribution')[0]!.Properties.DistributionConfig;
    const wellKnown = distribution.CacheBehaviors.find((b: any) => b.PathPattern === '/.well-known/*');
    const api = distribution.CacheBehaviors.find((b: any) => b.PathPattern === '/api/*');
    expect(wellKnown.TargetOriginId).toBe(api.TargetOriginId);
    expect([...wellKnown.AllowedMethods].sort()).toEqual(['GET', 'HEAD']);
    expect(wellKnown.ViewerProtocolPolicy).toBe('https-only');
    const routeKeys = resourcesOf(template(), 'AWS::ApiGatewayV2::Route').map((r) => r.Properties.RouteKey);
    expect(routeKeys).toContain('GET /.well-known/moot-archive-keys.json');
  });

  it('rewrites extension-less paths to the SPA shell', () => {
    const [fn] = resourcesOf(template(), 'AWS::CloudFront::Function');
    const code: string = fn!.Properties.FunctionCode;
    const handler = new Function(`${code}; return handler;`)() as (e: any) => { uri: string };
    expect(handler({ request: { uri: '/groups/abc' } }).uri).toBe('/index.html');
    expect(handler({ request: { uri: '/_app/immutable/start.js' } }).uri).toBe('/_app/immutable/start.js');
  });

  it('deploys the built web app into the web bucket and invalidates the CDN', () => {
    template().hasResourceProperties('Custom::CDKBucketDeployment', { DistributionPaths: ['/*'], Prune: true });
  });
});
