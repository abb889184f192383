import { describe, expect, it } from 'vitest';
import { flagDefaults, type Privacy } from '../schemas/groups.ts';
import {
  canBecomeAdmin,
  canCreateSubgroup,
  canEditGroup,
  canInvite,
  canRemoveMembership,
  canRequestMembership,
  canSeeEmailOf,
  canSeeGroup,
  canSeeMembers,
  defaultSubgroupPrivacy,
  defaultsFor,
  effectivePrivacy,
  listsSubgroup,
  settingsProblems,
  subgroupHandlePrefix,
  type GroupFacts,
  type Viewer,
} from './groups.ts';

const group = (privacy: Privacy, overrides: Partial<GroupFacts> = {}): GroupFacts => ({
  id: 'g1',
  parentId: null,
  ...defaultsFor(privacy),
  flags: { ...flagDefaults },
  isVisibleToParentMembers: false,
  parentMembersCanSeeDiscussions: false,
  adminCount: 1,
  archived: false,
  ...overrides,
});

// The five actors of every table: each row states allow (true) or deny (false).
const actors: Record<string, Viewer> = {
  admin: { userId: 'u-admin', membership: { role: 'admin' }, parentMembership: null },
  member: { userId: 'u-member', membership: { role: 'member' }, parentMembership: null },
  outsider: { userId: 'u-out', membership: null, parentMembership: null },
  otherGroupMember: { userId: 'u-other', membership: null, parentMembership: null },
  signedOut: { userId: null, membership: null, parentMembership: null },
};
type ActorName = keyof typeof actors;
const names = Object.keys(actors) as ActorName[];

const rows = <T extends string>(table: Record<T, boolean[]>) =>
  (Object.entries(table) as Array<[T, boolean[]]>).flatMap(([setting, cells]) => names.map((actor, i) => [setting, actor, cells[i]!] as const));

describe('seeing a group', () => {
  //                    admin  member outsider other  signedOut
  it.each(rows({
    open:   [true, true, true, true, true],
    closed: [true, true, true, true, true],
    secret: [true, true, false, false, false],
  }))('%s group, %s: %s', (privacy, actor, allowed) => {
    expect(canSeeGroup(group(privacy as Privacy), actors[actor]!)).toBe(allowed);
  });

  it('hides an archived group from everyone, its admins included', () => {
    for (const actor of names) expect(canSeeGroup(group('open', { archived: true }), actors[actor]!)).toBe(false);
  });

  it('shows a secret subgroup to parent members only when it is visible to them', () => {
    const parentMember: Viewer = { userId: 'p', membership: null, parentMembership: { role: 'member' } };
    expect(canSeeGroup(group('secret', { parentId: 'p1', isVisibleToParentMembers: true }), parentMember)).toBe(true);
    expect(canSeeGroup(group('secret', { parentId: 'p1', isVisibleToParentMembers: false }), parentMember)).toBe(false);
  });
});

describe('a subgroup of a secret group', () => {
  // A closed subgroup under a secret parent is what older data holds: the rules treat it as secret.
  const legacy = (overrides: Partial<GroupFacts> = {}) => group('closed', { parentId: 'p1', parentPrivacy: 'secret', ...overrides });
  const parentMember: Viewer = { userId: 'p', membership: null, parentMembership: { role: 'member' } };

  it('is secret whatever its own setting says', () => {
    expect(effectivePrivacy(legacy())).toBe('secret');
    expect(effectivePrivacy(group('closed', { parentId: 'p1', parentPrivacy: 'closed' }))).toBe('closed');
  });

  //                    admin  member outsider other  signedOut
  it.each(rows({
    seeGroup:       [true, true, false, false, false],
    seeMembers:     [true, true, false, false, false],
    askToJoin:      [false, false, false, false, false],
  }))('%s, %s: %s', (what, actor, allowed) => {
    const g = legacy({ membershipGranting: 'approval' });
    const rule = { seeGroup: canSeeGroup, seeMembers: canSeeMembers, askToJoin: canRequestMembership }[what as 'seeGroup'];
    expect(rule(g, actors[actor]!)).toBe(allowed);
  });

  it.each([
    [true, true],
    [false, false],
  ])('is seen by parent members when visible to them (%s): %s', (visible, allowed) => {
    expect(canSeeGroup(legacy({ isVisibleToParentMembers: visible }), parentMember)).toBe(allowed);
  });

  it('takes no requests even from parent members who can see it', () => {
    expect(canRequestMembership(legacy({ isVisibleToParentMembers: true, membershipGranting: 'request' }), parentMember)).toBe(false);
  });

  it('defaults to secret, and may be nothing else', () => {
    expect(defaultSubgroupPrivacy('secret')).toBe('secret');
    expect(defaultSubgroupPrivacy('closed')).toBe('closed');
    expect(defaultSubgroupPrivacy('open')).toBe('open');
    expect(settingsProblems(defaultsFor('closed'), 'secret')).toEqual({ privacy: expect.any(String) });
    expect(settingsProblems(defaultsFor('open'), 'secret')).toEqual({ privacy: expect.any(String) });
    expect(settingsProblems(defaultsFor('secret'), 'secret')).toEqual({});
  });

  it('has a handle that does not start with the secret parent\u2019s', () => {
    expect(subgroupHandlePrefix({ handle: 'hidden-circle', privacy: 'secret' })).toBeNull();
    expect(subgroupHandlePrefix({ handle: 'river', privacy: 'closed' })).toBe('river-');
    expect(subgroupHandlePrefix({ handle: 'river', privacy: 'open' })).toBe('river-');
  });
});

describe('listing subgroups on the parent', () => {
  const open = { privacy: 'open' as const, isVisibleToParentMembers: true };
  const closed = { privacy: 'closed' as const, isVisibleToParentMembers: true };
  const secretShown = { privacy: 'secret' as const, isVisibleToParentMembers: true };
  const secretHidden = { privacy: 'secret' as const, isVisibleToParentMembers: false };
  //                                       admin  member outsider other  signedOut
  it.each([
    ['open parent', 'open', open, [true, true, true, true, true]],
    ['open parent', 'open', secretShown, [true, true, false, false, false]],
    ['open parent', 'open', secretHidden, [false, false, false, false, false]],
    ['closed parent', 'closed', closed, [true, true, true, true, true]],
    ['secret parent', 'secret', closed, [true, true, false, false, false]],
    ['secret parent', 'secret', secretShown, [true, true, false, false, false]],
    ['secret parent', 'secret', secretHidden, [false, false, false, false, false]],
  ] as const)('%s (%s) lists %j to admin, member, outsider, other, signed out: %j', (_label, privacy, subgroup, cells) => {
    names.forEach((actor, i) => expect(listsSubgroup(group(privacy), actors[actor]!, subgroup), actor).toBe(cells[i]));
  });
});

describe('seeing members', () => {
  it.each(rows({
    open:   [true, true, true, true, true],
    closed: [true, true, false, false, false],
    secret: [true, true, false, false, false],
  }))('%s group, %s: %s', (privacy, actor, allowed) => {
    expect(canSeeMembers(group(privacy as Privacy), actors[actor]!)).toBe(allowed);
  });
});

describe('inviting people', () => {
  it.each(rows({
    membersCanAddMembersOff: [true, false, false, false, false],
    membersCanAddMembersOn:  [true, true, false, false, false],
  }))('%s, %s: %s', (flag, actor, allowed) => {
    const g = group('closed', { flags: { ...flagDefaults, membersCanAddMembers: flag === 'membersCanAddMembersOn' } });
    expect(canInvite(g, actors[actor]!)).toBe(allowed);
  });
});

describe('creating subgroups', () => {
  it.each(rows({
    membersCanCreateSubgroupsOff: [true, false, false, false, false],
    membersCanCreateSubgroupsOn:  [true, true, false, false, false],
  }))('%s, %s: %s', (flag, actor, allowed) => {
    const g = group('closed', { flags: { ...flagDefaults, membersCanCreateSubgroups: flag === 'membersCanCreateSubgroupsOn' } });
    expect(canCreateSubgroup(g, actors[actor]!)).toBe(allowed);
  });

  it('refuses a subgroup of a subgroup, even to its admin', () => {
    expect(canCreateSubgroup(group('closed', { parentId: 'p1' }), actors.admin!)).toBe(false);
  });
});

describe('editing settings', () => {
  it.each(rows({ open: [true, false, false, false, false], closed: [true, false, false, false, false], secret: [true, false, false, false, false] }))(
    '%s group, %s: %s',
    (privacy, actor, allowed) => {
      expect(canEditGroup(group(privacy as Privacy), actors[actor]!)).toBe(allowed);
    },
  );
});

describe('asking to join', () => {
  it.each(rows({
    request:    [false, false, true, true, false],
    approval:   [false, false, true, true, false],
    invitation: [false, false, false, false, false],
  }))('closed group on %s, %s: %s', (granting, actor, allowed) => {
    const g = group('closed', { membershipGranting: granting as 'request' });
    expect(canRequestMembership(g, actors[actor]!)).toBe(allowed);
  });

  it('is never possible for a secret group', () => {
    expect(canRequestMembership(group('secret', { membershipGranting: 'approval' }), actors.outsider!)).toBe(false);
  });
});

describe('emails and membership changes', () => {
  it.each([
    ['admin', 'u-member', true],
    ['member', 'u-admin', false],
    ['member', 'u-member', true],
    ['outsider', 'u-member', false],
    ['signedOut', 'u-member', false],
  ] as const)('%s sees the email of %s: %s', (actor, subject, allowed) => {
    expect(canSeeEmailOf(actors[actor]!, subject)).toBe(allowed);
  });

  it.each([
    ['admin', 'u-member', true],
    ['member', 'u-member', true],
    ['member', 'u-admin', false],
    ['outsider', 'u-member', false],
  ] as const)('%s removes %s: %s', (actor, subject, allowed) => {
    expect(canRemoveMembership(group('closed'), actors[actor]!, subject)).toBe(allowed);
  });

  it('lets a member become admin only when the group has none', () => {
    expect(canBecomeAdmin(group('closed', { adminCount: 0 }), actors.member!)).toBe(true);
    expect(canBecomeAdmin(group('closed', { adminCount: 1 }), actors.member!)).toBe(false);
    expect(canBecomeAdmin(group('closed', { adminCount: 0 }), actors.outsider!)).toBe(false);
  });
});

describe('privacy settings constrain each other', () => {
  it.each([
    [{ privacy: 'open', discussionPrivacy: 'public_only', membershipGranting: 'request' }, undefined, {}],
    [{ privacy: 'open', discussionPrivacy: 'private_only', membershipGranting: 'request' }, undefined, { discussionPrivacy: expect.any(String) }],
    [{ privacy: 'closed', discussionPrivacy: 'public_or_private', membershipGranting: 'approval' }, undefined, {}],
    [{ privacy: 'closed', discussionPrivacy: 'public_only', membershipGranting: 'approval' }, undefined, { discussionPrivacy: expect.any(String) }],
    [{ privacy: 'secret', discussionPrivacy: 'private_only', membershipGranting: 'invitation' }, undefined, {}],
    [{ privacy: 'secret', discussionPrivacy: 'private_only', membershipGranting: 'request' }, undefined, { membershipGranting: expect.any(String) }],
    [{ privacy: 'open', discussionPrivacy: 'public_only', membershipGranting: 'request' }, 'closed', { privacy: expect.any(String) }],
  ] as const)('%j under a %s parent gives %j', (settings, parent, problems) => {
    expect(settingsProblems(settings, parent)).toEqual(problems);
  });

  it('offers defaults that always hold together', () => {
    for (const privacy of ['open', 'closed', 'secret'] as const) expect(settingsProblems(defaultsFor(privacy))).toEqual({});
  });
});
