import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it, inject, vi } from 'vitest';
import { mailTo, rawTable, scanTable, signIn, uniqueEmail, useStackEnv } from './test-support/api.ts';
import { groupWithMembers } from './test-support/groups.ts';

// npm run notify-breach against the shared local stack: the accounts and groups the API made,
// the mail through the SES emulator, and the command itself run as an operator would run it.

// Metrics on, as in the cloud (the local stack turns them off), so the emails' counts can be read.
useStackEnv({ POWERTOOLS_METRICS_DISABLED: 'false' });
const { notifyBreach } = await import('./notify-breach.ts');
const { suppressionKey } = await import('../functions/lib/mail.ts');
const { flushMetrics } = await import('../functions/lib/metrics.ts');

const repo = new URL('..', import.meta.url).pathname;

/** Runs `npm run notify-breach -- <args>` (the script itself, with Node 24) against the stack. */
function cli(args: string[]) {
  const run = spawnSync(join(repo, 'node_modules/.bin/node'), [join(repo, 'scripts/notify-breach.ts'), ...args], { cwd: repo, env: { ...process.env }, encoding: 'utf8' });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

const notice = { subject: 'A security incident on Moot', message: 'On 1 December someone read the group list.\n\nChange nothing; we have closed the hole.' };

const suppress = (email: string) =>
  rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { ...suppressionKey(email), type: 'suppression', reason: 'bounce', at: new Date().toISOString(), detail: 'Permanent' } }));
const deactivate = (userId: string) =>
  rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: `user#${userId}`, sk: 'profile' }, UpdateExpression: 'SET deactivatedAt = :now', ExpressionAttributeValues: { ':now': new Date().toISOString() } }));
const noticesTo = async (email: string) => (await mailTo(email)).filter((m) => m.subject === notice.subject);

let team: Awaited<ReturnType<typeof groupWithMembers>>;
beforeAll(async () => {
  team = await groupWithMembers(3);
});

describe('npm run notify-breach', () => {
  it('refuses to run without an explicit scope, and sends nothing', async () => {
    const run = cli(['--subject', notice.subject, '--message', notice.message, '--dry-run']);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('Choose whom to notify');
    expect(await noticesTo(team.admin.email)).toEqual([]);
  });

  it('refuses to send without the count of a dry run', () => {
    const run = cli(['--group', team.group.handle, '--subject', notice.subject, '--message', notice.message]);

    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--dry-run first');
  });

  it('counts a group in a dry run, prints no address and sends nothing', async () => {
    const run = cli(['--group', team.group.handle, '--subject', notice.subject, '--message', notice.message, '--dry-run']);

    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Dry run: 4 recipients');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/@|example\.org/);
    for (const person of [team.admin, ...team.members]) expect(await noticesTo(person.email)).toEqual([]);
  });

  it("emails a group's members through the normal mail path, skipping a suppressed address and a deactivated account", async () => {
    // Prepare
    const [bounced, deactivated, reached] = team.members;
    await suppress(bounced!.email);
    await deactivate(deactivated!.userId);
    const messageFile = join(mkdtempSync(join(tmpdir(), 'moot-notice-')), 'notice.txt');
    writeFileSync(messageFile, notice.message);

    // Act
    const dry = cli(['--group', team.group.id, '--subject', notice.subject, '--message-file', messageFile, '--dry-run']);
    const run = cli(['--group', team.group.id, '--subject', notice.subject, '--message-file', messageFile, '--expect', '3']);

    // Assess
    expect(dry.stdout).toContain('Dry run: 3 recipients (skipped: 0 deleted, 1 deactivated, 0 unknown)');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Sent: 2, suppressed: 1, failed: 0, of 3 recipients');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(/@|example\.org/);
    for (const person of [team.admin, reached!]) {
      const [email, ...more] = await noticesTo(person.email);
      expect(more).toEqual([]);
      expect(email!.body.text).toContain('On 1 December someone read the group list.');
      expect(email!.body.text).toContain('whatever your email settings are');
      expect(email!.body.html).toContain('<p style="white-space:pre-wrap">Change nothing; we have closed the hole.</p>');
    }
    expect(await noticesTo(bounced!.email)).toEqual([]);
    expect(await noticesTo(deactivated!.email)).toEqual([]);
  });

  it('counts each email sent and each suppressed address as a metric, through the same mail path', async () => {
    const [person, bounced] = [await signIn(uniqueEmail('counted')), await signIn(uniqueEmail('counted'))];
    await suppress(bounced.email);
    flushMetrics();
    const written: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (written.push(String(chunk)), true));

    try {
      await notifyBreach({ scope: { kind: 'users', userIds: [person.userId, bounced.userId] }, ...notice, dryRun: false, includeDeactivated: false, expect: 2 });
      flushMetrics();
    } finally {
      spy.mockRestore();
    }

    const emf = written.flatMap((chunk) => chunk.split('\n')).filter((line) => line.includes('"_aws"')).map((line) => JSON.parse(line));
    expect(emf).toEqual([expect.objectContaining({ EmailSent: 1, EmailSuppressed: 1, service: 'moot' })]);
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Moot');
  });

  it('sends nothing when the scope no longer holds the expected count', async () => {
    const person = await signIn(uniqueEmail('changed'));

    await expect(notifyBreach({ scope: { kind: 'users', userIds: [person.userId] }, ...notice, dryRun: false, includeDeactivated: false, expect: 2 })).rejects.toThrow('holds 1 recipients, not the 2 expected');

    expect(await noticesTo(person.email)).toEqual([]);
  });

  it('emails named accounts, counting ids that are no account, and a deactivated one only when asked', async () => {
    const [one, two] = [await signIn(uniqueEmail('named')), await signIn(uniqueEmail('named'))];
    await deactivate(two.userId);
    const scope = { kind: 'users' as const, userIds: [one.userId, two.userId, 'no-such-user'] };

    const result = await notifyBreach({ scope, ...notice, dryRun: false, includeDeactivated: true, expect: 2 });

    expect(result).toEqual({ recipients: 2, skipped: { deleted: 0, deactivated: 0, unknown: 1 }, sent: 2, suppressed: 0, failed: 0 });
    expect(await noticesTo(one.email)).toHaveLength(1);
    expect(await noticesTo(two.email)).toHaveLength(1);
  });

  it('counts everyone on the deployment with an address in a dry run of the whole deployment', async () => {
    const profiles = (await scanTable()).filter((item) => item.type === 'user' && item.sk === 'profile');
    const live = profiles.filter((p) => !p.deletedAt && p.email);

    const result = await notifyBreach({ scope: { kind: 'deployment' }, ...notice, dryRun: true, includeDeactivated: false });

    expect(result.recipients).toBe(live.filter((p) => !p.deactivatedAt).length);
    expect(result.skipped.deactivated).toBe(live.filter((p) => p.deactivatedAt).length);
    expect(result.recipients).toBeGreaterThan(0);
    expect(result.sent).toBe(0);
  });
});
