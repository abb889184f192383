import { api, mailTo, randomViewer, signIn } from './api.ts';

let counter = 0;

/** Creates a group as the person with this cookie; returns the API's group view. */
export async function createGroup(cookie: string, overrides: Record<string, unknown> = {}) {
  const name = `Test group ${Date.now().toString(36)}${++counter}`;
  const response = await api('POST', '/api/groups', { cookie, body: { name, ...overrides } });
  if (response.status !== 201) throw new Error(`create group answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; handle: string; name: string; myMembership: { id: string } };
}

/** The token of the newest invitation emailed to an address. */
export async function invitationToken(email: string): Promise<string> {
  const message = (await mailTo(email)).filter((m) => m.body.text?.includes('/invitations/accept#token=')).at(-1);
  const token = /#token=([A-Za-z0-9_-]{43})/.exec(message?.body.text ?? '')?.[1];
  if (!token) throw new Error(`No invitation for ${email}`);
  return token;
}

/** A group with an admin and `members` more people who joined by invitation. */
export async function groupWithMembers(members = 1, overrides: Record<string, unknown> = {}) {
  const admin = await signIn();
  const group = await createGroup(admin.cookie, overrides);
  const people = [];
  for (let i = 0; i < members; i++) {
    const person = await signIn();
    await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [person.email] } });
    const accepted = await api('POST', `/api/invitations/${await invitationToken(person.email)}/accept`, { headers: { 'cloudfront-viewer-address': randomViewer() } });
    if (accepted.status !== 200) throw new Error(`accept answered ${accepted.status}`);
    people.push(person);
  }
  return { admin, group, members: people };
}

/**
 * Many members at once, written straight to the table (users, sessions and memberships in the
 * shapes the use cases write), for concurrency and volume tests where signing in by email one by
 * one would take minutes. Returns each member's session cookie.
 */
export async function addMembersDirectly(group: { id: string; handle: string; name: string }, count: number): Promise<Array<{ userId: string; cookie: string }>> {
  const { randomBytes, createHash } = await import('node:crypto');
  const { BatchWriteCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
  const { inject } = await import('vitest');
  const { rawTable } = await import('./api.ts');
  const TableName = inject('tableName');
  const now = new Date().toISOString();
  const people = Array.from({ length: count }, () => ({ userId: randomBytes(16).toString('base64url'), sessionId: randomBytes(32).toString('base64url') }));
  const items = people.flatMap(({ userId, sessionId }, i) => {
    const email = `bulk-${userId.toLowerCase()}@example.org`;
    const sessionHash = createHash('sha256').update(sessionId).digest('base64url');
    return [
      { pk: `user#${userId}`, sk: 'profile', type: 'user', userId, email, name: `Member ${i}`, createdAt: now, updatedAt: now },
      { pk: `user#${userId}`, sk: `session#${sessionHash}`, type: 'session', userId, sessionHash, email, name: `Member ${i}`, ip: '198.18.0.0/24', createdAt: now, lastSeenAt: now, expiresAt: Math.floor(Date.now() / 1000) + 86_400 },
      { pk: `group#${group.id}`, sk: `member#${userId}`, gsi1pk: `memberof#${userId}`, gsi1sk: `group#${group.id}`, type: 'membership', groupId: group.id, userId, role: 'member', title: null, name: `Member ${i}`, email, joinedAt: now, via: 'link', groupName: group.name, groupHandle: group.handle, groupPrivacy: 'closed', parentId: null },
    ];
  });
  for (let i = 0; i < items.length; i += 25) {
    await rawTable().send(new BatchWriteCommand({ RequestItems: { [TableName]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  await rawTable().send(new UpdateCommand({ TableName, Key: { pk: `group#${group.id}`, sk: 'group' }, UpdateExpression: 'ADD memberCount :n', ExpressionAttributeValues: { ':n': count } }));
  return people.map(({ userId, sessionId }) => ({ userId, cookie: `moot_session=${userId}.${sessionId}` }));
}
