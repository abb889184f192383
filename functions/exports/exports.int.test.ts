import { describe, expect, it } from 'vitest';
import { api, signIn } from '../../scripts/test-support/api.ts';
import { groupWithMembers } from '../../scripts/test-support/groups.ts';

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
