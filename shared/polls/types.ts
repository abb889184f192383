import type * as z from 'zod/mini';
import type { Method, ResultOf } from '../elections/index.ts';
import type {
  Answer,
  ChoiceSettings,
  ClosingSoonNotify,
  CountSettings,
  CreatePoll,
  DotVoteSettings,
  ElectionSettings,
  HideResults,
  MeetingSettings,
  PollType as PollTypeSchema,
  RankedChoiceSettings,
  ReasonSetting as ReasonSettingSchema,
  ScoreSettings,
  Vote,
} from './schemas.ts';

export type PollType = z.infer<typeof PollTypeSchema>;
export type ReasonSetting = z.infer<typeof ReasonSettingSchema>;
export type CreatePoll = z.infer<typeof CreatePoll>;
/** What a client sends before defaults are applied. */
export type CreatePollInput = z.input<typeof CreatePoll>;
export type VoteInput = z.input<typeof Vote>;
export type Answer = z.infer<typeof Answer>;

/** Settings after defaults, per type; types without settings have `{}`. */
export interface SettingsOf {
  proposal: Record<string, never>;
  check: Record<string, never>;
  count: z.infer<typeof CountSettings>;
  poll: z.infer<typeof ChoiceSettings>;
  dot_vote: z.infer<typeof DotVoteSettings>;
  score: z.infer<typeof ScoreSettings>;
  ranked_choice: z.infer<typeof RankedChoiceSettings>;
  meeting: z.infer<typeof MeetingSettings>;
  question: Record<string, never>;
  election: z.infer<typeof ElectionSettings>;
}

export interface PollOption {
  id: string;
  /** For meetings, the normalized date or UTC date-time. */
  name: string;
}

export interface PassTest {
  optionId: string;
  comparator: 'gte' | 'lte';
  percent: number;
  /** `votes`: the option's share of all totals; `voters`: its voters as a share of eligible voters. */
  of: 'votes' | 'voters';
}

interface PollCommon {
  title: string;
  details: string;
  options: PollOption[];
  reasonSetting: ReasonSetting;
  anonymous: boolean;
  hideResults: z.infer<typeof HideResults>;
  specifiedVotersOnly: boolean;
  closingAt: string | null;
  quorumPercent: number | null;
  passTests: PassTest[];
  noneOfTheAbove: boolean;
  closingSoonNotify: z.infer<typeof ClosingSoonNotify>;
}

/** A poll as the library reads it: options carry ids; narrow on `type` to get typed settings. */
export type Poll = { [T in PollType]: PollCommon & { type: T; settings: SettingsOf[T] } }[PollType];
export type PollOf<T extends PollType> = Extract<Poll, { type: T }>;

export interface SingleChoice {
  option: string;
}
export interface MultipleChoice {
  options: string[];
}
export interface ScoresChoice {
  scores: Record<string, number>;
}
export interface RankingChoice {
  ranking: string[];
}
export interface AnswersChoice {
  answers: Record<string, Answer>;
}
export type NoChoice = Record<string, never>;
export type Choices = SingleChoice | MultipleChoice | ScoresChoice | RankingChoice | AnswersChoice | NoChoice;

/**
 * A validated vote, as stored. Dot votes keep only options with dots; every other shape is
 * as the voter sent it. `reason` is trimmed, or null.
 */
export interface Ballot {
  choices: Choices;
  reason: string | null;
}

/** A ballot with the name of whoever cast it, for per-voter grids, answers and CSV exports. */
export interface VoterBallot {
  voterName: string;
  ballot: Ballot;
}

export interface OptionTally {
  /** Votes, dots, summed scores, Borda points, meeting score (yes 2, maybe 1) or first preferences. */
  total: number;
  /** Voters who chose, dotted, scored or ranked the option (meeting: answered yes or maybe). */
  voters: number;
}

export interface MeetingTally {
  yes: number;
  maybe: number;
  no: number;
}

/**
 * Running totals kept on the poll. Plain JSON; every leaf is an integer, so DynamoDB adds are exact.
 * Keys of `options` and `meeting` are option ids (see `toStoredTally` for the stored form).
 */
export interface Tally {
  voters: number;
  options: Record<string, OptionTally>;
  meeting?: Record<string, MeetingTally>;
}

/** What one ballot adds to a tally: the same shape, holding increments. */
export type TallyDelta = Tally;

export interface OptionResult {
  id: string;
  name: string;
  total: number;
  voters: number;
  /** total ÷ the sum of all options' totals, in %, 2 decimals. */
  percentOfVotes: number;
  /** voters ÷ eligible voters, in %, 2 decimals. */
  percentOfEligible: number;
  /** total ÷ the option's voters (dot_vote, score, ranked_choice, meeting); null for others. */
  average: number | null;
  /** 1 for the highest total; equal totals share a rank (1, 1, 3). */
  rank: number;
  /** Present when the option carries a pass test. */
  passTest: (PassTest & { value: number; passed: boolean }) | null;
  /** Meeting polls only. */
  answers: MeetingTally | null;
}

export interface QuorumResult {
  percent: number;
  reached: boolean;
  /** ceil(percent × eligible) − voters, never below 0. */
  votesNeeded: number;
}

export interface PollResults {
  type: PollType;
  voters: number;
  eligibleVoters: number;
  /** Eligible voters who have not voted; null for meetings. */
  undecided: number | null;
  /** The sum of every option's total: the denominator of `percentOfVotes`. */
  totalOfTotals: number;
  /** Poll and ranked choice: sorted by total, highest first. Others: in option order. */
  options: OptionResult[];
  quorum: QuorumResult | null;
  /** Count polls: yes against the target. */
  count: { yes: number; target: number; reached: boolean } | null;
  /** Meetings with ballots given, not anonymous: who answered what. */
  meetingGrid: { voterName: string; answers: Record<string, Answer> }[] | null;
  /** Questions with ballots given: each answer; the name is null in anonymous polls. */
  answers: { voterName: string | null; reason: string }[] | null;
  /** Elections with ballots given: the full count from shared/elections. */
  election: ResultOf[Method] | null;
  /** Why an election could not be counted (for example, no ballots yet). */
  electionError: string | null;
}

export type VoteValidation = { ok: true; ballot: Ballot } | { ok: false; fields: Record<string, string> };
