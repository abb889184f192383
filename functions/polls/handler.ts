import { capability } from '../lib/http.ts';
import { listBallots, lookupReceipt } from './ballot-list.ts';
import { createPoll } from './create-poll.ts';
import { ballotsBlt, resultsCsvExport } from './exports.ts';
import { getPoll, listVotes } from './get-poll.ts';
import { listPolls } from './list-polls.ts';
import { createOutcome, outcomeInvite } from './outcome.ts';
import { closePoll, remindVoters, reopenPoll, updatePoll } from './poll-controls.ts';
import { castVote, withdrawVote } from './vote.ts';
import { setPollVolume } from '../notifications/set-poll-volume.ts';

export const handler = capability({
  'POST /api/polls': createPoll,
  'GET /api/polls/{id}': getPoll,
  'PATCH /api/polls/{id}': updatePoll,
  'POST /api/polls/{id}/close': closePoll,
  'POST /api/polls/{id}/reopen': reopenPoll,
  'POST /api/polls/{id}/remind': remindVoters,
  'GET /api/polls/{id}/results.csv': resultsCsvExport,
  'GET /api/polls/{id}/ballots.blt': ballotsBlt,
  'PUT /api/polls/{id}/vote': castVote,
  'DELETE /api/polls/{id}/vote': withdrawVote,
  'POST /api/polls/{id}/receipt': lookupReceipt,
  'GET /api/polls/{id}/ballots': listBallots,
  'GET /api/polls/{id}/votes': listVotes,
  'POST /api/polls/{id}/outcome': createOutcome,
  'GET /api/outcomes/{id}/invite.ics': outcomeInvite,
  'GET /api/groups/{id}/polls': listPolls,
  'PUT /api/polls/{id}/volume': setPollVolume,
});
