// Notifications benchmark: fan-out of one event to 10,000 recipients (time, peak memory, DynamoDB
// write units per recipient, emails per second against local SES) and the cost of a digest run for
// 10,000 people, on an in-memory local stack. Prints figures; asserts nothing.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';

const N = 10_000;

export async function main(): Promise<void> {
  console.log('## Notifications');
  process.env.SES_RATE_PER_SECOND ??= '2000';
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  try {
    const { batchPut } = await import('../../functions/lib/db.ts');
    const { withDbUsage } = await import('../../functions/lib/clients.ts');
    const { fanOut } = await import('../../functions/notifications/fan-out.ts');
    const { sendDigest } = await import('../../functions/notifications/digest.ts');
    const run = randomBytes(3).toString('hex');
    const groupId = `benchgroup${run}`.padEnd(22, '0');
    const now = new Date().toISOString();
    await batchPut([{ pk: `group#${groupId}`, sk: 'group', type: 'group', groupId, handle: `bench-${run}`, name: 'Bench Co-op', privacy: 'closed', parentId: null, memberCount: N, adminCount: N }]);
    const userId = (i: number) => `b${run}${String(i).padStart(8, '0')}`.padEnd(22, '0');
    const people = Array.from({ length: N }, (_, i) => i);
    await batchPut(people.map((i) => ({
      pk: `group#${groupId}`, sk: `member#${userId(i)}`, type: 'membership', groupId, userId: userId(i), role: 'admin', title: null, name: `Member ${i}`,
      email: `bench-${run}-${i}@example.org`, joinedAt: now, via: 'invitation', gsi1pk: `memberof#${userId(i)}`, gsi1sk: `group#${groupId}`,
      groupName: 'Bench Co-op', groupHandle: `bench-${run}`, groupPrivacy: 'closed', parentId: null,
    })));
    await batchPut([{ pk: `group#${groupId}`, sk: 'request#asker', type: 'membershipRequest', groupId, userId: 'asker', name: 'Asker', email: 'asker@example.org', introduction: null, createdAt: now, status: 'pending' }]);

    // Fan-out: every one of the 10,000 is an admin with normal volume, so each gets a notification and an email.
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const started = performance.now();
    const { result, usage } = await withDbUsage(() =>
      fanOut({ eventId: `${now}#bench${run}`, kind: 'MembershipRequested', at: now, data: { groupId, userId: 'asker' } as never }),
    );
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    console.log(`fan-out to ${N} recipients: ${seconds.toFixed(1)} s, ${result.notified} notifications, ${result.emailed} emails (${(result.emailed / seconds).toFixed(0)} emails/s against local SES at SES_RATE_PER_SECOND=${process.env.SES_RATE_PER_SECOND})`);
    console.log(`  peak RSS +${((peak - baseline) / 1048576).toFixed(0)} MB over the baseline; ${usage.requests} DynamoDB requests, ${(usage.capacityUnits / N).toFixed(2)} capacity units per recipient (reads and writes)`);
    const ops = usage.operations.reduce<Record<string, number>>((acc, op) => ((acc[op] = (acc[op] ?? 0) + 1), acc), {});
    console.log(`  requests by operation: ${Object.entries(ops).map(([op, n]) => `${op.replace('Command', '')} ${n}`).join(', ')}`);

    // Digest: 10,000 people with a daily digest due now, each with that one unread notification.
    const due = new Date(Date.now() - 1000).toISOString();
    await batchPut(people.map((i) => ({
      pk: `user#${userId(i)}`, sk: 'emailprefs', type: 'emailPreferences', userId: userId(i), defaultVolume: 'normal', digest: 'daily', timeZone: 'UTC', updatedAt: now,
      gsi2pk: 'due', gsi2sk: `${due}#digest#${userId(i)}`, dueKind: 'digest',
    })));
    await batchPut(people.map((i) => ({ pk: `user#${userId(i)}`, sk: 'profile', type: 'user', userId: userId(i), email: `bench-${run}-${i}@example.org`, createdAt: now, updatedAt: now })));
    const digestStarted = performance.now();
    const digest = await withDbUsage(async () => {
      let sent = 0;
      for (const i of people) if ((await sendDigest({ pk: `user#${userId(i)}`, sk: 'emailprefs', dueKind: 'digest', gsi2sk: `${due}#digest#${userId(i)}` })).sent) sent++;
      return sent;
    });
    const digestSeconds = (performance.now() - digestStarted) / 1000;
    console.log(`digest run for ${N} people: ${digestSeconds.toFixed(1)} s, ${digest.result} digests sent, ${(digest.usage.requests / N).toFixed(1)} DynamoDB requests and ${(digest.usage.capacityUnits / N).toFixed(2)} capacity units per person`);
  } finally {
    await stack.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
