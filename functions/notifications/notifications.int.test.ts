import { randomBytes } from 'node:crypto';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, mailTo, rawTable, scanTable, signIn, uniqueEmail } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';

// The stream, scheduler and SES-feedback handlers also run here, in the test process, against the
// same emulators, exactly as the cloud would call them. Their configuration is read on import.
let stream: typeof import('../workers/stream-handler.ts');
let scheduler: typeof import('../workers/scheduler-handler.ts');
let sesEvents: typeof import('./ses-events-handler.ts');
let db: typeof import('../lib/db.ts');
let ops: typeof import('../groups/membership-ops.ts');

beforeAll(async () => {
  Object.assign(process.env, {
    MOOT_LOCAL: '1',
    TABLE_NAME: inject('tableName'),
    DYNAMODB_ENDPOINT: inject('dynamoEndpoint'),
    SES_ENDPOINT: inject('mailUrl'),
    APP_URL: inject('appUrl'),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    SIGNING_SECRET: process.env.SIGNING_SECRET ?? randomBytes(32).toString('base64url'),
    SES_RATE_PER_SECOND: '1000',
  });
  [stream, scheduler, sesEvents, db, ops] = await Promise.all([
    import('../workers/stream-handler.ts'),
    import('../workers/scheduler-handler.ts'),
    import('./ses-events-handler.ts'),
    import('../lib/db.ts'),
    import('../groups/membership-ops.ts'),
  ]);
});

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
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
  return { admin, admins: [admin, ...members], group, requester };
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
      expect(message.body.text).toMatch(/\/api\/unsubscribe\?token=[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/);
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
    const mine = await eventually(() => notificationsOf(requester.cookie), (r) => r.body.items.length > 0);
    expect(mine.body.items[0]).toMatchObject({ kind: 'MembershipRequestApproved', title: `You're now a member of ${group.name}` });
    // The use case emails the approval itself; the fan-out adds none.
    await new Promise((r) => setTimeout(r, 600));
    expect((await mailTo(requester.email)).filter((e) => e.subject.includes('now a member'))).toHaveLength(1);

    const link = await api('POST', `/api/groups/${group.id}/join-link`, { cookie: admin.cookie });
    const joiner = await named('Joan Link');
    expect((await api('POST', `/api/join/${link.body.url.split('#token=')[1]}`, { cookie: joiner.cookie })).status).toBe(200);
    const adminList = await eventually(() => notificationsOf(admin.cookie), (r) => r.body.items.some((n: { kind: string }) => n.kind === 'MembershipCreated'));
    expect(adminList.body.items.find((n: { kind: string }) => n.kind === 'MembershipCreated')).toMatchObject({ title: `Joan Link joined ${group.name}` });
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
      return { pk: `user#${userId}`, sk: `notification#${id}`, type: 'notification', id, kind: 'MembershipCreated', category: 'membership', title: `Item ${i}`, url: 'http://x', actorName: null, groupId: null, groupName: null, createdAt: new Date(now - (40 - i) * 1000).toISOString(), expiresAt };
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
    const token = /\/api\/unsubscribe\?token=([A-Za-z0-9_.-]+)/.exec(message.body.text!)![1]!;
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
    const started = Date.now();
    expect((await stream.handler(batch)).batchItemFailures).toEqual([]);
    expect((await stream.handler(batch)).batchItemFailures).toEqual([]);
    const seconds = (Date.now() - started) / 1000;

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
    expect(seconds).toBeLessThan(45);
    const notes = (await scanTable()).filter((i) => i.type === 'notification' && String(i.pk).startsWith(`user#bulk${run}`));
    expect(notes).toHaveLength(2000);
    void admin;
  }, 120_000);
});
