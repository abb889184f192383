// Every place Moot runs, as data. The CDK app makes two stacks (stateful, stateless) per entry and
// nothing else varies by deployment except what is written here or derived from `profile`.
//
// A private host is one more entry with its own account, domain and branding, e.g.:
//
//   {
//     id: 'Acme', account: '555555555555', region: 'eu-west-2', domain: 'decide.acme.example',
//     certificateArn: 'arn:aws:acm:us-east-1:555555555555:certificate/…',
//     apiCertificateArn: 'arn:aws:acm:eu-west-2:555555555555:certificate/…',
//     profile: 'saas', sesRatePerSecond: 1, invitationsPerInviterPerDay: 100,
//     branding: { name: 'Acme Decides', logoPath: 'brands/acme.svg',
//                 colours: { light: { primary: '#0b3d91', primaryHover: '#082d6b', primaryContrast: '#ffffff' },
//                            dark: { primary: '#9cc0f5', primaryHover: '#c2d9fa', primaryContrast: '#0a1a33' } } },
//   },

export type Profile = 'saas' | 'government';

/** The `--brand-*` design tokens of one colour scheme (frontend/src/app.css). */
export interface BrandColours {
  /** Buttons, links and checked controls. */
  primary: string;
  primaryHover: string;
  /** Text on `primary` and `primaryHover`. */
  primaryContrast: string;
}

/**
 * What a deployment looks like: its name (page titles, the header, email sender and header) and
 * colours, served beside its web app as brand.css and brand.json (infra/brand.ts). Contrast is
 * checked against WCAG AA in both schemes by infra/brand.test.ts.
 */
export interface Branding {
  name: string;
  /** A wordmark SVG, relative to frontend/ (e.g. `brands/acme.svg`), shown in place of the Moot mark and name. */
  logoPath?: string;
  colours: { light: BrandColours; dark: BrandColours };
}

export interface Deployment {
  /** Short, stable and PascalCase: it becomes part of stack names and physical resource names. */
  id: string;
  account: string;
  region: string;
  domain: string;
  /**
   * ACM certificate for `domain`. CloudFront only accepts certificates from us-east-1, so it is
   * issued out of band (DNS validation) and referenced here, which keeps synth offline.
   */
  certificateArn: string;
  /**
   * Regional ACM certificate (in `region`) for the API's own name, `api-origin.<domain>`, the only
   * way CloudFront reaches the API: its default execute-api endpoint is off. Issued out of band like
   * `certificateArn`; the DNS record for that name points at the stack's `ApiOriginTarget` output.
   */
  apiCertificateArn: string;
  profile: Profile;
  /**
   * Where SES sends from, when SES is not offered in `region`. The mail resources then go in a
   * third stack, `Moot-<Id>-Mail`, in that region of the same account.
   */
  mailRegion?: string;
  /**
   * A second region in the same jurisdiction for the copy of every backup (`Moot-<Id>-BackupCopy`),
   * or none where the jurisdiction has one region only (README, "Where data lives").
   */
  backupCopyRegion?: string;
  branding: Branding;
  /** The account's SES sending rate; the mail sender paces itself to it. */
  sesRatePerSecond: number;
  invitationsPerInviterPerDay: number;
  /**
   * The deployments (by id) whose signed group archives this one trusts to keep identities: people
   * matched to accounts by email, as in a move from the US service to the EU one. Its own archives
   * are always trusted; an archive from anywhere else imports its people as unclaimed placeholders.
   */
  trusts: string[];
  /**
   * The Ed25519 public keys (raw, base64url) this deployment signs group archives with, as published
   * at https://<domain>/.well-known/moot-archive-keys.json after its first deploy (the key follows
   * from a secret generated then). Deployments that trust it get these as TRUSTED_ARCHIVE_KEYS;
   * until they are written here, nobody else keeps identities from its archives.
   */
  archiveKeys: string[];
}

const mootBranding: Branding = {
  name: 'Moot',
  colours: {
    light: { primary: '#1d5a85', primaryHover: '#16486b', primaryContrast: '#ffffff' },
    dark: { primary: '#8cc8f2', primaryHover: '#b3dbf7', primaryContrast: '#0b1d2a' },
  },
};

const DEFAULT_INVITATIONS_PER_DAY = 500;
/** The SaaS deployments trust one another's archives: moving a group between regions keeps its people. */
const SAAS = ['Us', 'Eu', 'Au'];

export const deployments: Deployment[] = [
  {
    id: 'Us',
    account: '111111111111',
    region: 'us-east-1',
    backupCopyRegion: 'us-west-2',
    domain: 'us.moot.example',
    certificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000001',
    apiCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/00000000-0000-4000-8000-000000000011',
    profile: 'saas',
    branding: mootBranding,
    sesRatePerSecond: 14,
    invitationsPerInviterPerDay: DEFAULT_INVITATIONS_PER_DAY,
    trusts: SAAS,
    archiveKeys: [],
  },
  {
    id: 'Eu',
    account: '222222222222',
    region: 'eu-central-1',
    backupCopyRegion: 'eu-west-1',
    domain: 'eu.moot.example',
    certificateArn: 'arn:aws:acm:us-east-1:222222222222:certificate/00000000-0000-4000-8000-000000000002',
    apiCertificateArn: 'arn:aws:acm:eu-central-1:222222222222:certificate/00000000-0000-4000-8000-000000000012',
    profile: 'saas',
    branding: mootBranding,
    sesRatePerSecond: 14,
    invitationsPerInviterPerDay: DEFAULT_INVITATIONS_PER_DAY,
    trusts: SAAS,
    archiveKeys: [],
  },
  {
    id: 'Au',
    account: '333333333333',
    region: 'ap-southeast-2',
    // Melbourne: the other Australian region.
    backupCopyRegion: 'ap-southeast-4',
    domain: 'au.moot.example',
    certificateArn: 'arn:aws:acm:us-east-1:333333333333:certificate/00000000-0000-4000-8000-000000000003',
    apiCertificateArn: 'arn:aws:acm:ap-southeast-2:333333333333:certificate/00000000-0000-4000-8000-000000000013',
    profile: 'saas',
    branding: mootBranding,
    sesRatePerSecond: 14,
    invitationsPerInviterPerDay: DEFAULT_INVITATIONS_PER_DAY,
    trusts: SAAS,
    archiveKeys: [],
  },
  {
    // Its own account (and AWS Organizations OU in practice): nothing here is shared with SaaS.
    id: 'NzGov',
    account: '444444444444',
    region: 'ap-southeast-6',
    // No backupCopyRegion: New Zealand has one AWS region, and its backups may not leave it.
    domain: 'moot.govt.example.nz',
    certificateArn: 'arn:aws:acm:us-east-1:444444444444:certificate/00000000-0000-4000-8000-000000000004',
    apiCertificateArn: 'arn:aws:acm:ap-southeast-6:444444444444:certificate/00000000-0000-4000-8000-000000000014',
    profile: 'government',
    // SES is not offered in Auckland: the SES endpoints list (AWS General Reference, "Amazon Simple
    // Email Service endpoints and quotas", checked 2026-12-06) has no ap-southeast-6, and
    // CloudFormation there has no AWS::SES::* types. So mail is sent from Sydney, in this isolated
    // account, and nothing about recipients is kept there (README, "Where data lives").
    mailRegion: 'ap-southeast-2',
    branding: {
      name: 'Moot for Government',
      logoPath: 'brands/nz-gov.svg',
      colours: {
        light: { primary: '#00304b', primaryHover: '#001d2e', primaryContrast: '#ffffff' },
        dark: { primary: '#7fd1c4', primaryHover: '#a9e2d9', primaryContrast: '#00261f' },
      },
    },
    sesRatePerSecond: 1,
    invitationsPerInviterPerDay: DEFAULT_INVITATIONS_PER_DAY,
    // Isolated: an archive from anywhere else, SaaS included, brings placeholders, never accounts.
    trusts: [],
    archiveKeys: [],
  },
];

/**
 * The archive keys a deployment's importer trusts besides its own (TRUSTED_ARCHIVE_KEYS): those of
 * the deployments it lists in `trusts`. A name in `trusts` that is no deployment is a mistake.
 */
export function trustedArchiveKeys(deployment: Deployment): Array<{ deployment: string; publicKey: string }> {
  return deployment.trusts
    .filter((id) => id !== deployment.id)
    .flatMap((id) => {
      const trusted = deployments.find((d) => d.id === id);
      if (!trusted) throw new Error(`${deployment.id} trusts "${id}", which is not a deployment`);
      return trusted.archiveKeys.map((publicKey) => ({ deployment: id, publicKey }));
    });
}

export interface ProfileSettings {
  /**
   * Customer-managed KMS keys (rotated yearly) for the table, buckets, queues, topics and log
   * groups. Without them the table uses the AWS-owned/managed key and buckets SSE-S3.
   */
  customerManagedKeys: boolean;
  /** CloudWatch log groups, API access logs and the access-log buckets. */
  logRetentionDays: number;
  /** Old object versions are personal data too; deleting must really delete. */
  noncurrentVersionDays: number;
  /** A finished export waits this long for its owner to download it. */
  exportRetentionDays: number;
  /**
   * AWS Backup, in every profile: daily recovery points kept `dailyDays`, monthly ones kept
   * `monthlyDays`, copied to the `backupCopyRegion` vault where there is one. `vaultLock`: the
   * vaults are locked (compliance mode), so nobody, root included, can shorten or delete them.
   */
  backup: { dailyDays: number; monthlyDays: number; vaultLock: boolean };
}

/**
 * The compliance differences between profiles, in one place.
 *
 * Government keeps audit logs for two years (typical public-sector record keeping) where SaaS keeps
 * 90 days, holds copies of personal data for less time (old versions 7 days instead of 30, exports
 * 3 days instead of 7), encrypts everything with its own keys, and locks its backup vaults.
 */
export function profileSettings(profile: Profile): ProfileSettings {
  switch (profile) {
    case 'saas':
      return {
        customerManagedKeys: false,
        logRetentionDays: 90,
        noncurrentVersionDays: 30,
        exportRetentionDays: 7,
        backup: { dailyDays: 35, monthlyDays: 365, vaultLock: false },
      };
    case 'government':
      return {
        customerManagedKeys: true,
        logRetentionDays: 731,
        noncurrentVersionDays: 7,
        exportRetentionDays: 3,
        backup: { dailyDays: 35, monthlyDays: 365, vaultLock: true },
      };
  }
}

/** The name CloudFront uses to reach the API (never published to people). */
export const apiOriginDomain = (deployment: Deployment) => `api-origin.${deployment.domain}`;

/** The stacks a deployment may have; `Moot-<Id>-<kind>` (infra/moot-app.ts says which it has). */
export type StackKind = 'Stateful' | 'Stateless' | 'Mail' | 'Edge' | 'BackupCopy';

/** `Moot-<Id>-Stateful`, `Moot-<Id>-Stateless` and, where SES is elsewhere, `Moot-<Id>-Mail`. */
export function stackName(deployment: Deployment, kind: StackKind): string {
  return `Moot-${deployment.id}-${kind}`;
}

/**
 * Physical names that must be known without a cross-stack reference (so IAM statements and
 * their cdk-nag acknowledgements can name them). Bucket names are global, hence account + region.
 */
export function physicalNames(deployment: Deployment) {
  const slug = deployment.id.toLowerCase();
  const suffix = `${deployment.account}-${deployment.region}`;
  return {
    table: `moot-${slug}`,
    /** Anonymous ballots and their running totals: no stream, no point-in-time log (SECURITY.md, "Anonymous ballots"). */
    ballotTable: `moot-${slug}-ballots`,
    uploadsBucket: `moot-${slug}-uploads-${suffix}`,
    exportsBucket: `moot-${slug}-exports-${suffix}`,
    backupVault: `moot-${slug}`,
    /** In `backupCopyRegion`, where the deployment has one. */
    backupCopyVault: `moot-${slug}-copy`,
  };
}
