// npm run notify-breach: tells the people a security incident affected, by email, through the same
// mail path as every other Moot email (suppressed addresses get nothing). docs/incident-response.md
// says when and how to use it. It prints counts, never an address.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Whom to tell: everyone on the deployment, one group's members, or named accounts. Never implied. */
export type BreachScope = { kind: 'deployment' } | { kind: 'group'; group: string } | { kind: 'users'; userIds: string[] };

export interface BreachNotice {
  scope: BreachScope;
  subject: string;
  /** Plain text; blank lines separate paragraphs. */
  message: string;
  /** Count the recipients and send nothing. */
  dryRun: boolean;
  /**
   * Deactivated accounts were promised no email; include them only where the law requires telling
   * them (docs/incident-response.md).
   */
  includeDeactivated: boolean;
  /** For a real send: the recipient count the dry run printed. A different count sends nothing. */
  expect?: number;
}

export interface BreachResult {
  recipients: number;
  skipped: { deleted: number; deactivated: number; unknown: number };
  sent: number;
  suppressed: number;
  failed: number;
}

export class UsageError extends Error {}

const USAGE = `Usage: npm run notify-breach -- <scope> --subject <text> (--message <text> | --message-file <path>) [--dry-run | --expect <count>] [--include-deactivated] [--deployment <id>]
  scope, exactly one of:
    --all                      everyone with an account on this deployment
    --group <id or handle>     the group's current members
    --users <id,id,…>          these accounts (or --users-file <path>, one id a line)
  --dry-run                    count the recipients and send nothing
  --expect <count>             send, if the recipients still number <count> (the dry run's count)
  --deployment <id>            read the table and mail settings of this deployment in infra/deployments.ts`;

/** Reads the command line; anything unclear is a UsageError, so nothing is sent by mistake. */
export function parseArgs(argv: string[]): BreachNotice & { deployment?: string } {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const valued = new Set(['--group', '--users', '--users-file', '--subject', '--message', '--message-file', '--expect', '--deployment']);
  const bare = new Set(['--all', '--dry-run', '--include-deactivated']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (bare.has(arg)) flags.add(arg);
    else if (valued.has(arg)) {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${arg} needs a value.`);
      values.set(arg, value);
    } else throw new UsageError(`Unknown argument: ${arg}`);
  }
  const scopes = ['--all', '--group', '--users', '--users-file'].filter((s) => flags.has(s) || values.has(s));
  if (scopes.length !== 1) throw new UsageError(scopes.length ? `Choose one scope, not ${scopes.join(' and ')}.` : 'Choose whom to notify: --all, --group or --users. There is no default.');
  const scope: BreachScope = flags.has('--all')
    ? { kind: 'deployment' }
    : values.has('--group')
      ? { kind: 'group', group: values.get('--group')! }
      : { kind: 'users', userIds: splitIds(values.get('--users') ?? readFileSync(values.get('--users-file')!, 'utf8')) };
  if (scope.kind === 'users' && !scope.userIds.length) throw new UsageError('--users names no account.');
  const subject = values.get('--subject')?.trim();
  if (!subject) throw new UsageError('--subject is required.');
  if (values.has('--message') === values.has('--message-file')) throw new UsageError('Give the message once: --message or --message-file.');
  const message = (values.get('--message') ?? readFileSync(values.get('--message-file')!, 'utf8')).trim();
  if (!message) throw new UsageError('The message is empty.');
  const dryRun = flags.has('--dry-run');
  const expectArg = values.get('--expect');
  if (dryRun && expectArg !== undefined) throw new UsageError('--dry-run sends nothing, so it takes no --expect.');
  if (!dryRun && expectArg === undefined) throw new UsageError('Run with --dry-run first, then send with --expect <the count it printed>.');
  const expected = expectArg === undefined ? undefined : Number(expectArg);
  if (expected !== undefined && !(Number.isInteger(expected) && expected >= 0)) throw new UsageError('--expect takes a whole number.');
  return { scope, subject, message, dryRun, includeDeactivated: flags.has('--include-deactivated'), expect: expected, deployment: values.get('--deployment') };
}

const splitIds = (text: string) => [...new Set(text.split(/[\s,]+/).filter(Boolean))];

interface Account {
  userId: string;
  email?: string;
  deletedAt?: string;
  deactivatedAt?: string;
}

/** The accounts in scope, each once (profiles read from the table, not the copies on memberships). */
async function accountsIn(scope: BreachScope): Promise<{ accounts: Account[]; unknown: number }> {
  const { ScanCommand } = await import('@aws-sdk/lib-dynamodb');
  const { db } = await import('../functions/lib/clients.ts');
  const { config } = await import('../functions/lib/config.ts');
  const { get } = await import('../functions/lib/db.ts');
  const { keys } = await import('../functions/lib/entities.ts');
  const { batchRead, membersOf } = await import('../functions/notifications/spec.ts');
  const { groupKeys } = await import('../functions/groups/store.ts');

  const profiles = async (userIds: string[]) => {
    const found = await batchRead<Account>(userIds.map((id) => keys.user(id)));
    const accounts = userIds.map((id) => found.get(`${keys.user(id).pk}|${keys.user(id).sk}`)).filter((a): a is Account => a !== undefined);
    return { accounts, unknown: userIds.length - accounts.length };
  };

  switch (scope.kind) {
    case 'deployment': {
      // No index lists every account; an incident is rare enough for one paged scan of the table.
      const accounts: Account[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName: config.tableName,
            FilterExpression: '#type = :user AND sk = :profile',
            ProjectionExpression: 'userId, email, deletedAt, deactivatedAt',
            ExpressionAttributeNames: { '#type': 'type' },
            ExpressionAttributeValues: { ':user': 'user', ':profile': 'profile' },
            ExclusiveStartKey: start,
          }),
        );
        accounts.push(...((page.Items ?? []) as Account[]));
        start = page.LastEvaluatedKey;
      } while (start);
      return { accounts, unknown: 0 };
    }
    case 'group': {
      const byId = await get<{ groupId: string }>(groupKeys.group(scope.group));
      const byHandle = byId ? null : await get<{ groupId: string }>(groupKeys.handle(scope.group.toLowerCase()));
      const groupId = byId?.groupId ?? byHandle?.groupId;
      if (!groupId) throw new UsageError(`No group has the id or handle "${scope.group}".`);
      const userIds: string[] = [];
      for await (const page of membersOf(groupId)) userIds.push(...page.map((m) => m.userId));
      return profiles([...new Set(userIds)]);
    }
    case 'users':
      return profiles(scope.userIds);
  }
}

/** The notice as an email: the operator's words, framed in the deployment's brand. */
async function noticeEmail(to: string, notice: BreachNotice) {
  const { config } = await import('../functions/lib/config.ts');
  const { brandedHtml, escapeHtml } = await import('../functions/lib/mail.ts');
  const why = `You are getting this because you have an account on ${config.brandName} (${config.appUrl}). It is about the security of your data, so it is sent whatever your email settings are.`;
  const paragraphs = notice.message.split(/\n\s*\n/).map((p) => `<p style="white-space:pre-wrap">${escapeHtml(p.trim())}</p>`);
  return {
    to,
    subject: notice.subject,
    text: `${notice.message}\n\n--\n${why}\n`,
    html: brandedHtml(notice.subject, `<h1 style="font-size:20px">${escapeHtml(notice.subject)}</h1>\n${paragraphs.join('\n')}\n<hr style="border:none;border-top:1px solid #dddddd;margin:24px 0">\n<p style="color:#555555;font-size:13px">${escapeHtml(why)}</p>`),
  };
}

/**
 * Counts, and unless it is a dry run sends, the notice to every account in scope that still has
 * an address: deleted accounts have none, deactivated ones only with `includeDeactivated`.
 * Suppressed addresses (bounces, complaints) are skipped by `sendEmail` and counted.
 */
export async function notifyBreach(notice: BreachNotice): Promise<BreachResult> {
  const { sendEmail } = await import('../functions/lib/mail.ts');
  const { logger } = await import('../functions/lib/logger.ts');
  const { accounts, unknown } = await accountsIn(notice.scope);
  const result: BreachResult = { recipients: 0, skipped: { deleted: 0, deactivated: 0, unknown }, sent: 0, suppressed: 0, failed: 0 };
  const recipients: string[] = [];
  for (const account of new Map(accounts.map((a) => [a.userId, a])).values()) {
    if (account.deletedAt || !account.email) result.skipped.deleted++;
    else if (account.deactivatedAt && !notice.includeDeactivated) result.skipped.deactivated++;
    else recipients.push(account.email);
  }
  result.recipients = recipients.length;
  if (notice.dryRun) return result;
  if (notice.expect !== result.recipients) {
    throw new UsageError(`The scope now holds ${result.recipients} recipients, not the ${notice.expect} expected: run --dry-run again and check the scope.`);
  }
  // A few at a time; sendEmail keeps the whole process to the deployment's SES rate.
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(8, recipients.length) }, async () => {
      while (next < recipients.length) {
        const to = recipients[next++]!;
        try {
          const outcome = await sendEmail(await noticeEmail(to, notice));
          if (outcome === 'sent') result.sent++;
          else result.suppressed++;
        } catch {
          result.failed++;
        }
      }
    }),
  );
  logger.info('Breach notice sent', { scope: notice.scope.kind, ...result });
  return result;
}

/** The configuration a deployment's functions get from its stack, for running this from an operator's machine. */
async function deploymentEnvironment(id: string): Promise<Record<string, string>> {
  const { deployments, physicalNames } = await import('../infra/deployments.ts');
  const { emailBrandColours } = await import('../infra/brand.ts');
  const { mailNames } = await import('../infra/constructs/mail.ts');
  const deployment = deployments.find((d) => d.id === id);
  if (!deployment) throw new UsageError(`--deployment ${id} is none of ${deployments.map((d) => d.id).join(', ')}.`);
  const mail = mailNames(deployment);
  return {
    AWS_REGION: deployment.region,
    TABLE_NAME: physicalNames(deployment).table,
    MAIL_FROM: `no-reply@${deployment.domain}`,
    SES_REGION: mail.region,
    SES_CONFIGURATION_SET: mail.configurationSet,
    SES_RATE_PER_SECOND: String(deployment.sesRatePerSecond),
    APP_URL: `https://${deployment.domain}`,
    DEPLOYMENT_ID: deployment.id,
    BRAND_NAME: deployment.branding.name,
    BRAND_COLOURS: emailBrandColours(deployment.branding),
  };
}

export async function main(argv: string[]): Promise<number> {
  let notice: ReturnType<typeof parseArgs>;
  try {
    notice = parseArgs(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  try {
    // The modules read their configuration when they load, so it is set before any is imported.
    if (notice.deployment) Object.assign(process.env, await deploymentEnvironment(notice.deployment));
    process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
    const result = await notifyBreach(notice);
    const skipped = `skipped: ${result.skipped.deleted} deleted, ${result.skipped.deactivated} deactivated, ${result.skipped.unknown} unknown`;
    if (notice.dryRun) console.log(`Dry run: ${result.recipients} recipients (${skipped}). Nothing was sent.`);
    else console.log(`Sent: ${result.sent}, suppressed: ${result.suppressed}, failed: ${result.failed}, of ${result.recipients} recipients (${skipped}).`);
    return result.failed ? 1 : 0;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(error.message);
    return 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = await main(process.argv.slice(2));
