import { describe, expect, it } from 'vitest';
import { flagDefaults } from '../schemas/groups.ts';
import { canExportGroup, canReadExport, canReadImportReport } from './exports.ts';
import { defaultsFor, type GroupFacts, type Viewer } from './groups.ts';

const group = (archived = false): GroupFacts => ({
  id: 'g1', parentId: null, ...defaultsFor('closed'), flags: { ...flagDefaults },
  isVisibleToParentMembers: false, parentMembersCanSeeDiscussions: false, adminCount: 1, archived,
});

// The requester is u-asker; each actor is how things stand now, not when the export was asked for.
const actors: Record<string, Viewer> = {
  'the admin who asked': { userId: 'u-asker', membership: { role: 'admin' }, parentMembership: null },
  'the asker, demoted to member': { userId: 'u-asker', membership: { role: 'member' }, parentMembership: null },
  'the asker, removed or gone': { userId: 'u-asker', membership: null, parentMembership: null },
  'another admin': { userId: 'u-other', membership: { role: 'admin' }, parentMembership: null },
  'a member': { userId: 'u-member', membership: { role: 'member' }, parentMembership: null },
  'signed out': { userId: null, membership: null, parentMembership: null },
};

describe('reading an export and its links', () => {
  it.each([
    ['the admin who asked', true],
    ['the asker, demoted to member', false],
    ['the asker, removed or gone', false],
    ['another admin', false],
    ['a member', false],
    ['signed out', false],
  ])('%s: %s', (actor, allowed) => {
    expect(canReadExport(group(), actors[actor]!, { requestedBy: 'u-asker' })).toBe(allowed);
  });

  it('is refused to everyone once the group is archived', () => {
    for (const viewer of Object.values(actors)) expect(canReadExport(group(true), viewer, { requestedBy: 'u-asker' })).toBe(false);
  });

  it('follows the right to export, which only admins hold', () => {
    expect(canExportGroup(group(), actors['the admin who asked']!)).toBe(true);
    expect(canExportGroup(group(), actors['the asker, demoted to member']!)).toBe(false);
  });
});

describe('reading an import report', () => {
  it.each([
    ['u-importer', true],
    ['u-other', false],
    [null, false],
  ] as const)('by %s: %s', (actorId, allowed) => {
    expect(canReadImportReport(actorId, { userId: 'u-importer' })).toBe(allowed);
  });
});
