import type { Audience } from '../../shared/schemas/notifications.ts';
import { groupKeys, isActive, type GroupItem, type MembershipItem } from '../groups/store.ts';
import { pollKeys, type PollItem } from '../polls/store.ts';
import { batchRead, keyOf, membersOf, recipientFrom, type Recipient } from './spec.ts';

/**
 * Whom an event is for, inside one group. The poll audiences:
 * - `eligible`: may vote (every member; with specified voters only, those invited);
 * - `undecided`: eligible and not voted (no `voter#<userId>` marker in the poll's partition);
 * - `voted`: has voted; `non_voters`: every member who has not voted, eligible or not.
 */
export type Who =
  | { kind: 'group' }
  | { kind: 'subgroup'; subgroupId: string }
  | { kind: 'members'; userIds: string[] }
  | { kind: 'voted' | 'undecided' | 'eligible' | 'non_voters'; poll: Pick<PollItem, 'pollId' | 'poll'> };

/** An announcement's audience as a `Who`; null when it needs a poll and there is none. */
export function whoOf(audience: Audience, poll: Pick<PollItem, 'pollId' | 'poll'> | null): Who | null {
  switch (audience.kind) {
    case 'group':
      return { kind: 'group' };
    case 'subgroup':
      return audience.subgroupId ? { kind: 'subgroup', subgroupId: audience.subgroupId } : null;
    case 'members':
      return audience.userIds?.length ? { kind: 'members', userIds: audience.userIds } : null;
    case 'voters':
      return poll && { kind: 'voted', poll };
    case 'undecided':
    case 'non_voters':
      return poll && { kind: audience.kind, poll };
  }
}

/**
 * Which of a page of the group's members are in `who`: at most one BatchGet for the page (their
 * subgroup memberships, or their voter and invitee markers), never one read per person.
 */
export async function inAudience(page: Recipient[], group: GroupItem, who: Who): Promise<Set<string>> {
  const ids = page.map((r) => r.userId);
  switch (who.kind) {
    case 'group':
      return new Set(ids);
    case 'members': {
      const chosen = new Set(who.userIds);
      return new Set(ids.filter((id) => chosen.has(id)));
    }
    case 'subgroup': {
      if (!group.subgroups?.some((s) => s.id === who.subgroupId)) return new Set();
      const found = await batchRead<MembershipItem>(ids.map((id) => groupKeys.membership(who.subgroupId, id)));
      return new Set(ids.filter((id) => isActive(found.get(keyOf(groupKeys.membership(who.subgroupId, id))) ?? null)));
    }
    default: {
      const { pollId, poll } = who.poll;
      const invitedOnly = poll.specifiedVotersOnly && (who.kind === 'undecided' || who.kind === 'eligible');
      const found = await batchRead<{ pk: string; sk: string }>([
        ...(who.kind === 'eligible' ? [] : ids.map((id) => pollKeys.voter(pollId, id))),
        ...(invitedOnly ? ids.map((id) => pollKeys.invitee(pollId, id)) : []),
      ]);
      const voted = (id: string) => found.has(keyOf(pollKeys.voter(pollId, id)));
      const eligible = (id: string) => !invitedOnly || found.has(keyOf(pollKeys.invitee(pollId, id)));
      const keep = { voted, undecided: (id: string) => eligible(id) && !voted(id), eligible, non_voters: (id: string) => !voted(id) }[who.kind];
      return new Set(ids.filter(keep));
    }
  }
}

/**
 * The group's active members who are in `who`, a page at a time, each passed through `tag`.
 * Chosen members are read directly (one BatchGet per 100); every other audience pages through the
 * group's memberships (one Query a page) and keeps those `inAudience` finds.
 */
export async function* audienceOf(group: GroupItem, who: Who, because: string, tag: (r: Recipient) => Recipient = (r) => r): AsyncIterable<Recipient[]> {
  if (who.kind === 'members') {
    const ids = [...new Set(who.userIds)];
    for (let i = 0; i < ids.length; i += 100) {
      const found = await batchRead<MembershipItem>(ids.slice(i, i + 100).map((id) => groupKeys.membership(group.groupId, id)));
      const people = [...found.values()].filter((m) => isActive(m)).map((m) => tag(recipientFrom(m, because)));
      if (people.length) yield people;
    }
    return;
  }
  for await (const page of membersOf(group.groupId, undefined, () => because)) {
    const keep = await inAudience(page, group, who);
    const people = page.filter((r) => keep.has(r.userId)).map(tag);
    if (people.length) yield people;
  }
}

/** The named people (an author, the mentioned), if still active members: one BatchGet per 100. */
export async function* theseMembers(groupId: string, userIds: string[], tag: (r: Recipient) => Recipient): AsyncIterable<Recipient[]> {
  const group = { groupId } as GroupItem;
  yield* audienceOf(group, { kind: 'members', userIds }, 'a member', tag);
}
