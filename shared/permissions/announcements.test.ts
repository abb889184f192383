import { describe, expect, it } from 'vitest';
import { flagDefaults } from '../schemas/groups.ts';
import { canAnnounce } from './announcements.ts';
import { defaultsFor, type GroupFacts, type Viewer } from './groups.ts';

const group = (membersCanAnnounce: boolean, archived = false): GroupFacts => ({
  id: 'g1',
  parentId: null,
  ...defaultsFor('closed'),
  flags: { ...flagDefaults, membersCanAnnounce },
  isVisibleToParentMembers: false,
  parentMembersCanSeeDiscussions: false,
  adminCount: 1,
  archived,
});

const actors: Record<string, Viewer> = {
  admin: { userId: 'u-admin', membership: { role: 'admin' }, parentMembership: null },
  author: { userId: 'u-author', membership: { role: 'member' }, parentMembership: null },
  member: { userId: 'u-member', membership: { role: 'member' }, parentMembership: null },
  parentMember: { userId: 'u-parent', membership: null, parentMembership: { role: 'admin' } },
  outsider: { userId: 'u-out', membership: null, parentMembership: null },
  signedOut: { userId: null, membership: null, parentMembership: null },
};

describe('canAnnounce', () => {
  it.each([
    ['admin', true, true],
    ['admin', false, true],
    ['author', true, true],
    ['author', false, false],
    ['member', true, false],
    ['member', false, false],
    ['parentMember', true, false],
    ['outsider', true, false],
    ['signedOut', true, false],
  ] as const)('%s with members_can_announce %s: %s', (actor, flag, allowed) => {
    expect(canAnnounce(group(flag), actors[actor]!, { authorId: 'u-author' })).toBe(allowed);
  });

  it('refuses everyone in an archived group', () => {
    expect(canAnnounce(group(true, true), actors.admin!, { authorId: 'u-admin' })).toBe(false);
  });
});
