import { FIXED_OPTIONS, NONE_OF_THE_ABOVE } from './schemas.ts';
import type { CreatePoll, PassTest, Poll, PollOption } from './types.ts';

/**
 * Turns a parsed create (or edit) input into the poll the library reads: fixed options for
 * proposal, check and count; ids for free options; "none of the above" appended; ranked
 * choice's K clamped to the option count; pass tests pointing at option ids.
 * When editing, pass the `previous` poll: an option keeps its id while its name is unchanged,
 * so stored ballots and tallies still point at it.
 */
export function buildPoll(input: CreatePoll, previous?: Pick<Poll, 'options'>): Poll {
  const options = optionsFor(input, previous?.options ?? []);
  const passTests: PassTest[] = input.passTests.map((test) => {
    const wanted = test.option.trim().toLowerCase();
    const option = options.find((o) => o.name.toLowerCase() === wanted || o.id === wanted);
    if (!option) throw new Error(`pass test names an unknown option: ${test.option}`);
    return { optionId: option.id, comparator: test.comparator, percent: test.percent, of: test.of };
  });
  const { passTests: _, options: __, ...rest } = input as CreatePoll & { options?: string[] };
  const settings = 'settings' in input ? { ...input.settings } : {};
  if (input.type === 'ranked_choice') Object.assign(settings, { rankCount: Math.min(input.settings.rankCount, options.length) });
  return { ...rest, settings, options, passTests } as Poll;
}

function optionsFor(input: CreatePoll, previous: PollOption[]): PollOption[] {
  if (input.type === 'proposal' || input.type === 'check' || input.type === 'count') return FIXED_OPTIONS[input.type].map((o) => ({ ...o }));
  if (input.type === 'question') return [];
  const idByName = new Map(previous.map((o) => [o.name.toLowerCase(), o.id]));
  let next = Math.max(0, ...previous.map((o) => /^o(\d+)$/.exec(o.id)).map((m) => (m ? Number(m[1]) : 0))) + 1;
  const options = input.options.map((name) => ({ id: idByName.get(name.toLowerCase()) ?? `o${next++}`, name }));
  if (input.noneOfTheAbove) options.push({ ...NONE_OF_THE_ABOVE });
  return options;
}

/** How a vote's `choices` must look for this poll. */
export type ChoiceShape = 'option' | 'options' | 'scores' | 'ranking' | 'answers' | 'none';

/** Which `choices` shape a vote in this poll must have; a single-choice poll takes `option`, a multiple-choice one `options`. */
export function choiceShape(poll: Poll): ChoiceShape {
  switch (poll.type) {
    case 'proposal':
    case 'check':
    case 'count':
      return 'option';
    case 'poll':
      return poll.settings.maxChoices === 1 ? 'option' : 'options';
    case 'dot_vote':
    case 'score':
      return 'scores';
    case 'ranked_choice':
    case 'election':
      return 'ranking';
    case 'meeting':
      return 'answers';
    case 'question':
      return 'none';
  }
}

/** K: how many options a ranked-choice voter ranks, never more than there are options. */
export function rankCount(poll: Extract<Poll, { type: 'ranked_choice' }>): number {
  return Math.min(poll.settings.rankCount, poll.options.length);
}
