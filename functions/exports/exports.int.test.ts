import { randomBytes } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { api, rawTable, signIn } from '../../scripts/test-support/api.ts';
import { createGroup, groupWithMembers } from '../../scripts/test-support/groups.ts';

describe('the audit view', () => {
  it('finds filtered events older than a full page of other events', async () => {
    const { admin, group } = await groupWithMembers(0);
    for (let i = 0; i < 55; i++) await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { name: `Renamed ${i}` } });
    const created = await api('GET', `/api/groups/${group.id}/audit?kind=GroupCreated`, { cookie: admin.cookie });
    expect(created.status).toBe(200);
    expect(created.body.items.map((e: { kind: string }) => e.kind)).toEqual(['GroupCreated']);
  });

  it('shows admins who changed what and when, newest first, filterable by kind and actor', async () => {
    // Prepare
    const { admin, group, members } = await groupWithMembers(1);
    const member = members[0]!;
    expect((await api('PATCH', `/api/memberships/${group.id}.${member.userId}`, { cookie: admin.cookie, body: { role: 'admin', title: 'Treasurer' } })).status).toBe(200);
    expect((await api('PATCH', `/api/groups/${group.id}`, { cookie: member.cookie, body: { description: 'New words' } })).status).toBe(200);

    // Act
    const all = await api('GET', `/api/groups/${group.id}/audit`, { cookie: admin.cookie });
    const byKind = await api('GET', `/api/groups/${group.id}/audit?kind=MembershipRoleChanged`, { cookie: admin.cookie });
    const byActor = await api('GET', `/api/groups/${group.id}/audit?actorId=${member.userId}`, { cookie: admin.cookie });

    // Assess
    expect(all.status).toBe(200);
    const kinds = all.body.items.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).toBe('GroupUpdated');
    expect(kinds).toEqual(expect.arrayContaining(['GroupCreated', 'MembershipCreated', 'InvitationsSent', 'MembershipRoleChanged', 'GroupUpdated']));
    const times = all.body.items.map((e: { at: string }) => e.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(byKind.body.items).toEqual([expect.objectContaining({ kind: 'MembershipRoleChanged', actorId: admin.userId, data: expect.objectContaining({ userId: member.userId, role: 'admin' }) })]);
    expect(byActor.body.items.every((e: { actorId: string }) => e.actorId === member.userId)).toBe(true);
    expect(byActor.body.items.map((e: { kind: string }) => e.kind)).toContain('GroupUpdated');
    expect(JSON.stringify(all.body)).not.toMatch(/"ip"/);
  });

  it('pages with signed cursors, and refuses a tampered cursor or one from another filter with 400', async () => {
    const { admin, group } = await groupWithMembers(0);
    for (let i = 0; i < 55; i++) await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { description: `Edit ${i}` } });
    const first = await api('GET', `/api/groups/${group.id}/audit`, { cookie: admin.cookie });
    expect(first.body.items).toHaveLength(50);
    expect(first.body.cursor).toEqual(expect.any(String));
    const second = await api('GET', `/api/groups/${group.id}/audit?cursor=${encodeURIComponent(first.body.cursor)}`, { cookie: admin.cookie });
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((e: { id: string }) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThanOrEqual(56);
    const tampered = `${first.body.cursor.slice(0, -2)}xx`;
    expect((await api('GET', `/api/groups/${group.id}/audit?cursor=${encodeURIComponent(tampered)}`, { cookie: admin.cookie })).status).toBe(400);
    expect((await api('GET', `/api/groups/${group.id}/audit?kind=GroupUpdated&cursor=${encodeURIComponent(first.body.cursor)}`, { cookie: admin.cookie })).status).toBe(400);
  });

  it.each([
    ['a member who is not an admin', 403],
    ['an outsider of a secret group', 404],
    ['someone signed out', 401],
  ])('answers %s with %i', async (who, status) => {
    const { group, members } = await groupWithMembers(1, { privacy: 'secret' });
    const cookie = who.startsWith('a member') ? members[0]!.cookie : who.startsWith('an outsider') ? (await signIn()).cookie : undefined;
    expect((await api('GET', `/api/groups/${group.id}/audit`, { cookie })).status).toBe(status);
    expect((await api('GET', `/api/groups/${group.id}/audit.csv`, { cookie })).status).toBe(status);
  });

  it('exports the filtered trail as CSV', async () => {
    const { admin, group } = await groupWithMembers(1);
    await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { description: '=HYPERLINK("x")' } });
    const response = await fetch(`${(await import('vitest')).inject('appUrl')}/api/groups/${group.id}/audit.csv?kind=MembershipCreated`, { headers: { cookie: admin.cookie } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = (await response.text()).trim().split('\r\n');
    expect(rows[0]).toBe('at,kind,actor_id,actor_name,details');
    expect(rows.slice(1)).toHaveLength(2);
    expect(rows.slice(1).every((r) => r.includes(',MembershipCreated,'))).toBe(true);
  });
});

/** A ready export job of the group for `requestedBy`, as the export worker leaves it (objects need not exist to be linked). */
async function readyExport(groupId: string, requestedBy: string): Promise<string> {
  const exportId = randomBytes(16).toString('base64url').slice(0, 22);
  const requestedAt = new Date().toISOString();
  await rawTable().send(new PutCommand({
    TableName: inject('tableName'),
    Item: {
      pk: `groupexport#${exportId}`, sk: 'job', gsi1pk: `groupexports#${groupId}#${requestedBy}`, gsi1sk: `${requestedAt}#${exportId}`,
      type: 'groupExport', exportId, groupId, requestedBy, status: 'ready', requestedAt, finishedAt: requestedAt, records: 3, bytes: 100,
      objects: { archive: `groups/${groupId}/${exportId}/archive.ndjson.gz`, 'members.csv': `groups/${groupId}/${exportId}/members.csv` },
      expiresAt: Math.floor(Date.now() / 1000) + 7 * 86_400,
    },
  }));
  return exportId;
}

describe('reading exports after the right to them has gone', () => {
  it('answers 404 to an admin who was demoted, removed or left, and lists no links to them', async () => {
    const { admin, group, members } = await groupWithMembers(3);
    for (const m of members) expect((await api('PATCH', `/api/memberships/${group.id}.${m.userId}`, { cookie: admin.cookie, body: { role: 'admin' } })).status).toBe(200);
    const [demoted, removed, departed] = members as [typeof members[0], typeof members[0], typeof members[0]];
    const exports = new Map<string, string>();
    for (const m of members) {
      const id = await readyExport(group.id, m.userId);
      exports.set(m.userId, id);
      const before = await api('GET', `/api/exports/${id}`, { cookie: m.cookie });
      expect(before.status).toBe(200);
      expect(before.body.links.archive).toContain('X-Amz-Expires=900');
      expect((await api('GET', `/api/groups/${group.id}/exports`, { cookie: m.cookie })).body.items).toHaveLength(1);
    }

    expect((await api('PATCH', `/api/memberships/${group.id}.${demoted.userId}`, { cookie: admin.cookie, body: { role: 'member' } })).status).toBe(200);
    expect((await api('DELETE', `/api/memberships/${group.id}.${removed.userId}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await api('DELETE', `/api/memberships/${group.id}.${departed.userId}`, { cookie: departed.cookie })).status).toBe(204);

    for (const m of members) {
      const read = await api('GET', `/api/exports/${exports.get(m.userId)}`, { cookie: m.cookie });
      expect(read.status, m.email).toBe(404);
      expect(JSON.stringify(read.body)).not.toMatch(/X-Amz|archive\.ndjson/);
      const list = await api('GET', `/api/groups/${group.id}/exports`, { cookie: m.cookie });
      expect([403, 404], m.email).toContain(list.status);
      expect(JSON.stringify(list.body)).not.toMatch(/X-Amz|archive\.ndjson/);
    }
    // Made admin again, the same person reads their export again: the right is what decides.
    expect((await api('PATCH', `/api/memberships/${group.id}.${demoted.userId}`, { cookie: admin.cookie, body: { role: 'admin' } })).status).toBe(200);
    expect((await api('GET', `/api/exports/${exports.get(demoted.userId)}`, { cookie: demoted.cookie })).status).toBe(200);
  });

  it('answers 404 once the group is archived, even to the admin who asked', async () => {
    const { admin, group } = await groupWithMembers(0);
    const id = await readyExport(group.id, admin.userId);
    expect((await api('GET', `/api/exports/${id}`, { cookie: admin.cookie })).status).toBe(200);
    expect((await api('DELETE', `/api/groups/${group.id}`, { cookie: admin.cookie })).status).toBe(204);
    expect((await api('GET', `/api/exports/${id}`, { cookie: admin.cookie })).status).toBe(404);
  });
});

describe('reading an import report', () => {
  async function doneImport(userId: string, made: { id: string; handle: string; name: string }) {
    const importId = randomBytes(16).toString('base64url').slice(0, 22);
    const requestedAt = new Date().toISOString();
    await rawTable().send(new PutCommand({
      TableName: inject('tableName'),
      Item: {
        pk: `groupimport#${importId}`, sk: 'job', gsi1pk: `imports#${userId}`, gsi1sk: `${requestedAt}#${importId}`,
        type: 'groupImport', importId, userId, uploadKey: `imports/${userId}/x/archive.ndjson.gz`, status: 'done', requestedAt, finishedAt: requestedAt,
        report: { groups: [{ sourceId: 'old-group', ...made }], counts: { threads: 2 }, ids: { 'old-group': made.id } },
      },
    }));
    return importId;
  }

  it('is for the importer only, and names the new group only while the importer may still see it', async () => {
    const importer = await signIn();
    const made = await createGroup(importer.cookie, { privacy: 'secret' });
    const id = await doneImport(importer.userId, made);
    const someoneElse = await signIn();

    const mine = await api('GET', `/api/imports/${id}`, { cookie: importer.cookie });
    expect(mine.status).toBe(200);
    expect(mine.body.report).toMatchObject({ groups: [{ id: made.id, handle: made.handle }], ids: { 'old-group': made.id }, counts: { threads: 2 } });
    expect((await api('GET', `/api/imports/${id}`, { cookie: someoneElse.cookie })).status).toBe(404);
    expect((await api('GET', '/api/imports', { cookie: someoneElse.cookie })).body.items).toEqual([]);

    expect((await api('DELETE', `/api/groups/${made.id}`, { cookie: importer.cookie })).status).toBe(204);
    const after = await api('GET', `/api/imports/${id}`, { cookie: importer.cookie });
    expect(after.status).toBe(200);
    expect(after.body.report).toMatchObject({ groups: [], counts: { threads: 2 } });
    expect(after.body.report).not.toHaveProperty('ids');
    expect(JSON.stringify(after.body)).not.toContain(made.handle);
    const listed = await api('GET', '/api/imports', { cookie: importer.cookie });
    expect(JSON.stringify(listed.body)).not.toContain(made.handle);
  });
});
