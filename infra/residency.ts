// Where a deployment's infrastructure may name anything outside its own account and region: the one
// allow-list the residency check (infra/residency.test.ts) enforces. Each entry mirrors a line of the
// README's "Where data lives" section, and the test checks the README names every entry's service.
import type { Deployment, StackKind } from './deployments.ts';

/** Services with no region of their own: an ARN of theirs names no region (`arn:aws:iam::…`). */
export const GLOBAL_SERVICES = ['cloudfront', 'iam', 'route53', 'sts'] as const;

export interface OutOfRegionPath {
  /** As the README's "Where data lives" section names it. */
  service: string;
  region: string;
  /** Stacks of the deployment that may live in `region`. */
  stacks: StackKind[];
  /** ARN services whose ARNs may name `region` from any of the deployment's stacks. */
  arnServices: string[];
  /** Template paths (dot-joined, ending with) where `region` may appear as a bare literal. */
  literalAt: string[];
  /** What goes there, and why it cannot stay at home. */
  why: string;
}

/** us-east-1 holds what CloudFront insists on; CloudFront itself is global (edge locations everywhere). */
const CLOUDFRONT_REGION = 'us-east-1';

export function outOfRegionPaths(deployment: Deployment): OutOfRegionPath[] {
  const paths: OutOfRegionPath[] = [
    {
      service: 'CloudFront viewer certificate (ACM)',
      region: CLOUDFRONT_REGION,
      stacks: [],
      arnServices: ['acm'],
      literalAt: [],
      why: 'CloudFront accepts certificates only from us-east-1; it holds the public certificate and its private key, no personal data.',
    },
    {
      service: 'AWS WAF web ACL (CloudFront scope)',
      region: CLOUDFRONT_REGION,
      stacks: ['Edge'],
      arnServices: ['wafv2'],
      literalAt: [],
      why: 'A web ACL for CloudFront must be made in us-east-1 (the Moot-<Id>-Edge stack); it holds rules only. Requests are inspected at the edge location that receives them; no WAF log or sampled request is kept.',
    },
  ];
  if (deployment.mailRegion && deployment.mailRegion !== deployment.region) {
    paths.push({
      service: 'Amazon SES sending and its feedback topic (SNS)',
      region: deployment.mailRegion,
      stacks: ['Mail'],
      arnServices: ['ses', 'sns'],
      literalAt: ['Environment.Variables.SES_REGION', 'AWS::SNS::Subscription.Region'],
      why: 'SES is not offered in the deployment region. Outgoing mail (recipient, subject, body) transits the mail region on its way out; bounce and complaint notices transit its SNS topic back to the deployment region. Neither is kept there: no SES suppression list, no topic archive.',
    });
  }
  const copy = deployment.backupCopyRegion;
  if (copy && copy !== deployment.region) {
    paths.push({
      service: 'AWS Backup copy vault',
      region: copy,
      stacks: ['BackupCopy'],
      arnServices: ['backup'],
      literalAt: [],
      why: 'The second copy of each backup, in another region of the same jurisdiction, so one region\'s loss keeps the data.',
    });
  }
  return paths;
}
