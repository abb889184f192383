import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, mailTo, rawTable, scanTable, signIn, uniqueEmail, useStackEnv } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, groupWithMembers } from '../../scripts/test-support/groups.ts';

// The stream, scheduler and SES-feedback handlers also run here, in the test process, against the
// same emulators, exactly as the cloud would call them. Their configuration is read on import.
let stream: typeof import('../workers/stream-handler.ts');
let scheduler: typeof import('../workers/scheduler-handler.ts');
let sesEvents: typeof import('./ses-events-handler.ts');
let db: typeof import('../lib/db.ts');
let ops: typeof import('../groups/membership-ops.ts');

beforeAll(async () => {
  useStackEnv({ SIGNING_SECRET: process.env.SIGNING_SECRET ?? randomBytes(32).toString('base64url'), SES_RATE_PER_SECOND: '1000' });
  [stream, scheduler, sesEvents, db, ops] = await Promise.all([
    import('../workers/stream-handler.ts'),
    import('../workers/scheduler-handler.ts'),
    import('./ses-events-handler.ts'),
    import('../lib/db.ts'),
    import('../groups/membership-ops.ts'),
  ]);
});

// Long enough for a stream backlog left by earlier files of the run; it returns as soon as `done` holds.
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 45_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const named = async (name: string) => {
  const person = await signIn();
  await api('PATCH', '/api/me', { cookie: person.cookie, body: { name } });
  return person;
};

/** An approval group with an admin and a named person who asked to join. */
async function requestedGroup(extraAdmins = 0) {
  const { admin, group, members } = await groupWithMembers(extraAdmins, { membershipGranting: 'approval' });
  for (const m of members) {
    const id = `${group.id}.${m.userId}`;
    expect((await api('PATCH', `/api/memberships/${id}`, { cookie: admin.cookie, body: { role: 'admin' } })).status).toBe(200);
  }
  const requester = await named('Rosa Parks');
  expect((await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: requester.cookie, body: { introduction: 'I *cook*. <script>x</script>' } })).status).toBe(201);
  await deliverNow(group.id, 'MembershipRequested');
  return { admin, admins: [admin, ...members], group, requester };
}

/**
 * Delivers a group's events of one kind to the stream worker now, as the poller will: deliveries
 * are exactly once however often a batch comes (tested below), so these tests do not wait on a
 * poller that a full run may have left minutes behind.
 */
async function deliverNow(groupId: string, kind: string): Promise<void> {
  const batch = await streamRecords(groupId, kind);
  expect(batch.Records.length).toBeGreaterThan(0);
  expect((await stream.handler(batch)).batchItemFailures).toEqual([]);
}

/** The group's recorded events of one kind, as the table's stream would carry them. */
async function streamRecords(groupId: string, kind: string): Promise<DynamoDBStreamEvent> {
  const events = (await scanTable()).filter((i) => i.type === 'event' && i.pk === `group#${groupId}` && i.kind === kind);
  return {
    Records: events.map((item, n) => ({
      eventID: `replay-${n}`,
      eventName: 'INSERT',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      dynamodb: { Keys: marshall({ pk: item.pk, sk: item.sk }) as never, NewImage: marshall(item, { removeUndefinedValues: true }) as never, SequenceNumber: String(n + 1), StreamViewType: 'NEW_AND_OLD_IMAGES' },
    })),
  } as DynamoDBStreamEvent;
}

const notificationsOf = (cookie: string, cursor?: string) => api('GET', `/api/notifications${cursor ? `?cursor=${encodeURIComponent(cursor)}` : ''}`, { cookie });

describe('a membership request', () => {
  it('notifies every admin in-app and by one email, with the link, the reason and an unsubscribe link, never the requester\'s address', async () => {
    const { admins, group, requester } = await requestedGroup(1);
    for (const admin of admins) {
      const mail = await eventually(() => mailTo(admin.email), (m) => m.some((e) => e.subject.includes('asked to join')));
      const message = mail.find((e) => e.subject.includes('asked to join'))!;
      expect(message.subject).toBe(`Rosa Parks asked to join ${group.name}`);
      expect(message.body.text).toContain(`/g/${group.handle}/requests`);
      expect(message.body.text).toContain(`You're getting this because you're an admin of ${group.name}.`);
      expect(message.body.text).toMatch(/\/unsubscribe\?token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
      expect(message.body.html).toContain('<em>cook</em>');
      expect(message.body.html).not.toContain('<script>');
      expect(`${message.body.text}${message.body.html}`).not.toContain(requester.email);

      const list = await notificationsOf(admin.cookie);
      expect(list.status).toBe(200);
      expect(list.body.items[0]).toMatchObject({ kind: 'MembershipRequested', title: `Rosa Parks asked to join ${group.name}`, actorName: 'Rosa Parks', readAt: null });
      expect(list.body.items[0].url).toContain(`/g/${group.handle}/requests`);
      expect(list.body.unreadCount).toBeGreaterThanOrEqual(1);
    }
    expect((await notificationsOf(requester.cookie)).body.items).toEqual([]);
  });

  it('sends one email per admin however often the same stream batch is delivered', async () => {
    const { admins, group } = await requestedGroup(2);
    // The local poller delivers it once; replay the same records three more times.
    await eventually(() => mailTo(admins[0]!.email), (m) => m.length > 0);
    const batch = await streamRecords(group.id, 'MembershipRequested');
    expect(batch.Records).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect((await stream.handler(batch)).batchItemFailures).toEqual([]);
    await new Promise((r) => setTimeout(r, 500));
    for (const admin of admins) {
      expect((await mailTo(admin.email)).filter((e) => e.subject.includes('asked to join'))).toHaveLength(1);
      expect((await notificationsOf(admin.cookie)).body.items.filter((n: { kind: string }) => n.kind === 'MembershipRequested')).toHaveLength(1);
    }
  });

  it('tells the requester in-app when approved, and admins when someone joins by link', async () => {
    const { admin, group, requester } = await requestedGroup();
    const list = await api('GET', `/api/groups/${group.id}/membership-requests`, { cookie: admin.cookie });
    expect((await api('POST', `/api/membership-requests/${list.body.items[0].id}/approve`, { cookie: admin.cookie })).status).toBe(200);
    await deliverNow(group.id, 'MembershipRequestApproved');
    const mine = await eventually(() => notificationsOf(requester.cookie), (r) => r.body.items.length > 0);
    expect(mine.body.items[0]).toMatchObject({ kind: 'MembershipRequestApproved', title: `You're now a member of ${group.name}` });
    // One approval email, from the fan-out.
    await eventually(() => mailTo(requester.email), (m) => m.some((e) => e.subject.includes('now a member')));
    await new Promise((r) => setTimeout(r, 600));
    expect((await mailTo(requester.email)).filter((e) => e.subject.includes('now a member'))).toHaveLength(1);

    const link = await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });
    const joiner = await named('Joan Link');
    expect((await api('POST', `/api/join/${link.body.url.split('#token=')[1]}`, { cookie: joiner.cookie })).status).toBe(200);
    await deliverNow(group.id, 'MembershipCreated');
    const adminList = await eventually(() => notificationsOf(admin.cookie), (r) => r.body.items.some((n: { kind: string }) => n.kind === 'MembershipCreated'));
    const joined = adminList.body.items.find((n: { kind: string }) => n.kind === 'MembershipCreated');
    expect(joined).toMatchObject({ title: `Joan Link joined ${group.name}` });
    // It leads to the group page's member list, a page that exists.
    expect(new URL(joined.url).pathname).toBe(`/g/${group.handle}`);
    expect(new URL(joined.url).hash).toBe('#members');
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('Joan Link'))).toHaveLength(0);
  });
});

describe('the notification list', () => {
  it('pages newest first with a signed cursor, counts unread, and marks read by id or all', async () => {
    const admin = await signIn();
    const userId = admin.userId;
    const now = Date.now();
    const expiresAt = Math.floor(now / 1000) + 3600;
    const items = Array.from({ length: 35 }, (_, i) => {
      const id = `${new Date(now - (40 - i) * 1000).toISOString()}#seed${String(i).padStart(4, '0')}`;
      return { pk: `user#${userId}`, sk: `notification#${id}`, type: 'notification', id, eventKind: 'MembershipCreated', category: 'membership', title: `Item ${i}`, url: 'http://x', actorName: null, groupId: null, groupName: null, createdAt: new Date(now - (40 - i) * 1000).toISOString(), expiresAt };
    });
    // One expired notification that DynamoDB Local has not deleted: never shown.
    items.push({ ...items[0]!, sk: `notification#${new Date(now).toISOString()}#expired`, id: `${new Date(now).toISOString()}#expired`, title: 'Expired', expiresAt: Math.floor(now / 1000) - 10 });
    await db.batchPut(items);

    const first = await notificationsOf(admin.cookie);
    expect(first.body.items).toHaveLength(30);
    expect(first.body.items[0].title).toBe('Item 34');
    expect(first.body.items.map((n: { title: string }) => n.title)).not.toContain('Expired');
    expect(first.body.unreadCount).toBe(35);
    const second = await notificationsOf(admin.cookie, first.body.cursor);
    expect(second.body.items.map((n: { title: string }) => n.title)).toEqual(['Item 4', 'Item 3', 'Item 2', 'Item 1', 'Item 0']);
    expect(second.body.cursor).toBeNull();
    expect((await notificationsOf(admin.cookie, `${first.body.cursor}x`)).status).toBe(400);

    const other = await signIn();
    expect((await api('POST', '/api/notifications/read', { cookie: other.cookie, body: { ids: [first.body.items[0].id] } })).body).toEqual({ marked: 0 });
    expect((await api('POST', '/api/notifications/read', { cookie: admin.cookie, body: { ids: [first.body.items[0].id, first.body.items[1].id] } })).body).toEqual({ marked: 2 });
    const after = await notificationsOf(admin.cookie);
    expect(after.body.unreadCount).toBe(33);
    expect(after.body.items[0].readAt).not.toBeNull();
    expect((await api('POST', '/api/notifications/read', { cookie: admin.cookie, body: { all: true } })).body).toEqual({ marked: 33 });
    expect((await notificationsOf(admin.cookie)).body.unreadCount).toBe(0);
    expect((await api('POST', '/api/notifications/read', { cookie: admin.cookie, body: { ids: [] } })).status).toBe(422);
    expect((await api('GET', '/api/notifications')).status).toBe(401);
  });
});

describe('volume and email preferences', () => {
  it('keeps a quiet group in-app only, a muted group silent, and lets only members choose', async () => {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const outsider = await signIn();
    expect((await api('PUT', `/api/groups/${group.id}/volume`, { cookie: outsider.cookie, body: { volume: 'quiet' } })).status).toBe(404);
    expect((await api('PUT', `/api/groups/${group.id}/volume`, { cookie: admin.cookie, body: { volume: 'silent' } })).status).toBe(422);
    expect((await api('PUT', `/api/groups/${group.id}/volume`, { cookie: admin.cookie, body: { volume: 'quiet' } })).body).toEqual({ groupId: group.id, volume: 'quiet' });
    const first = await named('Quiet Asker');
    await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: first.cookie, body: {} });
    await eventually(() => notificationsOf(admin.cookie), (r) => r.body.items.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('asked to join'))).toHaveLength(0);

    await api('PUT', `/api/groups/${group.id}/volume`, { cookie: admin.cookie, body: { volume: 'mute' } });
    const second = await named('Muted Asker');
    await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: second.cookie, body: {} });
    await new Promise((r) => setTimeout(r, 800));
    expect((await notificationsOf(admin.cookie)).body.items.map((n: { title: string }) => n.title).join()).not.toContain('Muted Asker');
  });

  it('inherits the personal default volume in groups without their own choice', async () => {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const put = await api('PUT', '/api/me/email-preferences', { cookie: admin.cookie, body: { defaultVolume: 'quiet', digest: 'never', timeZone: 'Europe/Berlin', categories: {} } });
    expect(put.status).toBe(200);
    const asker = await named('Default Asker');
    await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: asker.cookie, body: {} });
    await eventually(() => notificationsOf(admin.cookie), (r) => r.body.items.length > 0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await mailTo(admin.email).then((m) => m.filter((e) => e.subject.includes('asked to join')))).toHaveLength(0);
  });

  it('reads and replaces preferences, validating the time zone and weekday', async () => {
    const person = await signIn();
    expect((await api('GET', '/api/me/email-preferences', { cookie: person.cookie })).body).toEqual({ defaultVolume: 'normal', digest: 'never', timeZone: 'UTC', categories: {} });
    const bad = await api('PUT', '/api/me/email-preferences', { cookie: person.cookie, body: { defaultVolume: 'normal', digest: 'weekly', digestWeekday: 9, timeZone: 'Mars/Olympus', categories: {} } });
    expect(bad.status).toBe(422);
    expect(Object.keys(bad.body.error.fields).sort()).toEqual(['digestWeekday', 'timeZone']);
    const body = { defaultVolume: 'loud', digest: 'weekly', digestWeekday: 3, timeZone: 'Pacific/Auckland', categories: { polls: false } };
    expect((await api('PUT', '/api/me/email-preferences', { cookie: person.cookie, body })).body).toEqual(body);
    expect((await api('GET', '/api/me/email-preferences', { cookie: person.cookie })).body).toEqual(body);
    const item = (await rawTable().send(new GetCommand({ TableName: inject('tableName'), Key: { pk: `user#${person.userId}`, sk: 'emailprefs' } }))).Item!;
    expect(item).toMatchObject({ gsi2pk: 'due', dueKind: 'digest' });
    // 06:00 in Auckland on a Wednesday.
    const due = new Date(String(item.gsi2sk).split('#')[0]!);
    expect(new Intl.DateTimeFormat('en-US', { timeZone: 'Pacific/Auckland', weekday: 'short', hour: 'numeric', hourCycle: 'h23' }).format(due)).toMatch(/^Wed,? 06$/);
  });
});

describe('unsubscribing', () => {
  it('works signed out from the emailed link, switches off only that category, and refuses a tampered token', async () => {
    const { admin, group } = await requestedGroup();
    const message = (await eventually(() => mailTo(admin.email), (m) => m.some((e) => e.subject.includes('asked to join')))).find((e) => e.subject.includes('asked to join'))!;
    const token = /\/unsubscribe\?token=([A-Za-z0-9_.-]+)/.exec(message.body.text!)![1]!;
    const described = await api('GET', `/api/unsubscribe?token=${token}`);
    expect(described.status).toBe(200);
    expect(described.body).toMatchObject({ action: 'unsubscribe', category: 'membership' });
    expect((await api('GET', `/api/unsubscribe?token=${token.slice(0, -2)}xx`)).status).toBe(400);
    expect((await api('POST', `/api/unsubscribe?token=x${token}`)).status).toBe(400);
    expect((await api('POST', `/api/unsubscribe?token=${token}`)).body).toMatchObject({ unsubscribed: true, category: 'membership' });
    expect((await api('GET', '/api/me/email-preferences', { cookie: admin.cookie })).body).toEqual({ defaultVolume: 'normal', digest: 'never', timeZone: 'UTC', categories: { membership: false } });

    const again = await named('After Unsubscribe');
    await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: again.cookie, body: {} });
    await eventually(() => notificationsOf(admin.cookie), (r) => r.body.items.some((n: { title: string }) => n.title.includes('After Unsubscribe')));
    await new Promise((r) => setTimeout(r, 500));
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('After Unsubscribe'))).toHaveLength(0);
  });
});

describe('the digest', () => {
  it('summarises unread notifications at the due time, reschedules, and skips when there is nothing new', async () => {
    const { admin, group } = await requestedGroup();
    await eventually(() => notificationsOf(admin.cookie), (r) => r.body.items.length > 0);
    await api('PUT', '/api/me/email-preferences', { cookie: admin.cookie, body: { defaultVolume: 'normal', digest: 'daily', timeZone: 'America/New_York', categories: {} } });
    const key = { pk: `user#${admin.userId}`, sk: 'emailprefs' };
    const makeDue = (at: string) =>
      rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: key, UpdateExpression: 'SET gsi2sk = :due', ExpressionAttributeValues: { ':due': `${at}#digest#${admin.userId}` } }));
    await makeDue(new Date(Date.now() - 60_000).toISOString());
    await scheduler.handler();
    const digests = (await mailTo(admin.email)).filter((e) => e.subject.includes('unread notification'));
    expect(digests).toHaveLength(1);
    expect(digests[0]!.body.text).toContain(group.name);
    expect(digests[0]!.body.text).toContain(`Rosa Parks asked to join ${group.name}`);
    expect(digests[0]!.body.text).toContain("You're getting this because you asked for a daily digest.");
    const item = (await rawTable().send(new GetCommand({ TableName: inject('tableName'), Key: key }))).Item!;
    expect(Date.parse(String(item.gsi2sk).split('#')[0]!)).toBeGreaterThan(Date.now());

    // Due again with nothing new since the last digest: no email, still rescheduled.
    await makeDue(new Date(Date.now() - 1000).toISOString());
    await scheduler.handler();
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('unread notification'))).toHaveLength(1);
    const later = (await rawTable().send(new GetCommand({ TableName: inject('tableName'), Key: key }))).Item!;
    expect(Date.parse(String(later.gsi2sk).split('#')[0]!)).toBeGreaterThan(Date.now());
  });
});

const sns = (message: unknown) => ({
  Records: [{ EventSource: 'aws:sns', EventVersion: '1.0', EventSubscriptionArn: 'arn:aws:sns:us-east-1:1:t:s', Sns: { Type: 'Notification', MessageId: randomBytes(8).toString('hex'), TopicArn: 'arn:aws:sns:us-east-1:1:t', Subject: null, Message: JSON.stringify(message), Timestamp: new Date().toISOString(), SignatureVersion: '1', Signature: '', SigningCertUrl: '', UnsubscribeUrl: '', MessageAttributes: {} } }],
}) as never;

const bounce = (address: string, bounceType: 'Permanent' | 'Transient') => ({
  eventType: 'Bounce',
  bounce: { feedbackId: 'f', bounceType, bounceSubType: bounceType === 'Permanent' ? 'General' : 'MailboxFull', bouncedRecipients: [{ emailAddress: address, action: 'failed', status: '5.1.1' }], timestamp: new Date().toISOString(), reportingMTA: 'dsn; a' },
  mail: { timestamp: new Date().toISOString(), source: 'no-reply@moot.example', messageId: 'm', destination: [address], headersTruncated: false },
});

describe('bounces and complaints', () => {
  it('stop all email to an address after a hard bounce or a complaint, but not after a soft bounce', async () => {
    const soft = await signIn();
    const hard = await signIn();
    const complainer = await signIn();
    expect(await sesEvents.handler(sns(bounce(soft.email, 'Transient')))).toEqual({ suppressed: 0 });
    expect(await sesEvents.handler(sns(bounce(hard.email, 'Permanent')))).toEqual({ suppressed: 1 });
    expect(
      await sesEvents.handler(sns({ eventType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: complainer.email }], timestamp: new Date().toISOString(), feedbackId: 'c', complaintFeedbackType: 'abuse' }, mail: { messageId: 'm' } })),
    ).toEqual({ suppressed: 1 });
    const stored = (await scanTable()).filter((i) => i.type === 'suppression');
    expect(JSON.stringify(stored)).not.toContain(hard.email);

    for (const person of [soft, hard, complainer]) {
      const before = (await mailTo(person.email)).length;
      expect((await api('POST', '/api/auth/email', { body: { email: person.email }, headers: { 'cloudfront-viewer-address': `198.19.${Math.floor(Math.random() * 250)}.1:443` } })).status).toBe(202);
      await new Promise((r) => setTimeout(r, 200));
      expect((await mailTo(person.email)).length - before).toBe(person === soft ? 1 : 0);
    }
  });
});

describe('a large group', () => {
  it('emails each of 2,000 admins exactly once, page by page', async () => {
    const { admin, group } = await groupWithMembers(0, { membershipGranting: 'approval' });
    const groupItem = (await rawTable().send(new GetCommand({ TableName: inject('tableName'), Key: { pk: `group#${group.id}`, sk: 'group' } }))).Item as never;
    const run = randomBytes(4).toString('hex');
    const people = Array.from({ length: 2000 }, (_, i) => ({ userId: `bulk${run}${String(i).padStart(10, '0')}`.slice(0, 22).padEnd(22, '0'), name: `Bulk ${i}`, email: `bulk-${run}-${i}@example.org` }));
    expect(new Set(people.map((p) => p.userId)).size).toBe(2000);
    await db.batchPut(people.map((p) => ({ ...ops.joinOps(groupItem, p, 'invitation', 'admin').membership })));

    const asker = await named('Big Asker');
    await api('POST', `/api/groups/${group.id}/membership-requests`, { cookie: asker.cookie, body: {} });
    const batch = await streamRecords(group.id, 'MembershipRequested');
    // Delivered twice, as a retried stream batch would be: still one email each. (How fast is
    // for `npm run bench`, not for a test on a shared machine.)
    expect((await stream.handler(batch)).batchItemFailures).toEqual([]);
    expect((await stream.handler(batch)).batchItemFailures).toEqual([]);

    const counted = await eventually(
      async () => {
        const store = (await (await fetch(`${inject('mailUrl')}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; subject: string }> };
        return store.emails.filter((e) => e.subject.includes('Big Asker') && e.destination.to.some((to) => to.includes(`bulk-${run}-`)));
      },
      (emails) => emails.length >= 2000,
      30_000,
    );
    const recipients = counted.map((e) => e.destination.to.join());
    expect(new Set(recipients).size).toBe(2000);
    expect(recipients).toHaveLength(2000);
    const notes = (await scanTable()).filter((i) => i.type === 'notification' && String(i.pk).startsWith(`user#bulk${run}`));
    expect(notes).toHaveLength(2000);
    void admin;
  }, 120_000);
});

// ---- Threads, polls and announcements ----------------------------------------------------------

let fanOutModule: typeof import('./fan-out.ts');
beforeAll(async () => {
  fanOutModule = await import('./fan-out.ts');
});

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();
const settle = () => new Promise((r) => setTimeout(r, 800));
const kinds = (list: { body: { items: Array<{ kind: string; title: string }> } }, kind: string) => list.body.items.filter((n) => n.kind === kind);

/** Every message the SES emulator holds, with attachments, for one address. */
async function storedMail(address: string) {
  const store = (await (await fetch(`${inject('mailUrl')}/store`)).json()) as {
    emails: Array<{ destination: { to: string[] }; subject: string; body: { text?: string }; attachments?: Array<{ filename: string; contentType: string; content: string }> }>;
  };
  return store.emails.filter((e) => e.destination.to.some((to) => to.toLowerCase().includes(address.toLowerCase())));
}

/** A group with an admin (signed in by email) and `count` members written directly ("Member 0" … , handles member-0 …). */
async function groupOf(count: number, overrides: Record<string, unknown> = {}) {
  const { admin, group } = await groupWithMembers(0, overrides);
  const people = await addMembersDirectly(group, count);
  const members = people.map((p, i) => ({ ...p, email: `bulk-${p.userId.toLowerCase()}@example.org`, name: `Member ${i}` }));
  return { admin, group, members };
}

async function startPoll(cookie: string, groupId: string, body: Record<string, unknown>) {
  const response = await api('POST', '/api/polls', { cookie, body: { groupId, title: 'Shall we?', type: 'proposal', closingAt: inAWeek(), ...body } });
  expect(response.status).toBe(201);
  return response.body as { id: string };
}

describe('thread notifications', () => {
  it('emails a mentioned member once and nobody else, and notifies them in-app', async () => {
    const { admin, group, members } = await groupOf(3);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Budget' } })).body;
    const posted = await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'What do you think, @member-1?' } });
    expect(posted.status).toBe(201);
    const mail = await eventually(() => storedMail(members[1]!.email), (m) => m.some((e) => e.subject.includes('mentioned you')));
    await settle();
    expect((await storedMail(members[1]!.email)).filter((e) => e.subject.includes('Budget'))).toHaveLength(1);
    expect(mail.find((e) => e.subject.includes('mentioned you'))!.body.text).toContain('What do you think, @member-1?');
    for (const other of [members[0]!, members[2]!]) expect((await storedMail(other.email)).filter((e) => e.subject.includes('Budget'))).toHaveLength(0);
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('Budget'))).toHaveLength(0);
    const mentioned = kinds(await notificationsOf(members[1]!.cookie), 'CommentCreated');
    expect(mentioned).toHaveLength(1);
    expect(mentioned[0]!.title).toMatch(/mentioned you in Budget$/);
    // Normal volume: a comment that does not concern you is not a notification.
    expect(kinds(await notificationsOf(members[0]!.cookie), 'CommentCreated')).toHaveLength(0);
  });

  it('notifies the author of the comment replied to, in-app and by email, and tells loud members of every comment', async () => {
    const { admin, group, members } = await groupOf(2);
    await api('PUT', `/api/groups/${group.id}/volume`, { cookie: members[1]!.cookie, body: { volume: 'loud' } });
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Garden' } })).body;
    const parent = (await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: members[0]!.cookie, body: { body: 'Tomatoes?' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Yes, tomatoes.', parentId: parent.id } });
    const replied = await eventually(() => notificationsOf(members[0]!.cookie), (r) => kinds(r, 'CommentCreated').length > 0);
    expect(kinds(replied, 'CommentCreated')[0]!.title).toMatch(/replied to you in Garden$/);
    await eventually(() => storedMail(members[0]!.email), (m) => m.some((e) => e.subject.includes('replied to you in Garden')));
    // The loud member hears of both comments; the admin (normal volume) of the member's comment not at all by email.
    await eventually(() => storedMail(members[1]!.email), (m) => m.filter((e) => e.subject.includes('Garden')).length >= 2);
    await settle();
    expect((await storedMail(members[1]!.email)).filter((e) => e.subject.includes('Garden'))).toHaveLength(2);
    expect((await storedMail(members[0]!.email)).filter((e) => e.subject.includes('Garden'))).toHaveLength(1);
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('Garden'))).toHaveLength(0);
  });

  it('sends nothing about a private thread to a mentioned member removed from the group before the send', async () => {
    const { admin, group, members } = await groupOf(2);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Secret plans', private: true } })).body;
    const posted = (await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Only for us.' } })).body;
    const removed = members[0]!;
    expect((await api('DELETE', `/api/memberships/${group.id}.${removed.userId}`, { cookie: admin.cookie })).status).toBe(204);
    // The comment's event as the stream would deliver it, naming the removed member as mentioned.
    const result = await fanOutModule.fanOut({
      eventId: `${new Date().toISOString()}#removed${removed.userId.slice(0, 6)}`,
      kind: 'CommentCreated',
      actorId: admin.userId,
      at: new Date().toISOString(),
      data: { groupId: group.id, discussionId: thread.id.split('.')[1], seq: Number(posted.id.split('.')[2]), authorId: admin.userId, parentAuthorId: null, mentionedUserIds: [removed.userId] } as never,
    });
    expect(result).toMatchObject({ notified: 0, emailed: 0 });
    await settle();
    expect(await storedMail(removed.email)).toHaveLength(0);
    expect(kinds(await notificationsOf(removed.cookie), 'CommentCreated')).toHaveLength(0);
  });

  it('tells members of a new thread in-app, emails only the announced, and says nothing of an unannounced edit', async () => {
    const { admin, group, members } = await groupOf(2);
    const quiet = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Plain thread' } })).body;
    await eventually(() => notificationsOf(members[0]!.cookie), (r) => kinds(r, 'DiscussionStarted').length > 0);
    const loud = await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Announced thread', announce: { kind: 'members', userIds: [members[1]!.userId] } } });
    expect(loud.status).toBe(201);
    await eventually(() => storedMail(members[1]!.email), (m) => m.some((e) => e.subject.includes('Announced thread')));
    await api('PATCH', `/api/discussions/${quiet.id}`, { cookie: admin.cookie, body: { title: 'Plain thread, renamed' } });
    await settle();
    expect((await storedMail(members[0]!.email)).filter((e) => e.subject.includes('thread'))).toHaveLength(0);
    expect((await storedMail(members[1]!.email)).filter((e) => e.subject.includes('thread'))).toHaveLength(1);
    expect(kinds(await notificationsOf(members[0]!.cookie), 'DiscussionStarted')).toHaveLength(2);
    expect(kinds(await notificationsOf(members[0]!.cookie), 'DiscussionEdited')).toHaveLength(0);
  });
});

/** Moves a poll's closing-soon marker into the past and runs the scheduler, as the tick would. */
async function closingSoonNow(pollApiId: string) {
  const pollId = pollApiId.split('.')[1]!;
  await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: `poll#${pollId}`, sk: 'due#soon' }, UpdateExpression: 'SET gsi2sk = :t', ExpressionAttributeValues: { ':t': `${new Date(Date.now() - 1000).toISOString()}#soon` } }));
  await scheduler.handler();
}

describe('poll notifications', () => {
  it('tells only the undecided that a poll closes soon: voters who voted get nothing', async () => {
    const { admin, group, members } = await groupOf(3);
    const poll = await startPoll(admin.cookie, group.id, { title: 'Paint it blue?', closingAt: new Date(Date.now() + 30 * 3_600_000).toISOString() });
    expect((await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: { choices: { option: 'agree' } } })).status).toBe(200);
    await closingSoonNow(poll.id);
    for (const undecided of [members[1]!, members[2]!]) await eventually(() => storedMail(undecided.email), (m) => m.some((e) => e.subject.includes('Closing soon: Paint it blue?')));
    await eventually(() => mailTo(admin.email), (m) => m.some((e) => e.subject.includes('Closing soon')));
    await settle();
    expect((await storedMail(members[0]!.email)).filter((e) => e.subject.includes('Closing soon'))).toHaveLength(0);
    expect(kinds(await notificationsOf(members[0]!.cookie), 'PollClosingSoon')).toHaveLength(0);
    expect((await storedMail(members[1]!.email)).filter((e) => e.subject.includes('Closing soon'))).toHaveLength(1);
  });

  it('emails a meeting poll\'s outcome with an iCalendar invite naming only the recipient', async () => {
    const { admin, group, members } = await groupOf(2);
    const poll = await startPoll(admin.cookie, group.id, { type: 'meeting', title: 'Team lunch', options: ['2030-05-01T09:00:00Z', '2030-05-02T09:00:00Z'] });
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: admin.cookie, body: { choices: { answers: { o1: 'yes', o2: 'no' } } } });
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: { choices: { answers: { o1: 'yes', o2: 'maybe' } } } });
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    const outcome = await api('POST', `/api/polls/${poll.id}/outcome`, { cookie: admin.cookie, body: { statement: 'We meet on the 1st', optionId: 'o1', event: { start: '2030-05-01T09:00:00Z', durationMinutes: 90 } } });
    expect(outcome.status).toBe(201);
    for (const member of members) {
      const mail = await eventually(() => storedMail(member.email), (m) => m.some((e) => e.subject === 'Outcome: Team lunch'));
      const message = mail.find((e) => e.subject === 'Outcome: Team lunch')!;
      expect(message.attachments).toHaveLength(1);
      expect(message.attachments![0]).toMatchObject({ filename: 'meeting.ics', contentType: 'text/calendar' });
      const ics = Buffer.from(message.attachments![0]!.content, 'base64').toString();
      expect(ics).toContain('DTSTART:20300501T090000Z');
      expect(ics).not.toContain(admin.email);
      // Only the recipient's own address, and only if they said yes.
      expect((ics.match(/^ATTENDEE/gm) ?? []).length).toBe(member === members[0] ? 1 : 0);
      if (member === members[0]) expect(ics.replace(/\r\n /g, '')).toContain(`mailto:${member.email}`);
    }
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('Team lunch'))).toHaveLength(0);
  });

  it('never names voters in emails about an anonymous poll', async () => {
    const { admin, group, members } = await groupOf(2);
    const poll = await startPoll(admin.cookie, group.id, { title: 'Secret ballot', anonymous: true });
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: { choices: { option: 'agree' } } });
    expect((await api('POST', `/api/polls/${poll.id}/remind`, { cookie: admin.cookie, body: { audience: 'everyone' } })).status).toBe(202);
    const mail = await eventually(() => storedMail(members[1]!.email), (m) => m.some((e) => e.subject.includes('Reminder: Secret ballot')));
    const text = mail.find((e) => e.subject.includes('Reminder'))!.body.text!;
    expect(text).not.toContain('Member 0');
    expect(text).not.toContain(members[0]!.email);
  });
});

describe('announcements', () => {
  it('reach exactly the undecided of a poll, once each, in-app and by email', async () => {
    const { admin, group, members } = await groupOf(3);
    const poll = await startPoll(admin.cookie, group.id, { title: 'New roof?' });
    await api('PUT', `/api/polls/${poll.id}/vote`, { cookie: members[0]!.cookie, body: { choices: { option: 'agree' } } });
    const body = { subject: { type: 'poll', id: poll.id }, audience: { kind: 'undecided' } };
    expect((await api('POST', '/api/announcements', { cookie: admin.cookie, body })).status).toBe(202);
    for (const undecided of [members[1]!, members[2]!]) {
      await eventually(() => storedMail(undecided.email), (m) => m.some((e) => e.subject.includes('wants you to see: New roof?')));
      await eventually(() => notificationsOf(undecided.cookie), (r) => kinds(r, 'Announced').length > 0);
    }
    // Replayed: still once each.
    expect((await stream.handler(await streamRecords(group.id, 'Announced'))).batchItemFailures).toEqual([]);
    await settle();
    for (const undecided of [members[1]!, members[2]!]) {
      expect((await storedMail(undecided.email)).filter((e) => e.subject.includes('wants you to see'))).toHaveLength(1);
      expect(kinds(await notificationsOf(undecided.cookie), 'Announced')).toHaveLength(1);
    }
    expect((await storedMail(members[0]!.email)).filter((e) => e.subject.includes('wants you to see'))).toHaveLength(0);
    expect(kinds(await notificationsOf(members[0]!.cookie), 'Announced')).toHaveLength(0);
    expect((await mailTo(admin.email)).filter((e) => e.subject.includes('wants you to see'))).toHaveLength(0);
  });

  it('follows members_can_announce: the author may while it is on, admins always; others get 403, outsiders 404, a bad audience 422', async () => {
    const { admin, group, members } = await groupOf(2);
    const author = members[0]!;
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: author.cookie, body: { title: 'Bike shed' } })).body;
    const to = (audience: Record<string, unknown>) => ({ subject: { type: 'discussion', id: thread.id }, audience });
    expect((await api('POST', '/api/announcements', { cookie: author.cookie, body: to({ kind: 'group' }) })).status).toBe(202);
    expect((await api('POST', '/api/announcements', { cookie: members[1]!.cookie, body: to({ kind: 'group' }) })).status).toBe(403);
    expect((await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { flags: { membersCanAnnounce: false } } })).status).toBe(200);
    expect((await api('POST', '/api/announcements', { cookie: author.cookie, body: to({ kind: 'group' }) })).status).toBe(403);
    expect((await api('POST', `/api/groups/${group.id}/discussions`, { cookie: author.cookie, body: { title: 'Loud', announce: { kind: 'group' } } })).status).toBe(403);
    expect((await api('POST', '/api/announcements', { cookie: admin.cookie, body: to({ kind: 'members', userIds: [members[1]!.userId] }) })).status).toBe(202);
    await eventually(() => storedMail(members[1]!.email), (m) => m.some((e) => e.subject.includes('wants you to see: Bike shed')));

    const outsider = await signIn();
    expect((await api('POST', '/api/announcements', { cookie: outsider.cookie, body: to({ kind: 'group' }) })).status).toBe(404);
    const voters = await api('POST', '/api/announcements', { cookie: admin.cookie, body: to({ kind: 'voters' }) });
    expect(voters.status).toBe(422);
    expect(Object.keys(voters.body.error.fields)).toEqual(['audience.kind']);
    const subgroup = await api('POST', '/api/announcements', { cookie: admin.cookie, body: to({ kind: 'subgroup', subgroupId: group.id }) });
    expect(Object.keys(subgroup.body.error.fields)).toEqual(['audience.subgroupId']);
    const stranger = await api('POST', '/api/announcements', { cookie: admin.cookie, body: to({ kind: 'members', userIds: [members[1]!.userId, outsider.userId] }) });
    expect(stranger.status).toBe(422);
    expect(Object.keys(stranger.body.error.fields)).toEqual(['audience.userIds.1']);
    expect((await api('POST', '/api/announcements', { cookie: admin.cookie, body: { subject: { type: 'outcome', id: `${group.id}.${'x'.repeat(22)}` }, audience: { kind: 'group' } } })).status).toBe(404);
  });
});
