import { beforeAll, describe, expect, it } from 'vitest';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

// Moot promises that IP addresses are masked before anything stores them, logs included. Of the
// logs AWS can keep for us, these record a viewer's address, so none may be configured where a
// viewer connects: CloudFront standard logs (c-ip, x-forwarded-for), S3 server access logs of a
// bucket browsers reach through presigned URLs (remote IP), API Gateway access logs naming the
// source address, and CloudFront v2 log deliveries that keep the client fields.

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

const addressFields = ['c-ip', 'x-forwarded-for', 'c-port'];

describe('log configuration in every stack', () => {
  const all = () => Object.entries(synth.templates);

  it('has no CloudFront standard logging, and any v2 log delivery leaves out the client address', () => {
    for (const [stack, template] of all()) {
      for (const d of resourcesOf(template, 'AWS::CloudFront::Distribution')) expect(d.Properties.DistributionConfig.Logging, stack).toBeUndefined();
      for (const delivery of resourcesOf(template, 'AWS::Logs::Delivery')) {
        expect(delivery.Properties.RecordFields, `${stack} ${delivery.id} must choose its fields`).toBeDefined();
        for (const field of addressFields) expect(delivery.Properties.RecordFields, stack).not.toContain(field);
      }
    }
  });

  it('keeps S3 server access logs only for buckets that CloudFront alone reads', () => {
    let logged = 0;
    for (const [stack, template] of all()) {
      const policies = resourcesOf(template, 'AWS::S3::BucketPolicy');
      for (const bucket of resourcesOf(template, 'AWS::S3::Bucket')) {
        if (!bucket.Properties.LoggingConfiguration) continue;
        logged++;
        expect(bucket.Properties.CorsConfiguration, `${stack} ${bucket.id} is reached by browsers`).toBeUndefined();
        const policy = policies.find((p) => JSON.stringify(p.Properties.Bucket).includes(bucket.id));
        const readers = (policy?.Properties.PolicyDocument.Statement ?? [])
          .filter((s: { Effect: string; Action: string | string[] }) => s.Effect === 'Allow' && [s.Action].flat().includes('s3:GetObject'))
          .map((s: { Principal: unknown }) => JSON.stringify(s.Principal));
        expect(readers.length, `${stack} ${bucket.id}`).toBeGreaterThan(0);
        for (const reader of readers) expect(reader, `${stack} ${bucket.id}`).toBe(JSON.stringify({ Service: 'cloudfront.amazonaws.com' }));
      }
    }
    expect(logged).toBeGreaterThan(0);
  });

  it('has no API Gateway access log format that records the caller address', () => {
    let stages = 0;
    for (const [, template] of all()) {
      for (const stage of resourcesOf(template, 'AWS::ApiGatewayV2::Stage')) {
        stages++;
        const format = String(stage.Properties.AccessLogSettings?.Format ?? '');
        expect(format).not.toMatch(/sourceIp|\$context\.identity|X-Forwarded-For|CloudFront-Viewer-Address/i);
      }
    }
    expect(stages).toBeGreaterThan(0);
  });

  it('sends no log of any kind to a place other than the stack\'s own region and account', () => {
    for (const [stack, template] of all()) {
      for (const delivery of resourcesOf(template, 'AWS::Logs::DeliveryDestination')) {
        expect(JSON.stringify(delivery.Properties.DestinationResourceArn), stack).not.toMatch(/arn:aws:[a-z0-9-]+:(?!\$\{AWS::Region\})[a-z]{2}-/);
      }
    }
  });
});
