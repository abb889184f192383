import * as z from 'zod/mini';
import type { Method } from '../elections/index.ts';

// The API contract for polls and votes. Every error message names the field's rule, because
// the API answers 422 with these messages per field and the form shows them beside the field.

export const POLL_TYPES = ['proposal', 'check', 'count', 'poll', 'dot_vote', 'score', 'ranked_choice', 'meeting', 'question', 'election'] as const;

export const PollType = z.enum(POLL_TYPES, { error: `Choose a poll type: ${POLL_TYPES.join(', ')}.` });

/** Option ids are chosen by Moot, never typed by people; `-` is allowed, so tally paths encode it. */
export const OptionId = z.string({ error: 'An option id is text.' }).check(
  z.regex(/^[A-Za-z0-9_-]{1,40}$/, { error: 'An option id has 1 to 40 letters, digits, _ or -.' }),
);

export const OptionName = z.string({ error: 'An option name is text.' }).check(
  z.trim(),
  z.minLength(1, { error: 'An option needs a name.' }),
  z.maxLength(200, { error: 'An option name has at most 200 characters.' }),
);

const optionCount = [
  z.minLength(1, { error: 'Add at least one option.' }),
  z.maxLength(100, { error: 'A poll has at most 100 options.' }),
] as const;

const uniqueNames = z.refine<string[]>((names) => new Set(names.map((n) => n.toLowerCase())).size === names.length, {
  error: 'Option names must be unique.',
});

export const FreeOptions = z.array(OptionName).check(...optionCount, uniqueNames);

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function isCalendarDate(y: number, m: number, d: number): boolean {
  const date = new Date(Date.UTC(y, m - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d;
}

function isMeetingTime(value: string): boolean {
  const date = DATE.exec(value);
  if (date) return isCalendarDate(Number(date[1]), Number(date[2]), Number(date[3]));
  const time = DATE_TIME.exec(value);
  if (!time) return false;
  const [hour, minute, second] = [Number(time[4]), Number(time[5]), Number(time[6] ?? 0)];
  return isCalendarDate(Number(time[1]), Number(time[2]), Number(time[3])) && hour < 24 && minute < 60 && second < 60;
}

/**
 * A meeting option: a day (`2025-03-01`) stays as it is; a moment is converted to UTC without
 * milliseconds (`2025-03-01T09:00:00Z`), so the same moment typed twice is one option and
 * plain string order is time order.
 */
export function normalizeMeetingTime(value: string): string {
  if (DATE.test(value)) return value;
  return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export const MeetingTime = z.pipe(
  z.string({ error: 'A meeting option is a date or a date-time.' }).check(
    z.trim(),
    z.refine(isMeetingTime, { error: 'Use a date like 2025-03-01 or a date-time with a time zone, like 2025-03-01T09:00:00Z.' }),
  ),
  z.transform(normalizeMeetingTime),
);

export const MeetingOptions = z
  .pipe(z.array(MeetingTime).check(...optionCount), z.transform((times: string[]) => [...times].sort()))
  .check(z.refine((times: string[]) => new Set(times).size === times.length, { error: 'Each meeting time can be offered once.' }));

const wholeNumber = (what: string, min: number, max: number) =>
  z.number({ error: `${what} is a number.` }).check(
    z.int({ error: `${what} is a whole number.` }),
    z.minimum(min, { error: `${what} is at least ${min}.` }),
    z.maximum(max, { error: `${what} is at most ${max}.` }),
  );

const percent = (what: string) =>
  z.number({ error: `${what} is a number.` }).check(
    z.minimum(0, { error: `${what} is at least 0.` }),
    z.maximum(100, { error: `${what} is at most 100.` }),
  );

export const CountSettings = z.object({ target: z._default(wholeNumber('The target', 1, 1_000_000), 5) });

export const ChoiceSettings = z
  .object({
    minChoices: z._default(wholeNumber('The minimum number of choices', 1, 100), 1),
    maxChoices: z._default(wholeNumber('The maximum number of choices', 1, 100), 1),
  })
  .check(
    z.superRefine((s, ctx) => {
      if (s.minChoices > s.maxChoices) {
        ctx.issues.push({ code: 'custom', input: s, path: ['maxChoices'], message: 'The maximum number of choices is at least the minimum.' });
      }
    }),
  );

export const DotVoteSettings = z.object({ dots: z._default(wholeNumber('The number of dots', 1, 1000), 8) });

export const ScoreSettings = z
  .object({
    min: z._default(wholeNumber('The lowest score', -1000, 1000), 0),
    max: z._default(wholeNumber('The highest score', -1000, 1000), 5),
  })
  .check(
    z.superRefine((s, ctx) => {
      if (s.min >= s.max) ctx.issues.push({ code: 'custom', input: s, path: ['max'], message: 'The highest score is above the lowest.' });
    }),
  );

export const RankedChoiceSettings = z.object({ rankCount: z._default(wholeNumber('The number of options to rank', 1, 100), 3) });

export const MeetingSettings = z.object({
  allowMaybe: z._default(z.boolean({ error: 'allowMaybe is true or false.' }), true),
  durationMinutes: z._default(wholeNumber('The meeting length in minutes', 1, 7 * 24 * 60), 60),
});

// Spelled out so zod sees literals; `satisfies` keeps it in step with shared/elections.
const ELECTION_METHODS = ['stv-scottish', 'stv-meek', 'irv', 'schulze'] as const satisfies readonly Method[];

export const ElectionSettings = z.object({
  method: z.enum(ELECTION_METHODS, { error: `Choose a counting method: ${ELECTION_METHODS.join(', ')}.` }),
  seats: z._default(wholeNumber('The number of seats', 1, 100), 1),
  rankAll: z._default(z.boolean({ error: 'rankAll is true or false.' }), false),
});

export const ReasonSetting = z.enum(['disabled', 'optional', 'required'], { error: 'Choose disabled, optional or required for reasons.' });
export const HideResults = z.enum(['off', 'until_voted', 'until_closed'], { error: 'Choose off, until_voted or until_closed.' });
export const ClosingSoonNotify = z.enum(['nobody', 'author', 'undecided', 'voters'], {
  error: 'Choose nobody, author, undecided or voters.',
});

/** A pass test in the create input names its option; `buildPoll` turns the name into the id. */
export const PassTestInput = z.object({
  option: z.string({ error: 'Name the option this test is for.' }),
  comparator: z.enum(['gte', 'lte'], { error: 'Choose gte (at least) or lte (at most).' }),
  percent: percent('The pass percentage'),
  of: z.enum(['votes', 'voters'], { error: 'Choose votes or voters.' }),
});

const Markdown = z.string({ error: 'Details are text.' }).check(z.maxLength(20_000, { error: 'Keep the details under 20,000 characters.' }));

const common = {
  title: z.string({ error: 'Enter a title.' }).check(
    z.trim(),
    z.minLength(1, { error: 'Enter a title.' }),
    z.maxLength(250, { error: 'A title has at most 250 characters.' }),
  ),
  details: z._default(Markdown, ''),
  reasonSetting: z._default(ReasonSetting, 'optional'),
  anonymous: z._default(z.boolean({ error: 'anonymous is true or false.' }), false),
  hideResults: z._default(HideResults, 'off'),
  specifiedVotersOnly: z._default(z.boolean({ error: 'specifiedVotersOnly is true or false.' }), false),
  closingAt: z._default(
    z.nullable(
      z.pipe(
        z.iso.datetime({ offset: true, error: 'closingAt is an ISO date-time like 2025-03-01T17:00:00Z, or null for a draft.' }),
        z.transform((s: string) => new Date(s).toISOString()),
      ),
    ),
    null,
  ),
  quorumPercent: z._default(z.nullable(percent('The quorum')), null),
  passTests: z._default(z.array(PassTestInput).check(z.maxLength(100, { error: 'At most 100 pass tests.' })), []),
  noneOfTheAbove: z._default(z.boolean({ error: 'noneOfTheAbove is true or false.' }), false),
  closingSoonNotify: z._default(ClosingSoonNotify, 'undecided'),
};

const settings = <T extends z.ZodMiniType>(schema: T) => z.prefault(schema, {} as z.input<T>);

const variants = [
  z.object({ type: z.literal('proposal'), ...common }),
  z.object({ type: z.literal('check'), ...common }),
  z.object({ type: z.literal('count'), ...common, settings: settings(CountSettings) }),
  z.object({ type: z.literal('poll'), ...common, options: FreeOptions, settings: settings(ChoiceSettings) }),
  z.object({ type: z.literal('dot_vote'), ...common, options: FreeOptions, settings: settings(DotVoteSettings) }),
  z.object({ type: z.literal('score'), ...common, options: FreeOptions, settings: settings(ScoreSettings) }),
  z.object({ type: z.literal('ranked_choice'), ...common, options: FreeOptions, settings: settings(RankedChoiceSettings) }),
  z.object({ type: z.literal('meeting'), ...common, options: MeetingOptions, settings: settings(MeetingSettings) }),
  z.object({ type: z.literal('question'), ...common, reasonSetting: z._default(z.literal('required', { error: 'A question always asks for a reason.' }), 'required') }),
  z.object({ type: z.literal('election'), ...common, options: FreeOptions, settings: ElectionSettings }),
] as const;

/**
 * Whether a type has a quorum: a meeting poll finds a time and a question gathers answers; neither
 * decides anything a quorum could validate.
 */
export const hasQuorum = (type: string): boolean => type !== 'meeting' && type !== 'question';

/** Fixed options of the types whose options people do not write. */
export const FIXED_OPTIONS = {
  proposal: [
    { id: 'agree', name: 'Agree' },
    { id: 'abstain', name: 'Abstain' },
    { id: 'disagree', name: 'Disagree' },
    { id: 'block', name: 'Block' },
  ],
  check: [
    { id: 'looks_good', name: 'Looks good' },
    { id: 'not_sure', name: 'Not sure' },
    { id: 'concerned', name: 'Concerned' },
  ],
  count: [
    { id: 'yes', name: 'Yes' },
    { id: 'no', name: 'No' },
  ],
} as const;

export const NONE_OF_THE_ABOVE = { id: 'none_of_the_above', name: 'None of the above' } as const;

/** The option names a create input offers, as `buildPoll` will (fixed ones, and none of the above). */
export function inputOptionNames(input: { type: string; options?: string[]; noneOfTheAbove?: boolean }): string[] {
  const fixed = (FIXED_OPTIONS as Record<string, readonly { id: string; name: string }[]>)[input.type];
  const names = fixed ? fixed.flatMap((o) => [o.id, o.name]) : [...(input.options ?? [])];
  if (input.noneOfTheAbove) names.push(NONE_OF_THE_ABOVE.name);
  return names;
}

/** The body of "create a poll": one shape per type, with defaults filled in and cross-field rules checked. */
export const CreatePoll = z.discriminatedUnion('type', [...variants], { error: `Choose a poll type: ${POLL_TYPES.join(', ')}.` }).check(
  z.superRefine((poll, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.issues.push({ code: 'custom', input: poll, path, message });
    const options = 'options' in poll ? poll.options : [];
    if (poll.noneOfTheAbove && poll.type !== 'poll' && poll.type !== 'ranked_choice') {
      issue(['noneOfTheAbove'], 'Only a poll or a ranked choice can offer "none of the above".');
    }
    if (poll.noneOfTheAbove && options.some((o) => o.toLowerCase() === NONE_OF_THE_ABOVE.name.toLowerCase())) {
      issue(['options'], `"${NONE_OF_THE_ABOVE.name}" is added for you; remove it from the options.`);
    }
    if (poll.type === 'poll') {
      const available = options.length + (poll.noneOfTheAbove ? 1 : 0);
      if (options.length > 0 && poll.settings.minChoices > available) issue(['settings', 'minChoices'], `The minimum number of choices is at most the ${available} options.`);
    }
    if (poll.type === 'election') {
      if (options.length > 0 && poll.settings.seats > options.length) issue(['settings', 'seats'], 'There are at least as many candidates as seats.');
      if (poll.settings.method === 'irv' && poll.settings.seats !== 1) issue(['settings', 'seats'], 'Instant-runoff (irv) fills one seat.');
    }
    if (poll.type === 'question' && poll.passTests.length > 0) issue(['passTests'], 'A question has no options to test.');
    if (!hasQuorum(poll.type) && poll.quorumPercent !== null) issue(['quorumPercent'], `A ${poll.type === 'meeting' ? 'meeting poll' : 'question'} has no quorum: it decides nothing a quorum could validate.`);
    const names = new Set(inputOptionNames(poll).map((n) => n.toLowerCase()));
    poll.passTests.forEach((test, i) => {
      if (!names.has(test.option.trim().toLowerCase())) issue(['passTests', i, 'option'], `There is no option named "${test.option}".`);
    });
  }),
);

export const Answer = z.enum(['yes', 'maybe', 'no'], { error: 'Answer yes, maybe or no.' });

export const SingleChoice = z.strictObject({ option: OptionId });
export const MultipleChoice = z.strictObject({ options: z.array(OptionId).check(z.maxLength(100, { error: 'Choose at most 100 options.' })) });
export const ScoresChoice = z.strictObject({ scores: z.record(OptionId, z.number({ error: 'A score is a number.' })) });
export const RankingChoice = z.strictObject({ ranking: z.array(OptionId).check(z.maxLength(100, { error: 'Rank at most 100 options.' })) });
export const AnswersChoice = z.strictObject({ answers: z.record(OptionId, Answer) });
export const NoChoice = z.strictObject({});

/** The body of "vote": `choices` has one shape per poll type; `validateVote` picks and checks it. */
export const Vote = z.object({
  choices: z.union([SingleChoice, MultipleChoice, ScoresChoice, RankingChoice, AnswersChoice, NoChoice], {
    error: 'choices is one of {option}, {options}, {scores}, {ranking}, {answers} or {}.',
  }),
  reason: z.optional(z.nullable(z.string({ error: 'A reason is text.' }))),
  /** Anonymous polls: the receipt of the ballot being changed (none for a first vote). */
  receipt: z.optional(z.string({ error: 'A receipt is text.' })),
});

/** The body of "withdraw a vote": an anonymous ballot is withdrawn with its receipt. */
export const WithdrawVote = z.object({ receipt: z.optional(z.string({ error: 'A receipt is text.' })) });

/** The body of "show my anonymous ballot". */
export const ReceiptLookup = z.object({ receipt: z.string({ error: 'Paste the receipt you were given when you voted.' }) });
