import { beforeAll, describe, expect, it } from 'vitest';
import { apiSecurityHeaders, webSecurityHeaders } from '../shared/security-headers.ts';
import { deployments, physicalNames, stackName } from './deployments.ts';
import { COUNTED_COMMON_RULES, REQUESTS_PER_CLIENT_PER_5_MINUTES } from './edge-stack.ts';
import { JOBS_AT_ONCE } from './stateless-stack.ts';
import { resourcesOf, type Synthesized, synthesize } from './test-support/synth.ts';

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});

/** The headers a CloudFront response headers policy sends, as a lower-case header map. */
function headersSent(config: Record<string, any>): Record<string, string> {
  const out: Record<string, string> = {};
  const s = config.SecurityHeadersConfig ?? {};
  if (s.ContentSecurityPolicy) out['content-security-policy'] = s.ContentSecurityPolicy.ContentSecurityPolicy;
  if (s.StrictTransportSecurity) {
    const h = s.StrictTransportSecurity;
    out['strict-transport-security'] = [`max-age=${h.AccessControlMaxAgeSec}`, h.IncludeSubdomains && 'includeSubDomains', h.Preload && 'preload'].filter(Boolean).join('; ');
  }
  if (s.ContentTypeOptions) out['x-content-type-options'] = 'nosniff';
  if (s.FrameOptions) out['x-frame-options'] = s.FrameOptions.FrameOption;
  if (s.ReferrerPolicy) out['referrer-policy'] = s.ReferrerPolicy.ReferrerPolicy;
  for (const h of config.CustomHeadersConfig?.Items ?? []) out[h.Header.toLowerCase()] = h.Value;
  for (const group of [s.ContentSecurityPolicy, s.StrictTransportSecurity, s.ContentTypeOptions, s.FrameOptions, s.ReferrerPolicy, ...(config.CustomHeadersConfig?.Items ?? [])]) {
    if (group) expect(group.Override).toBe(true);
  }
  return out;
}

describe.each(deployments)('the $id deployment', (deployment) => {
  const edge = () => synth.templates[stackName(deployment, 'Edge')]!;
  const stateless = () => synth.templates[stackName(deployment, 'Stateless')]!;
  const distribution = () => resourcesOf(stateless(), 'AWS::CloudFront::Distribution')[0]!.Properties.DistributionConfig;

  it('puts a CloudFront-scope WAF web ACL in us-east-1, in an edge stack of its own account, and attaches it to the distribution', () => {
    const stack = synth.stacks.find((s) => s.deployment === deployment)!.edge;
    expect({ account: stack.account, region: stack.region }).toEqual({ account: deployment.account, region: 'us-east-1' });
    const [acl] = resourcesOf(edge(), 'AWS::WAFv2::WebACL');
    expect(acl!.Properties.Scope).toBe('CLOUDFRONT');
    expect(acl!.Properties.DefaultAction).toEqual({ Allow: {} });
    expect(distribution().WebACLId).toEqual({ 'Fn::GetStackOutput': expect.objectContaining({ StackName: stackName(deployment, 'Edge'), Region: 'us-east-1' }) });
  });

  it('runs the AWS managed common, known-bad-inputs and IP reputation rule groups, counting only the common rules that ordinary Moot text would trip', () => {
    const rules = resourcesOf(edge(), 'AWS::WAFv2::WebACL')[0]!.Properties.Rules as any[];
    const groups = rules.filter((r) => r.Statement.ManagedRuleGroupStatement).map((r) => r.Statement.ManagedRuleGroupStatement);
    expect(groups.map((g) => `${g.VendorName}/${g.Name}`).sort()).toEqual(['AWS/AWSManagedRulesAmazonIpReputationList', 'AWS/AWSManagedRulesCommonRuleSet', 'AWS/AWSManagedRulesKnownBadInputsRuleSet']);
    for (const rule of rules.filter((r) => r.Statement.ManagedRuleGroupStatement)) expect(rule.OverrideAction, rule.Name).toEqual({ None: {} });
    const common = groups.find((g) => g.Name === 'AWSManagedRulesCommonRuleSet');
    expect(common.RuleActionOverrides).toEqual(Object.keys(COUNTED_COMMON_RULES).map((Name) => ({ Name, ActionToUse: { Count: {} } })));
    for (const g of groups.filter((g) => g.Name !== 'AWSManagedRulesCommonRuleSet')) expect(g.RuleActionOverrides, g.Name).toBeUndefined();
  });

  it('blocks a client (by address) that makes more requests than the per-client rate allows', () => {
    const rules = resourcesOf(edge(), 'AWS::WAFv2::WebACL')[0]!.Properties.Rules as any[];
    const rate = rules.find((r) => r.Statement.RateBasedStatement);
    expect(rate.Action).toEqual({ Block: {} });
    expect(rate.Statement.RateBasedStatement).toEqual({ AggregateKeyType: 'IP', Limit: REQUESTS_PER_CLIENT_PER_5_MINUTES, EvaluationWindowSec: 300 });
  });

  it('keeps no WAF log and no sampled requests, which would hold viewers\' addresses', () => {
    edge().resourceCountIs('AWS::WAFv2::LoggingConfiguration', 0);
    const [acl] = resourcesOf(edge(), 'AWS::WAFv2::WebACL');
    for (const config of [acl!.Properties.VisibilityConfig, ...acl!.Properties.Rules.map((r: any) => r.VisibilityConfig)]) {
      expect(config.SampledRequestsEnabled).toBe(false);
      expect(config.CloudWatchMetricsEnabled).toBe(true);
    }
  });

  it('sends the web app exactly the local server\'s security headers, Permissions-Policy and COOP included, and the API paths the API\'s own stricter set', () => {
    const policies = Object.fromEntries(resourcesOf(stateless(), 'AWS::CloudFront::ResponseHeadersPolicy').map((p) => [p.id, p.Properties.ResponseHeadersPolicyConfig]));
    const policyOf = (behavior: { ResponseHeadersPolicyId: { Ref: string } }) => policies[behavior.ResponseHeadersPolicyId.Ref]!;
    const uploadsOrigin = `https://${physicalNames(deployment).uploadsBucket}.s3.${deployment.region}.amazonaws.com`;
    const web = headersSent(policyOf(distribution().DefaultCacheBehavior));
    expect(web).toEqual(webSecurityHeaders(uploadsOrigin));
    expect(web['permissions-policy']).toBeDefined();
    expect(web['cross-origin-opener-policy']).toBe('same-origin');
    for (const path of ['/api/*', '/.well-known/*']) {
      const behavior = distribution().CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === path);
      expect(headersSent(policyOf(behavior)), path).toEqual(apiSecurityHeaders);
    }
  });

  it('throttles the API stage, gives every function a reserved concurrency, and bounds the jobs worker and the scheduler so they cannot starve the API', () => {
    const [stage] = resourcesOf(stateless(), 'AWS::ApiGatewayV2::Stage');
    expect(stage!.Properties.DefaultRouteSettings).toMatchObject({ ThrottlingRateLimit: expect.any(Number), ThrottlingBurstLimit: expect.any(Number) });
    const fn = (name: string) => resourcesOf(stateless(), 'AWS::Lambda::Function').find((f) => f.id.startsWith(`Fn${name}Function`))!.Properties;
    expect(fn('jobs').ReservedConcurrentExecutions).toBe(JOBS_AT_ONCE);
    expect(fn('scheduler').ReservedConcurrentExecutions).toBe(1);
    const jobsMapping = resourcesOf(stateless(), 'AWS::Lambda::EventSourceMapping').find((m) => JSON.stringify(m.Properties.FunctionName).includes('FnjobsFunction'))!;
    expect(jobsMapping.Properties.ParallelizationFactor).toBeLessThanOrEqual(JOBS_AT_ONCE);
    // Every function has a ceiling of its own, so no capability can take what the others need.
    for (const f of resourcesOf(stateless(), 'AWS::Lambda::Function').filter((f) => /^Fn.+Function[0-9A-F]{8}$/.test(f.id))) {
      expect(f.Properties.ReservedConcurrentExecutions, f.id).toBeGreaterThan(0);
    }
    // Lambda keeps at least 100 of the account's default 1,000 unreserved.
    const reserved = resourcesOf(stateless(), 'AWS::Lambda::Function').reduce((sum, f) => sum + (f.Properties.ReservedConcurrentExecutions ?? 0), 0);
    expect(reserved).toBeLessThanOrEqual(900);
  });
});
