import { randomBytes } from 'node:crypto';
import { BatchWriteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { mailTo, rawTable, useStackEnv } from '../../scripts/test-support/api.ts';

// sendDigests runs here, in the test process, against the shared emulators, as the scheduler calls it.
let digest: typeof import('./digest.ts');
let mail: typeof import('../lib/mail.ts');

beforeAll(async () => {
  useStackEnv({ SIGNING_SECRET: process.env.SIGNING_SECRET ?? randomBytes(32).toString('base64url'), SES_RATE_PER_SECOND: '1000' });
  [digest, mail] = await Promise.all([import('./digest.ts'), import('../lib/mail.ts')]);
});

const PEOPLE = 150;

/** People with a daily digest due a minute ago and one unread notification each, written straight to the table. */
async function duePeople(count: number) {
  const run = randomBytes(4).toString('hex');
  const now = new Date().toISOString();
  const due = new Date(Date.now() - 60_000).toISOString();
  const people = Array.from({ length: count }, (_, i) => ({ userId: `d${run}${String(i).padStart(6, '0')}`.padEnd(22, '0'), email: `digest-${run}-${i}@example.org` }));
  const items = people.flatMap(({ userId, email }) => [
    { pk: `user#${userId}`, sk: 'profile', type: 'user', userId, email, createdAt: now, updatedAt: now },
    { pk: `user#${userId}`, sk: 'emailprefs', type: 'emailPreferences', userId, defaultVolume: 'normal', digest: 'daily', timeZone: 'UTC', updatedAt: now, gsi2pk: 'due', gsi2sk: `${due}#digest#${userId}`, dueKind: 'digest' },
    {
      pk: `user#${userId}`, sk: `notification#${now}#n1`, type: 'notification', id: 'n1', eventKind: 'CommentCreated', category: 'discussions',
      title: 'Ada commented on Budget', url: 'http://localhost/discussions/x', actorName: 'Ada', groupId: 'g1', groupName: 'Allotment Society', createdAt: now, expiresAt: Math.floor(Date.now() / 1000) + 86_400,
    },
  ]);
  for (let i = 0; i < items.length; i += 25) {
    await rawTable().send(new BatchWriteCommand({ RequestItems: { [inject('tableName')]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  const dues = people.map(({ userId }) => ({ pk: `user#${userId}`, sk: 'emailprefs', dueKind: 'digest', gsi2sk: `${due}#digest#${userId}` }));
  return { people, dues };
}

const digestsTo = async (email: string) => (await mailTo(email)).filter((e) => e.subject.includes('unread notification'));
const prefsOf = async (userId: string) => (await rawTable().send(new GetCommand({ TableName: inject('tableName'), Key: { pk: `user#${userId}`, sk: 'emailprefs' } }))).Item!;

describe('digests for many people at once', () => {
  it(`sends each of ${PEOPLE} people one digest across repeated sweeps, skipping a suppressed address and preferences changed meanwhile`, async () => {
    // Prepare
    const { people, dues } = await duePeople(PEOPLE);
    const suppressed = people[7]!;
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { ...mail.suppressionKey(suppressed.email), type: 'suppression', reason: 'bounce', at: new Date().toISOString(), detail: 'Permanent' } }));
    const changed = people[42]!;
    const changedDue = `${new Date(Date.now() + 86_400_000).toISOString()}#digest#${changed.userId}`;
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { ...(await prefsOf(changed.userId)), gsi2sk: changedDue } }));

    // Act: the same sweep twice, as a retried scheduler tick would run it.
    const first = await digest.sendDigests(dues);
    const second = await digest.sendDigests(dues);

    // Assess
    expect(first).toEqual({ sent: PEOPLE - 2, failed: undefined });
    expect(second).toEqual({ sent: 0, failed: undefined });
    for (const person of people) {
      const expected = person === suppressed || person === changed ? 0 : 1;
      expect(await digestsTo(person.email), person.email).toHaveLength(expected);
    }
    const [sample] = await digestsTo(people[0]!.email);
    expect(sample!.body.text).toContain('Allotment Society');
    expect(sample!.body.text).toContain('- Ada commented on Budget: http://localhost/discussions/x');
    for (const person of people) {
      const prefs = await prefsOf(person.userId);
      if (person === changed) expect(prefs.gsi2sk).toBe(changedDue);
      else expect(Date.parse(String(prefs.gsi2sk).split('#')[0]!)).toBeGreaterThan(Date.now());
    }
  });

  it('claims each digest once when someone was claimed by an earlier, interrupted sweep', async () => {
    // Prepare: person 3's marker exists already, as if a sweep sent it and stopped before rescheduling.
    const { people, dues } = await duePeople(5);
    const dueAt = dues[3]!.gsi2sk.split('#')[0]!;
    await rawTable().send(new PutCommand({ TableName: inject('tableName'), Item: { pk: `sent#${dueAt}`, sk: `digest#${people[3]!.userId}`, type: 'sentMarker', at: new Date().toISOString(), expiresAt: Math.floor(Date.now() / 1000) + 86_400 } }));

    // Act
    const result = await digest.sendDigests(dues);

    // Assess
    expect(result.sent).toBe(4);
    expect(await digestsTo(people[3]!.email)).toHaveLength(0);
    for (const i of [0, 1, 2, 4]) expect(await digestsTo(people[i]!.email)).toHaveLength(1);
    expect(Date.parse(String((await prefsOf(people[3]!.userId)).gsi2sk).split('#')[0]!)).toBeGreaterThan(Date.now());
  });
});
