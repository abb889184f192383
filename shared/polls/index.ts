// The poll library: pure, so the browser preview and the API compute the same thing.

export type * from './types.ts';

/** zod/mini schemas of the API contract: `CreatePoll`, `Vote`, settings per type, option ids and names. */
export {
  Answer,
  ChoiceSettings,
  ClosingSoonNotify,
  CountSettings,
  CreatePoll,
  DotVoteSettings,
  ElectionSettings,
  FIXED_OPTIONS,
  FreeOptions,
  HideResults,
  MeetingOptions,
  MeetingSettings,
  MeetingTime,
  NONE_OF_THE_ABOVE,
  normalizeMeetingTime,
  OptionId,
  OptionName,
  PassTestInput,
  POLL_TYPES,
  PollType,
  RankedChoiceSettings,
  ReasonSetting,
  ScoreSettings,
  Vote,
} from './schemas.ts';

/** `buildPoll(input, previous?)` gives options ids; `choiceShape(poll)` and `rankCount(poll)` describe a vote. */
export { buildPoll, choiceShape, rankCount, type ChoiceShape } from './poll.ts';

/** `validateVote(poll, vote)` → `{ok: true, ballot}` or `{ok: false, fields}`; `fieldErrors` flattens zod errors the same way. */
export { fieldErrors, REASON_MAX, REASON_MIN_VISIBLE, validateVote } from './validate.ts';

/** Running totals and their DynamoDB form: see `deltaToAdds` and `voteChangeAdds`. */
export {
  applyDelta,
  ballotDelta,
  deltaToAdds,
  emptyTally,
  fromStoredTally,
  optionIdOfKey,
  recount,
  tallyKey,
  toStoredTally,
  voteChangeAdds,
} from './tally.ts';

/** `results(poll, tally, {eligibleVoters, ballots?})`: what the result shows, per type. */
export { results, round2, type ResultsContext } from './results.ts';

/** `meetingInvite(...)`: an RFC 5545 METHOD:REQUEST invite for a chosen meeting time. */
export { meetingInvite, type InvitePerson, type MeetingInviteInput } from './ics.ts';

/** `resultsCsv` and `votesCsv`: RFC 4180, safe to open in a spreadsheet. */
export { csvCell, resultsCsv, votesCsv } from './csv.ts';

/** Receipts of anonymous ballots and their fingerprints (the ballot's key, and what the ballot list shows). */
export { canonicalReceipt, formatReceipt, isFingerprint, newReceipt, receiptFingerprint } from './receipts.ts';
