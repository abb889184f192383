// Digest benchmark: `npm run bench -- digests`. 10,000 people with a daily digest due now and
// three unread notifications each, twice over on one in-memory local stack: first one person at a
// time (`sendDigest` per due item, the way the scheduler ran digests before batching), then the
// scheduler's own sweep, which hands the page to `sendDigests`. Prints both times, their ratio
// (target: the sweep in under a third of the time), DynamoDB requests per person, and whether the
// two runs sent the same emails. Asserts nothing.
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { startStack } from '../local/stack.ts';

const N = Number(process.env.BENCH_DIGESTS ?? 10_000);

export async function main(): Promise<void> {
  console.log('## Digests');
  process.env.SES_RATE_PER_SECOND ??= '2000';
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  try {
    const { batchPut } = await import('../../functions/lib/db.ts');
    const { withDbUsage } = await import('../../functions/lib/clients.ts');
    const { sendDigest } = await import('../../functions/notifications/digest.ts');
    const scheduler = await import('../../functions/workers/scheduler-handler.ts');
    const run = randomBytes(3).toString('hex');
    const now = new Date().toISOString();
    const due = new Date(Date.now() - 1000).toISOString();

    /** People `label-0` … `label-N`, each due now with three unread notifications from two groups. */
    const seed = async (label: string) => {
      const userId = (i: number) => `${label}${run}${String(i).padStart(8, '0')}`.padEnd(22, '0');
      const people = Array.from({ length: N }, (_, i) => i);
      await batchPut(people.flatMap((i) => [
        { pk: `user#${userId(i)}`, sk: 'profile', type: 'user', userId: userId(i), email: `digest-${label}-${run}-${i}@example.org`, createdAt: now, updatedAt: now },
        {
          pk: `user#${userId(i)}`, sk: 'emailprefs', type: 'emailPreferences', userId: userId(i), defaultVolume: 'normal', digest: 'daily', timeZone: 'UTC', updatedAt: now,
          gsi2pk: 'due', gsi2sk: `${due}#digest#${userId(i)}`, dueKind: 'digest',
        },
        ...[1, 2, 3].map((n) => ({
          pk: `user#${userId(i)}`, sk: `notification#${now}#bench${n}`, type: 'notification', id: `bench${n}`, eventKind: 'CommentCreated', category: 'discussions',
          title: `Someone commented on thread ${n}`, url: `http://localhost/discussions/thread${n}`, actorName: 'Someone', groupId: `group${n % 2}`, groupName: `Group ${n % 2}`,
          createdAt: now, expiresAt: Math.floor(Date.now() / 1000) + 86_400,
        })),
      ]));
      return people.map((i) => ({ pk: `user#${userId(i)}`, sk: 'emailprefs', dueKind: 'digest', gsi2sk: `${due}#digest#${userId(i)}` }));
    };

    const oneByOne = await seed('a');
    const started = performance.now();
    const before = await withDbUsage(async () => {
      let sent = 0;
      for (const item of oneByOne) if ((await sendDigest(item)).sent) sent++;
      return sent;
    });
    const beforeSeconds = (performance.now() - started) / 1000;

    // Each run starts with an empty mailbox, so the emulator's growing store weighs on neither.
    const oneByOneEmails = await sentEmails(stack.mailUrl, run);
    await fetch(`${stack.mailUrl}/clear-store`, { method: 'POST' });

    await seed('b');
    const sweepStarted = performance.now();
    const after = await withDbUsage(() => scheduler.handler());
    const afterSeconds = (performance.now() - sweepStarted) / 1000;

    const sweepEmails = await sentEmails(stack.mailUrl, run);
    const same = compare(oneByOneEmails, sweepEmails);
    console.log(`one person at a time, ${N} people: ${beforeSeconds.toFixed(1)} s, ${before.result} digests sent, ${(before.usage.requests / N).toFixed(2)} DynamoDB requests and ${(before.usage.capacityUnits / N).toFixed(2)} capacity units per person`);
    console.log(`scheduler sweep (sendDigests), ${N} people: ${afterSeconds.toFixed(1)} s, ${after.result.ran} due items run, ${(after.usage.requests / N).toFixed(2)} DynamoDB requests and ${(after.usage.capacityUnits / N).toFixed(2)} capacity units per person`);
    console.log(`  the sweep takes ${(afterSeconds / beforeSeconds).toFixed(2)} of the one-by-one time (target < 0.33); ${same}`);
  } finally {
    await stack.stop();
  }
}

/** What a run sent, each email with the person's address and unsubscribe token blanked out, counted. */
async function sentEmails(mailUrl: string, run: string): Promise<Map<string, number>> {
  const store = (await (await fetch(`${mailUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; subject: string; body: { text?: string; html?: string } }> };
  const sent = new Map<string, number>();
  for (const email of store.emails) {
    if (!email.destination.to.some((to) => to.includes(`-${run}-`))) continue;
    const normal = [email.subject, email.body.text ?? '', email.body.html ?? '']
      .join('\n')
      .replace(/token=[A-Za-z0-9_.-]+/g, 'token=…')
      .replace(/digest-[ab]-[0-9a-f]+-[0-9]+@example\.org/g, 'someone@example.org');
    sent.set(normal, (sent.get(normal) ?? 0) + 1);
  }
  return sent;
}

function compare(oneByOne: Map<string, number>, sweep: Map<string, number>): string {
  const count = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
  const same = oneByOne.size === sweep.size && [...oneByOne].every(([email, n]) => sweep.get(email) === n);
  return same
    ? `same emails in both runs (${count(oneByOne)} each, ${oneByOne.size} distinct once addresses and tokens are blanked)`
    : `EMAILS DIFFER: ${count(oneByOne)} one by one, ${count(sweep)} in the sweep`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
