import { ReceiptLookup, Vote, WithdrawVote } from '../../polls/schemas.ts';
import { BallotListQuery, CreateOutcome, PollListQuery, RemindVoters, ReopenPoll, StartPoll, UpdatePoll, VotesQuery } from '../../schemas/polls-api.ts';
import { SetItemVolume } from '../../schemas/notifications.ts';
import type { RouteSpec } from '../route-spec.ts';

/** Polls and decisions: votes, results, closing, reminders and outcomes. */
export const pollRoutes = {
  'POST /api/polls': { fn: 'polls', auth: 'required', status: 201, summary: 'Start a poll in a group or in one of its threads.', body: StartPoll },
  'GET /api/polls/{id}': { fn: 'polls', auth: 'optional', status: 200, summary: 'A poll, your vote, and its results when you may see them.' },
  'PATCH /api/polls/{id}': { fn: 'polls', auth: 'required', status: 200, summary: 'Edit a poll; results settings only tighten.', body: UpdatePoll },
  'POST /api/polls/{id}/close': { fn: 'polls', auth: 'required', status: 200, summary: 'Close now.' },
  'POST /api/polls/{id}/reopen': { fn: 'polls', auth: 'required', status: 200, summary: 'Reopen a closed poll that is not anonymous, with a new closing time.', body: ReopenPoll },
  'POST /api/polls/{id}/remind': { fn: 'polls', auth: 'required', status: 202, summary: 'Remind voters (undecided by default).', body: RemindVoters },
  'GET /api/polls/{id}/results.csv': { fn: 'polls', auth: 'optional', status: 200, summary: 'Results as CSV; per-voter rows only when the poll is not anonymous.' },
  'GET /api/polls/{id}/ballots.blt': { fn: 'polls', auth: 'optional', status: 200, summary: 'Election ballots as BLT, sorted and with no voter identity, for anyone who may see the results.' },
  'PUT /api/polls/{id}/vote': { fn: 'polls', auth: 'required', status: 200, summary: 'Vote, or change your vote while the poll is open. In an anonymous poll a first vote answers with its receipt, and a change sends it.', body: Vote },
  'DELETE /api/polls/{id}/vote': { fn: 'polls', auth: 'required', status: 204, summary: 'Withdraw your vote (in an anonymous poll, with its receipt).', body: WithdrawVote, optionalBody: true },
  'POST /api/polls/{id}/receipt': { fn: 'polls', auth: 'required', status: 200, summary: 'Your anonymous ballot, found by its receipt.', body: ReceiptLookup },
  'GET /api/polls/{id}/ballots': { fn: 'polls', auth: 'optional', status: 200, summary: 'A closed anonymous poll\'s ballots, by receipt fingerprint and in fingerprint order, for anyone who may see its results.', query: BallotListQuery },
  'GET /api/polls/{id}/votes': { fn: 'polls', auth: 'optional', status: 200, summary: 'Who voted how (not for anonymous polls).', query: VotesQuery },
  'POST /api/polls/{id}/outcome': { fn: 'polls', auth: 'required', status: 201, summary: 'State the outcome of a closed poll.', body: CreateOutcome },
  'GET /api/outcomes/{id}/invite.ics': { fn: 'polls', auth: 'optional', status: 200, summary: 'The iCalendar invite of a meeting outcome.' },
  'GET /api/groups/{id}/polls': { fn: 'polls', auth: 'optional', status: 200, summary: 'A group\'s open or closed polls.', query: PollListQuery },
  'PUT /api/polls/{id}/volume': { fn: 'polls', auth: 'required', status: 200, summary: 'How much a member hears from this poll: mute, quiet, normal or loud, ahead of the group\'s volume; `group` follows the group again.', body: SetItemVolume },
} as const satisfies Record<string, RouteSpec>;
