import { describe, expect, it } from 'vitest';
import { makePoll } from './test-builders.ts';
import { validateVote } from './validate.ts';

const fieldsOf = (result: ReturnType<typeof validateVote>) => (result.ok ? {} : result.fields);

describe('validating a vote', () => {
  it('treats a score of 4 as invalid in a single-choice poll and valid in a dot vote', () => {
    // Prepare
    const single = makePoll('poll');
    const dots = makePoll('dot_vote');
    const vote = { choices: { scores: { o1: 4 } } };

    // Act
    const inSingle = validateVote(single, vote);
    const inDots = validateVote(dots, vote);

    // Assess
    expect(fieldsOf(inSingle)).toEqual({ choices: 'A poll takes exactly one option: choices is {"option": id}.' });
    expect(inDots).toEqual({ ok: true, ballot: { choices: { scores: { o1: 4 } }, reason: null } });
  });

  it('accepts exactly one known option in a proposal, a check and a count', () => {
    expect(validateVote(makePoll('proposal'), { choices: { option: 'block' } }).ok).toBe(true);
    expect(validateVote(makePoll('check'), { choices: { option: 'not_sure' } }).ok).toBe(true);
    expect(validateVote(makePoll('count'), { choices: { option: 'yes' } }).ok).toBe(true);
    expect(fieldsOf(validateVote(makePoll('proposal'), { choices: { option: 'maybe' } }))).toEqual({ 'choices.option': 'There is no option maybe in this poll.' });
    expect(fieldsOf(validateVote(makePoll('proposal'), { choices: { options: ['agree', 'block'] } }))).toEqual({
      choices: 'A proposal takes exactly one option: choices is {"option": id}.',
    });
  });

  it('keeps a multiple-choice vote within min..max distinct known options', () => {
    // Prepare
    const poll = makePoll('poll', { options: ['a', 'b', 'c', 'd'], settings: { minChoices: 2, maxChoices: 3 } });

    // Act, Assess
    expect(validateVote(poll, { choices: { options: ['o1', 'o3'] } }).ok).toBe(true);
    expect(fieldsOf(validateVote(poll, { choices: { options: ['o1'] } }))).toEqual({ 'choices.options': 'Choose at least 2 options.' });
    expect(fieldsOf(validateVote(poll, { choices: { options: ['o1', 'o2', 'o3', 'o4'] } }))).toEqual({ 'choices.options': 'Choose at most 3 options.' });
    expect(fieldsOf(validateVote(poll, { choices: { options: ['o1', 'o1'] } }))).toEqual({ 'choices.options.1': 'Choose each option once.' });
    expect(fieldsOf(validateVote(poll, { choices: { options: ['o1', 'o9'] } }))).toEqual({ 'choices.options.1': 'There is no option o9 in this poll.' });
    expect(fieldsOf(validateVote(poll, { choices: { option: 'o1' } }))).toEqual({ choices: 'A poll takes a list of options: choices is {"options": [id, …]}.' });
  });

  it('does not combine none of the above with other options', () => {
    const poll = makePoll('poll', { noneOfTheAbove: true, settings: { maxChoices: 2 } });
    expect(fieldsOf(validateVote(poll, { choices: { options: ['o1', 'none_of_the_above'] } }))).toEqual({
      'choices.options': '"None of the above" cannot be chosen with other options.',
    });
    expect(validateVote(poll, { choices: { options: ['none_of_the_above'] } }).ok).toBe(true);
  });

  it('keeps dots to whole numbers whose sum is at most N, and drops empty options', () => {
    // Prepare
    const poll = makePoll('dot_vote', { settings: { dots: 8 } });

    // Act, Assess
    expect(validateVote(poll, { choices: { scores: { o1: 5, o2: 3, o3: 0 } } })).toEqual({ ok: true, ballot: { choices: { scores: { o1: 5, o2: 3 } }, reason: null } });
    expect(fieldsOf(validateVote(poll, { choices: { scores: { o1: 5, o2: 4 } } }))).toEqual({ 'choices.scores': 'You have 8 dots; this vote uses 9.' });
    expect(fieldsOf(validateVote(poll, { choices: { scores: { o1: -1, o2: 1.5 } } }))).toMatchObject({
      'choices.scores.o1': 'Dots are whole numbers, 0 or more.',
      'choices.scores.o2': 'Dots are whole numbers, 0 or more.',
    });
    expect(fieldsOf(validateVote(poll, { choices: { scores: { o1: 0 } } }))).toEqual({ 'choices.scores': 'Place at least one dot.' });
  });

  it('keeps each score within the range', () => {
    // Prepare
    const poll = makePoll('score', { settings: { min: 1, max: 5 } });

    // Act, Assess
    expect(validateVote(poll, { choices: { scores: { o1: 1, o2: 5 } } }).ok).toBe(true);
    expect(fieldsOf(validateVote(poll, { choices: { scores: { o1: 0, o2: 6, o4: 3 } } }))).toEqual({
      'choices.scores.o1': 'A score is a whole number from 1 to 5.',
      'choices.scores.o2': 'A score is a whole number from 1 to 5.',
      'choices.scores.o4': 'There is no option o4 in this poll.',
    });
    expect(fieldsOf(validateVote(poll, { choices: { scores: { o1: 'high' } } }))).toEqual({ 'choices.scores.o1': 'A score is a number.' });
  });

  it('needs exactly K distinct options in a ranked choice', () => {
    // Prepare
    const poll = makePoll('ranked_choice', { settings: { rankCount: 3 } });

    // Act, Assess
    expect(validateVote(poll, { choices: { ranking: ['o1', 'o2', 'o3'] } }).ok).toBe(true);
    expect(fieldsOf(validateVote(poll, { choices: { ranking: ['o1', 'o2'] } }))).toEqual({ 'choices.ranking': 'Rank exactly 3 different options.' });
    expect(fieldsOf(validateVote(poll, { choices: { ranking: ['o1', 'o2', 'o2'] } }))).toEqual({ 'choices.ranking.2': 'Choose each option once.' });
  });

  it('accepts an election ranking of any length of distinct known candidates, or all of them with rankAll', () => {
    // Prepare
    const free = makePoll('election');
    const all = makePoll('election', { settings: { method: 'schulze', rankAll: true } });

    // Act, Assess
    expect(validateVote(free, { choices: { ranking: ['o2'] } }).ok).toBe(true);
    expect(fieldsOf(validateVote(free, { choices: { ranking: [] } }))).toEqual({ 'choices.ranking': 'Rank at least one candidate.' });
    expect(fieldsOf(validateVote(free, { choices: { ranking: ['o2', 'o7'] } }))).toEqual({ 'choices.ranking.1': 'There is no option o7 in this poll.' });
    expect(fieldsOf(validateVote(all, { choices: { ranking: ['o2', 'o1'] } }))).toEqual({ 'choices.ranking': 'Rank all 4 candidates.' });
    expect(validateVote(all, { choices: { ranking: ['o4', 'o3', 'o2', 'o1'] } }).ok).toBe(true);
  });

  it('needs an answer for every meeting time, and no maybe when maybe is off', () => {
    // Prepare
    const poll = makePoll('meeting', { settings: { allowMaybe: false } });

    // Act, Assess
    expect(validateVote(poll, { choices: { answers: { o1: 'yes', o2: 'no', o3: 'no' } } }).ok).toBe(true);
    expect(fieldsOf(validateVote(poll, { choices: { answers: { o1: 'maybe', o2: 'no' } } }))).toEqual({
      'choices.answers.o1': 'This meeting poll takes yes or no, not maybe.',
      'choices.answers.o3': 'Answer yes or no for 2025-03-02T09:00:00Z.',
    });
    expect(fieldsOf(validateVote(poll, { choices: { answers: { o1: 'perhaps' } } }))).toEqual({ 'choices.answers.o1': 'Answer yes, maybe or no.' });
  });

  it('takes a question answer as a reason only', () => {
    // Prepare
    const poll = makePoll('question');

    // Act, Assess
    expect(validateVote(poll, { choices: {}, reason: '  Friday works  ' })).toEqual({ ok: true, ballot: { choices: {}, reason: 'Friday works' } });
    expect(fieldsOf(validateVote(poll, { choices: {} }))).toEqual({ reason: 'Give a reason of at least 5 characters.' });
    expect(fieldsOf(validateVote(poll, { choices: { option: 'x' }, reason: 'Friday works' }))).toEqual({ choices: 'A question takes no choices, only a reason: choices is {}.' });
  });

  it('applies the reason setting: disabled, optional, required with 5 visible characters, at most 500', () => {
    // Prepare
    const vote = (reason: unknown) => ({ choices: { option: 'agree' }, reason });
    const disabled = makePoll('proposal', { reasonSetting: 'disabled' });
    const optional = makePoll('proposal');
    const required = makePoll('proposal', { reasonSetting: 'required' });

    // Act, Assess
    expect(fieldsOf(validateVote(disabled, vote('because')))).toEqual({ reason: 'This poll does not take reasons.' });
    expect(validateVote(disabled, vote('  ')).ok).toBe(true);
    expect(validateVote(optional, vote(undefined)).ok).toBe(true);
    expect(fieldsOf(validateVote(required, vote('a b c d')))).toEqual({ reason: 'Give a reason of at least 5 characters.' });
    expect(validateVote(required, vote('a b c d e')).ok).toBe(true);
    expect(fieldsOf(validateVote(optional, vote('x'.repeat(501))))).toEqual({ reason: 'Keep the reason under 500 characters.' });
    expect(fieldsOf(validateVote(optional, vote(42)))).toEqual({ reason: 'A reason is text.' });
  });

  it('reports a broken reason and broken choices together', () => {
    const poll = makePoll('proposal', { reasonSetting: 'required' });
    expect(fieldsOf(validateVote(poll, { choices: { option: 'nope' } }))).toEqual({
      reason: 'Give a reason of at least 5 characters.',
      'choices.option': 'There is no option nope in this poll.',
    });
  });

  it('rejects a vote that is not an object', () => {
    expect(fieldsOf(validateVote(makePoll('proposal'), 'agree'))).toEqual({ _: 'A vote is an object: {choices, reason}.' });
  });
});
