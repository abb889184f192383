import { describe, expect, it } from 'vitest';
import { flagDefaults, type Privacy } from '../schemas/groups.ts';
import {
  canComment,
  canDeleteComment,
  canEditComment,
  canEditDiscussion,
  canManageDiscussion,
  canSeeDiscussion,
  canStartDiscussion,
  forcedPrivacy,
  type DiscussionFacts,
} from './discussions.ts';
import { defaultsFor, type GroupFacts, type Viewer } from './groups.ts';

const group = (privacy: Privacy, overrides: Partial<GroupFacts> = {}): GroupFacts => ({
  id: 'g1', parentId: null, ...defaultsFor(privacy), flags: { ...flagDefaults },
  isVisibleToParentMembers: false, parentMembersCanSeeDiscussions: false, adminCount: 1, archived: false, ...overrides,
});
const actors: Record<string, Viewer> = {
  admin: { userId: 'u-admin', membership: { role: 'admin' }, parentMembership: null },
  member: { userId: 'u-member', membership: { role: 'member' }, parentMembership: null },
  outsider: { userId: 'u-out', membership: null, parentMembership: null },
  otherGroupMember: { userId: 'u-other', membership: null, parentMembership: null },
  signedOut: { userId: null, membership: null, parentMembership: null },
};
const names = Object.keys(actors);
const thread = (overrides: Partial<DiscussionFacts> = {}): DiscussionFacts => ({ authorId: 'u-author', private: true, closed: false, ...overrides });
const rows = (table: Record<string, boolean[]>) => Object.entries(table).flatMap(([setting, cells]) => names.map((actor, i) => [setting, actor, cells[i]!] as const));

describe('reading threads', () => {
  //                                   admin  member outsider other signedOut
  it.each(rows({
    'open group, public thread':     [true, true, true, true, true],
    'closed group, public thread':   [true, true, true, true, true],
    'closed group, private thread':  [true, true, false, false, false],
    'secret group, private thread':  [true, true, false, false, false],
  }))('%s, %s: %s', (setting, actor, allowed) => {
    const [privacy, , visibility] = setting.split(/[ ,]+/) as [Privacy, string, string];
    expect(canSeeDiscussion(group(privacy), actors[actor]!, thread({ private: visibility === 'private' }))).toBe(allowed);
  });

  it('lets parent-group members read a subgroup\u2019s private threads only when the subgroup allows it', () => {
    const parentMember: Viewer = { userId: 'p', membership: null, parentMembership: { role: 'member' } };
    expect(canSeeDiscussion(group('closed', { parentId: 'p1', parentMembersCanSeeDiscussions: true }), parentMember, thread())).toBe(true);
    expect(canSeeDiscussion(group('closed', { parentId: 'p1', parentMembersCanSeeDiscussions: false }), parentMember, thread())).toBe(false);
  });
});

describe('starting threads', () => {
  it.each(rows({
    membersCanStartDiscussionsOn:  [true, true, false, false, false],
    membersCanStartDiscussionsOff: [true, false, false, false, false],
  }))('%s, %s: %s', (flag, actor, allowed) => {
    const g = group('closed', { flags: { ...flagDefaults, membersCanStartDiscussions: flag.endsWith('On') } });
    expect(canStartDiscussion(g, actors[actor]!)).toBe(allowed);
  });

  it.each([['open', false], ['secret', true]] as const)('forces threads in a %s group to private = %s', (privacy, forced) => {
    expect(forcedPrivacy(group(privacy))).toBe(forced);
  });

  it('lets the author choose in a closed group with public and private threads', () => {
    expect(forcedPrivacy(group('closed', { discussionPrivacy: 'public_or_private' }))).toBeNull();
  });
});

describe('commenting', () => {
  it.each(rows({
    open:   [true, true, false, false, false],
    closed: [false, false, false, false, false],
  }))('%s thread, %s: %s', (state, actor, allowed) => {
    expect(canComment(group('closed'), actors[actor]!, thread({ closed: state === 'closed' }))).toBe(allowed);
  });
});

describe('editing and deleting comments', () => {
  const comment = (authorId: string) => ({ authorId, deleted: false });
  it.each([
    ['author, flags on', 'member', 'u-member', {}, true, true],
    ['author, members_can_edit_comments off', 'member', 'u-member', { membersCanEditComments: false }, false, true],
    ['author, members_can_delete_comments off', 'member', 'u-member', { membersCanDeleteComments: false }, true, false],
    ['another member', 'member', 'u-admin', {}, false, false],
    ['admin, admins_can_edit_user_content on', 'admin', 'u-member', {}, true, true],
    ['admin, admins_can_edit_user_content off', 'admin', 'u-member', { adminsCanEditUserContent: false }, false, true],
    ['outsider', 'outsider', 'u-out', {}, false, false],
  ] as const)('%s: edit %s, delete %s', (_label, actor, authorId, flags, edit, remove) => {
    const g = group('closed', { flags: { ...flagDefaults, ...flags } });
    expect(canEditComment(g, actors[actor]!, thread(), comment(authorId))).toBe(edit);
    expect(canDeleteComment(g, actors[actor]!, thread(), comment(authorId))).toBe(remove);
  });

  it('refuses to edit or delete a deleted comment', () => {
    expect(canEditComment(group('closed'), actors.admin!, thread(), { authorId: 'u-admin', deleted: true })).toBe(false);
    expect(canDeleteComment(group('closed'), actors.admin!, thread(), { authorId: 'u-admin', deleted: true })).toBe(false);
  });
});

describe('thread controls', () => {
  it.each([
    ['admin', 'u-author', true, true],
    ['member', 'u-member', true, true],
    ['member', 'u-author', false, true],
    ['outsider', 'u-out', false, false],
  ] as const)('%s on a thread by %s: manage %s, edit %s', (actor, authorId, manage, edit) => {
    expect(canManageDiscussion(group('closed'), actors[actor]!, thread({ authorId }))).toBe(manage);
    expect(canEditDiscussion(group('closed'), actors[actor]!, thread({ authorId }))).toBe(edit);
  });

  it('lets members edit others\u2019 threads only while members_can_edit_discussions is on', () => {
    const off = group('closed', { flags: { ...flagDefaults, membersCanEditDiscussions: false } });
    expect(canEditDiscussion(off, actors.member!, thread({ authorId: 'someone' }))).toBe(false);
    expect(canEditDiscussion(off, actors.member!, thread({ authorId: 'u-member' }))).toBe(true);
  });
});
