import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';

/**
 * A CloudFront response headers policy that sends exactly `headers` (a header map from
 * shared/security-headers.ts, the one source the local server uses too), overriding the origin:
 * the headers CloudFront models as security headers go there, every other one as a custom header.
 */
export function responseHeadersPolicy(scope: Construct, id: string, comment: string, headers: Record<string, string>): cloudfront.ResponseHeadersPolicy {
  const security: cloudfront.ResponseSecurityHeadersBehavior = {};
  const custom: cloudfront.ResponseCustomHeader[] = [];
  for (const [name, value] of Object.entries(headers)) {
    switch (name.toLowerCase()) {
      case 'content-security-policy':
        Object.assign(security, { contentSecurityPolicy: { contentSecurityPolicy: value, override: true } });
        break;
      case 'strict-transport-security': {
        const maxAge = /max-age=(\d+)/i.exec(value);
        if (!maxAge) throw new Error(`strict-transport-security without max-age: ${value}`);
        Object.assign(security, {
          strictTransportSecurity: {
            accessControlMaxAge: Duration.seconds(Number(maxAge[1])),
            includeSubdomains: /includeSubDomains/i.test(value),
            preload: /preload/i.test(value),
            override: true,
          },
        });
        break;
      }
      case 'x-content-type-options':
        if (value !== 'nosniff') throw new Error(`x-content-type-options: CloudFront can send nosniff only, not ${value}`);
        Object.assign(security, { contentTypeOptions: { override: true } });
        break;
      case 'x-frame-options':
        Object.assign(security, { frameOptions: { frameOption: value.toUpperCase() as cloudfront.HeadersFrameOption, override: true } });
        break;
      case 'referrer-policy':
        Object.assign(security, { referrerPolicy: { referrerPolicy: value as cloudfront.HeadersReferrerPolicy, override: true } });
        break;
      default:
        custom.push({ header: name, value, override: true });
    }
  }
  return new cloudfront.ResponseHeadersPolicy(scope, id, {
    comment,
    securityHeadersBehavior: security,
    customHeadersBehavior: custom.length ? { customHeaders: custom } : undefined,
    removeHeaders: ['Server'],
  });
}
