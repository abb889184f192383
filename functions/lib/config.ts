/**
 * Deployment settings, read once per cold start from the environment. The CDK stack sets
 * these in the cloud; the local stack sets them for `npm start` and the tests.
 */
function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : value;
}

export const config = {
  deploymentId: optional('DEPLOYMENT_ID') ?? 'local',
  brandName: optional('BRAND_NAME') ?? 'Moot',
  /** The deployment's brand colours for email (infra/brand.ts); Moot's own without them. */
  brandColours: { primary: '#1d5a85', primaryContrast: '#ffffff', ...(JSON.parse(optional('BRAND_COLOURS') ?? '{}') as { primary?: string; primaryContrast?: string }) },
  appUrl: (optional('APP_URL') ?? 'http://localhost:3000').replace(/\/$/, ''),
  tableName: optional('TABLE_NAME') ?? 'moot',
  /** Anonymous ballots and their totals: a table with no stream (SECURITY.md, "Anonymous ballots"). */
  ballotTableName: optional('BALLOT_TABLE_NAME') ?? 'moot-ballots',
  uploadsBucket: optional('UPLOADS_BUCKET') ?? 'moot-uploads',
  exportsBucket: optional('EXPORTS_BUCKET') ?? 'moot-exports',
  /** The sender's address; without a display name of its own, mail comes from the brand's name. */
  mailFrom: optional('MAIL_FROM') ?? 'no-reply@moot.localhost',
  sesConfigurationSet: optional('SES_CONFIGURATION_SET'),
  region: optional('AWS_REGION') ?? 'us-east-1',
  /** SES is not offered in every region (not in Auckland): mail may go through a neighbouring one. */
  sesRegion: optional('SES_REGION') ?? optional('AWS_REGION') ?? 'us-east-1',
  /** Set only by the local stack: the emulators' endpoints. */
  dynamoEndpoint: optional('DYNAMODB_ENDPOINT'),
  sesEndpoint: optional('SES_ENDPOINT'),
  s3Endpoint: optional('S3_ENDPOINT'),
  /** The local stack serves plain http on localhost; the cookie is Secure everywhere else. */
  local: optional('MOOT_LOCAL') === '1',
};
