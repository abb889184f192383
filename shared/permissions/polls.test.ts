import { describe, expect, it } from 'vitest';
import { flagDefaults } from '../schemas/groups.ts';
import { defaultsFor, type GroupFacts, type Viewer } from './groups.ts';
import { canCreatePoll, canManagePoll, canReopenPoll, canSeePoll, canSeeResults, canSeeVotes, canVote, canWriteOutcome, settingsChangeProblems, type PollFacts } from './polls.ts';

const group = (overrides: Partial<GroupFacts> = {}): GroupFacts => ({
  id: 'g1', parentId: null, ...defaultsFor('closed'), flags: { ...flagDefaults },
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
const poll = (overrides: Partial<PollFacts> = {}): PollFacts => ({ authorId: 'u-author', anonymous: false, hideResults: 'off', specifiedVotersOnly: false, status: 'open', ...overrides });
const rows = (table: Record<string, boolean[]>) => Object.entries(table).flatMap(([setting, cells]) => names.map((actor, i) => [setting, actor, cells[i]!] as const));

describe('seeing and starting polls', () => {
  //                          admin  member outsider other signedOut
  it.each(rows({ standalone: [true, true, false, false, false] }))('%s poll, %s sees it: %s', (_s, actor, allowed) => {
    expect(canSeePoll(group(), actors[actor]!, null)).toBe(allowed);
  });

  it.each(rows({
    membersCanRaiseMotionsOn:  [true, true, false, false, false],
    membersCanRaiseMotionsOff: [true, false, false, false, false],
  }))('%s, %s starts a poll: %s', (flag, actor, allowed) => {
    expect(canCreatePoll(group({ flags: { ...flagDefaults, membersCanRaiseMotions: flag.endsWith('On') } }), actors[actor]!, null)).toBe(allowed);
  });

  it('takes no new poll in a closed thread', () => {
    expect(canCreatePoll(group(), actors.admin!, { authorId: 'x', private: true, closed: true })).toBe(false);
  });
});

describe('voting', () => {
  it.each(rows({
    open:   [true, true, false, false, false],
    closed: [false, false, false, false, false],
    draft:  [false, false, false, false, false],
  }))('%s poll, %s votes: %s', (status, actor, allowed) => {
    expect(canVote(group(), actors[actor]!, poll({ status: status as PollFacts['status'] }), false)).toBe(allowed);
  });

  it.each([[true, true], [false, false]] as const)('with specified voters only, an invited (%s) member may vote: %s', (invited, allowed) => {
    expect(canVote(group(), actors.member!, poll({ specifiedVotersOnly: true }), invited)).toBe(allowed);
  });
});

describe('seeing results and votes, as a viewer who has and has not voted', () => {
  it.each([
    // hideResults, status, anonymous, voted → results, votes
    ['off', 'open', false, false, true, true],
    ['until_voted', 'open', false, false, false, false],
    ['until_voted', 'open', false, true, true, true],
    ['until_closed', 'open', false, true, false, false],
    ['until_closed', 'closed', false, false, true, true],
    ['off', 'open', true, true, true, false],
    ['until_voted', 'open', true, false, false, false],
    ['off', 'closed', true, false, true, false],
  ] as const)('hidden %s, %s, anonymous %s, voted %s: results %s, who voted how %s', (hideResults, status, anonymous, voted, results, votes) => {
    const facts = poll({ hideResults, status, anonymous });
    expect(canSeeResults(facts, voted)).toBe(results);
    expect(canSeeVotes(facts, voted)).toBe(votes);
  });
});

describe('managing polls', () => {
  it.each([
    ['admin', 'u-author', true],
    ['member', 'u-member', true],
    ['member', 'u-author', false],
    ['outsider', 'u-out', false],
  ] as const)('%s on a poll by %s manages it: %s', (actor, authorId, allowed) => {
    expect(canManagePoll(group(), actors[actor]!, poll({ authorId }))).toBe(allowed);
  });

  it('reopens closed polls that are not anonymous, and writes outcomes only after closing', () => {
    expect(canReopenPoll(group(), actors.admin!, poll({ status: 'closed' }))).toBe(true);
    expect(canReopenPoll(group(), actors.admin!, poll({ status: 'closed', anonymous: true }))).toBe(false);
    expect(canWriteOutcome(group(), actors.admin!, poll({ status: 'open' }))).toBe(false);
    expect(canWriteOutcome(group(), actors.admin!, poll({ status: 'closed' }))).toBe(true);
  });

  it('only ever tightens results settings', () => {
    expect(settingsChangeProblems({ anonymous: true, hideResults: 'off' }, { anonymous: false, hideResults: 'off' })).toHaveProperty('anonymous');
    expect(settingsChangeProblems({ anonymous: false, hideResults: 'until_closed' }, { anonymous: false, hideResults: 'until_voted' })).toHaveProperty('hideResults');
    expect(settingsChangeProblems({ anonymous: false, hideResults: 'off' }, { anonymous: true, hideResults: 'until_closed' })).toEqual({});
  });
});
