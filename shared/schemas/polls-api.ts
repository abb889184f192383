import * as z from 'zod/mini';
import { CreatePoll } from '../polls/schemas.ts';
import { RefId } from './common.ts';
import { Markdown } from './groups.ts';
import { PollAudience } from './notifications.ts';

const Id = z.string().check(z.regex(/^[A-Za-z0-9_.-]{1,100}$/, { error: 'Unknown id.' }));

/** A poll, where it sits (a group, and optionally a thread of it) and who may vote. */
export const StartPoll = z.intersection(
  z.object({
    groupId: RefId('Say which group the poll is in.', 'No such group.'),
    discussionId: z.optional(Id),
    voterIds: z.optional(z.array(Id).check(z.maxLength(1000, { error: 'Invite at most 1,000 voters.' }))),
    /** Also email these people about the new poll (members_can_announce applies). */
    announce: z.optional(PollAudience),
  }),
  CreatePoll,
);

const FutureTime = z.pipe(
  z.iso.datetime({ offset: true, error: 'A closing time is an ISO date-time like 2025-03-01T17:00:00Z.' }),
  z.transform((s: string) => new Date(s).toISOString()),
);

export const UpdatePoll = z.object({
  title: z.optional(z.string().check(z.trim(), z.minLength(1, { error: 'Enter a title.' }), z.maxLength(250, { error: 'A title has at most 250 characters.' }))),
  details: z.optional(Markdown),
  closingAt: z.optional(FutureTime),
  anonymous: z.optional(z.boolean()),
  hideResults: z.optional(z.enum(['off', 'until_voted', 'until_closed'])),
});

export const ReopenPoll = z.object({ closingAt: FutureTime });

export const RemindVoters = z.object({
  audience: z._default(z.enum(['undecided', 'voters', 'everyone']), 'undecided'),
});

export const CreateOutcome = z.object({
  statement: z.string({ error: 'Write the outcome.' }).check(z.trim(), z.minLength(1, { error: 'Write the outcome.' }), z.maxLength(20_000, { error: 'Keep the outcome under 20,000 characters.' })),
  optionId: z.optional(z.nullable(z.string())),
  reviewOn: z.optional(z.nullable(z.iso.date({ error: 'A review date looks like 2025-06-30.' }))),
  event: z.optional(
    z.nullable(
      z.object({
        start: z.string({ error: 'Give the meeting time.' }),
        durationMinutes: z._default(z.number().check(z.int(), z.minimum(5), z.maximum(24 * 60)), 60),
        location: z.optional(z.string().check(z.maxLength(500))),
      }),
    ),
  ),
  /** Also email these people about the outcome (members_can_announce applies). */
  announce: z.optional(PollAudience),
});

export const PollListQuery = z.object({
  status: z._default(z.enum(['open', 'closed'], { error: 'status is open or closed.' }), 'open'),
  cursor: z.optional(z.string()),
});

export const VotesQuery = z.object({ cursor: z.optional(z.string()) });

/** The published ballot list of a closed anonymous poll, page by page. */
export const BallotListQuery = z.object({ cursor: z.optional(z.string()) });
