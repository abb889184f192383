import { describe, expect, it } from 'vitest';
import { buildPoll } from './poll.ts';
import { CreatePoll } from './schemas.ts';
import { fieldErrors } from './validate.ts';
import { makePoll } from './test-builders.ts';

const problems = (input: unknown) => {
  const parsed = CreatePoll.safeParse(input);
  return parsed.success ? {} : fieldErrors(parsed.error);
};

describe('creating a poll', () => {
  it('fills in the defaults of a proposal and gives it the four fixed options', () => {
    // Prepare
    const input = { type: 'proposal', title: '  Adopt the budget  ' };

    // Act
    const poll = buildPoll(CreatePoll.parse(input));

    // Assess
    expect(poll).toMatchObject({
      type: 'proposal',
      title: 'Adopt the budget',
      details: '',
      reasonSetting: 'optional',
      anonymous: false,
      hideResults: 'off',
      specifiedVotersOnly: false,
      closingAt: null,
      quorumPercent: null,
      noneOfTheAbove: false,
      closingSoonNotify: 'undecided',
    });
    expect(poll.options.map((o) => o.id)).toEqual(['agree', 'abstain', 'disagree', 'block']);
  });

  it('fills in the default settings of every type', () => {
    // Prepare, Act
    const settings = {
      count: makePoll('count').settings,
      poll: makePoll('poll').settings,
      dot_vote: makePoll('dot_vote').settings,
      score: makePoll('score').settings,
      ranked_choice: makePoll('ranked_choice').settings,
      meeting: makePoll('meeting').settings,
      election: makePoll('election').settings,
    };

    // Assess
    expect(settings).toEqual({
      count: { target: 5 },
      poll: { minChoices: 1, maxChoices: 1 },
      dot_vote: { dots: 8 },
      score: { min: 0, max: 5 },
      ranked_choice: { rankCount: 3 },
      meeting: { allowMaybe: true, durationMinutes: 60 },
      election: { method: 'stv-scottish', seats: 1, rankAll: false },
    });
  });

  it('names an unknown type', () => {
    expect(problems({ type: 'lottery', title: 'x' })).toEqual({ type: expect.stringContaining('Choose a poll type') });
  });

  it('names each broken limit of the common fields', () => {
    // Prepare
    const input = {
      type: 'poll',
      title: 'x'.repeat(251),
      details: 'y'.repeat(20_001),
      options: ['a'],
      quorumPercent: 101,
      closingAt: 'tomorrow',
      closingSoonNotify: 'everyone',
    };

    // Act
    const fields = problems(input);

    // Assess
    expect(fields).toEqual({
      title: 'A title has at most 250 characters.',
      details: 'Keep the details under 20,000 characters.',
      quorumPercent: 'The quorum is at most 100.',
      closingAt: expect.stringContaining('closingAt is an ISO date-time'),
      closingSoonNotify: 'Choose nobody, author, undecided or voters.',
    });
  });

  it('needs 1 to 100 unique options of 1 to 200 characters', () => {
    expect(problems({ type: 'poll', title: 't', options: [] })).toEqual({ options: 'Add at least one option.' });
    expect(problems({ type: 'poll', title: 't', options: Array.from({ length: 101 }, (_, i) => `o${i}`) })).toEqual({ options: 'A poll has at most 100 options.' });
    expect(problems({ type: 'poll', title: 't', options: ['Tea', ' tea '] })).toEqual({ options: 'Option names must be unique.' });
    expect(problems({ type: 'poll', title: 't', options: ['ok', '  '] })).toEqual({ 'options.1': 'An option needs a name.' });
    expect(problems({ type: 'poll', title: 't', options: ['x'.repeat(201)] })).toEqual({ 'options.0': 'An option name has at most 200 characters.' });
  });

  it('normalizes meeting times to UTC and sorts them', () => {
    // Prepare
    const options = ['2025-03-02T09:00:00Z', '2025-03-01', '2025-03-01T14:00:00+01:00', '2025-03-01T08:30'.concat('Z')];

    // Act
    const poll = makePoll('meeting', { options });

    // Assess
    expect(poll.options.map((o) => o.name)).toEqual(['2025-03-01', '2025-03-01T08:30:00Z', '2025-03-01T13:00:00Z', '2025-03-02T09:00:00Z']);
  });

  it('rejects impossible and zone-less meeting times, and the same moment twice', () => {
    expect(problems({ type: 'meeting', title: 't', options: ['2025-02-30'] })).toEqual({ 'options.0': expect.stringContaining('Use a date like') });
    expect(problems({ type: 'meeting', title: 't', options: ['2025-03-01T09:00'] })).toEqual({ 'options.0': expect.stringContaining('with a time zone') });
    expect(problems({ type: 'meeting', title: 't', options: ['2025-03-01T09:00:00Z', '2025-03-01T10:00:00+01:00'] })).toEqual({
      options: 'Each meeting time can be offered once.',
    });
  });

  it('checks settings against each other and against the options', () => {
    expect(problems({ type: 'poll', title: 't', options: ['a', 'b'], settings: { minChoices: 3, maxChoices: 2 } })).toEqual({
      'settings.maxChoices': 'The maximum number of choices is at least the minimum.',
    });
    expect(problems({ type: 'poll', title: 't', options: ['a', 'b'], settings: { minChoices: 3, maxChoices: 3 } })).toEqual({
      'settings.minChoices': 'The minimum number of choices is at most the 2 options.',
    });
    expect(problems({ type: 'score', title: 't', options: ['a'], settings: { min: 5, max: 5 } })).toEqual({ 'settings.max': 'The highest score is above the lowest.' });
    expect(problems({ type: 'dot_vote', title: 't', options: ['a'], settings: { dots: 1.5 } })).toEqual({ 'settings.dots': 'The number of dots is a whole number.' });
    expect(problems({ type: 'election', title: 't', options: ['a', 'b'], settings: { method: 'irv', seats: 2 } })).toEqual({
      'settings.seats': 'Instant-runoff (irv) fills one seat.',
    });
    expect(problems({ type: 'election', title: 't', options: ['a'], settings: { method: 'stv-meek', seats: 2 } })).toEqual({
      'settings.seats': 'There are at least as many candidates as seats.',
    });
    expect(problems({ type: 'election', title: 't', options: ['a'], settings: { method: 'borda' } })).toEqual({ 'settings.method': expect.stringContaining('stv-scottish') });
  });

  it('offers none of the above only in polls and ranked choices, as an extra option', () => {
    // Prepare, Act
    const poll = makePoll('poll', { noneOfTheAbove: true });

    // Assess
    expect(poll.options.at(-1)).toEqual({ id: 'none_of_the_above', name: 'None of the above' });
    expect(problems({ type: 'score', title: 't', options: ['a'], noneOfTheAbove: true })).toEqual({
      noneOfTheAbove: 'Only a poll or a ranked choice can offer "none of the above".',
    });
  });

  it('clamps the ranked-choice K to the number of options', () => {
    expect(makePoll('ranked_choice', { options: ['A', 'B'], settings: { rankCount: 5 } }).settings.rankCount).toBe(2);
  });

  it('points pass tests at option ids and rejects tests of unknown options', () => {
    // Prepare, Act
    const poll = makePoll('proposal', { passTests: [{ option: 'Agree', comparator: 'gte', percent: 50, of: 'votes' }] });

    // Assess
    expect(poll.passTests).toEqual([{ optionId: 'agree', comparator: 'gte', percent: 50, of: 'votes' }]);
    expect(problems({ type: 'proposal', title: 't', passTests: [{ option: 'Maybe', comparator: 'gte', percent: 50, of: 'votes' }] })).toEqual({
      'passTests.0.option': 'There is no option named "Maybe".',
    });
  });

  it('keeps option ids across an edit while the names stay the same', () => {
    // Prepare
    const before = makePoll('poll', { options: ['Red', 'Green'] });

    // Act
    const after = buildPoll(CreatePoll.parse({ type: 'poll', title: 't', options: ['Green', 'Blue'] }), before);

    // Assess
    expect(before.options).toEqual([{ id: 'o1', name: 'Red' }, { id: 'o2', name: 'Green' }]);
    expect(after.options).toEqual([{ id: 'o2', name: 'Green' }, { id: 'o3', name: 'Blue' }]);
  });

  it('always asks a question for a reason', () => {
    expect(makePoll('question').reasonSetting).toBe('required');
    expect(problems({ type: 'question', title: 't', reasonSetting: 'disabled' })).toEqual({ reasonSetting: 'A question always asks for a reason.' });
  });

  it('stores closingAt in UTC and null for a draft', () => {
    expect(makePoll('check', { closingAt: '2025-03-01T18:00:00+01:00' }).closingAt).toBe('2025-03-01T17:00:00.000Z');
    expect(makePoll('check').closingAt).toBeNull();
  });
});
