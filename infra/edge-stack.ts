import { Stack, type StackProps } from 'aws-cdk-lib';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { Deployment } from './deployments.ts';

/** Requests one viewer address may make in five minutes before the edge refuses it for a while. */
export const REQUESTS_PER_CLIENT_PER_5_MINUTES = 2000;

/** Rules of the common rule set that would refuse ordinary Moot content, counted instead of blocked. */
export const COUNTED_COMMON_RULES: Record<string, string> = {
  // API bodies above 8 KB are ordinary: long thread descriptions, proposals, poll options.
  SizeRestrictions_BODY: 'the API limits bodies itself (1 MB), and long texts are ordinary',
  // People write about HTML; Moot stores text and renders markdown with raw HTML off everywhere.
  CrossSiteScripting_BODY: 'markdown is rendered with raw HTML off, so text that looks like a script is only text',
};

const managed = (name: string, priority: number, counted: string[] = []): wafv2.CfnWebACL.RuleProperty => ({
  name,
  priority,
  overrideAction: { none: {} },
  statement: {
    managedRuleGroupStatement: {
      vendorName: 'AWS',
      name,
      ruleActionOverrides: counted.length ? counted.map((rule) => ({ name: rule, actionToUse: { count: {} } })) : undefined,
    },
  },
  // Metrics only: sampled requests would keep viewers' addresses in the console for hours.
  visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: false },
});

/**
 * What CloudFront needs from us-east-1 and nowhere else: the deployment's WAF web ACL (CLOUDFRONT
 * scope). It holds rules only; requests are inspected at the edge location that receives them and
 * no WAF log is kept (each entry would carry the viewer's address).
 */
export class EdgeStack extends Stack {
  readonly webAcl: wafv2.CfnWebACL;

  constructor(scope: Construct, id: string, props: StackProps & { deployment: Deployment }) {
    super(scope, id, props);
    const slug = props.deployment.id.toLowerCase();
    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name: `moot-${slug}`,
      description: `Moot ${props.deployment.id}: managed rules and a per-client rate limit in front of CloudFront`,
      scope: 'CLOUDFRONT',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: `moot-${slug}`, sampledRequestsEnabled: false },
      rules: [
        managed('AWSManagedRulesAmazonIpReputationList', 0),
        {
          name: 'RatePerClient',
          priority: 1,
          action: { block: {} },
          statement: { rateBasedStatement: { aggregateKeyType: 'IP', limit: REQUESTS_PER_CLIENT_PER_5_MINUTES, evaluationWindowSec: 300 } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: 'RatePerClient', sampledRequestsEnabled: false },
        },
        managed('AWSManagedRulesCommonRuleSet', 2, Object.keys(COUNTED_COMMON_RULES)),
        managed('AWSManagedRulesKnownBadInputsRuleSet', 3),
      ],
    });
  }
}
