import * as z from 'zod/mini';
import { choiceShape, rankCount, type ChoiceShape } from './poll.ts';
import { AnswersChoice, MultipleChoice, NoChoice, RankingChoice, ScoresChoice, SingleChoice } from './schemas.ts';
import type { Answer, Choices, Poll, VoteValidation } from './types.ts';

export const REASON_MIN_VISIBLE = 5;
export const REASON_MAX = 500;

const shapes = {
  option: { schema: SingleChoice, example: '{"option": id}', meaning: 'exactly one option' },
  options: { schema: MultipleChoice, example: '{"options": [id, …]}', meaning: 'a list of options' },
  scores: { schema: ScoresChoice, example: '{"scores": {id: number}}', meaning: 'a number per option' },
  ranking: { schema: RankingChoice, example: '{"ranking": [id, …]}', meaning: 'an ordering of options' },
  answers: { schema: AnswersChoice, example: '{"answers": {id: "yes" | "maybe" | "no"}}', meaning: 'an answer for every time' },
  none: { schema: NoChoice, example: '{}', meaning: 'no choices, only a reason' },
} satisfies Record<ChoiceShape, { schema: z.ZodMiniType; example: string; meaning: string }>;

const pollName: Record<Poll['type'], string> = {
  proposal: 'A proposal',
  check: 'A check',
  count: 'A count',
  poll: 'A poll',
  dot_vote: 'A dot vote',
  score: 'A score poll',
  ranked_choice: 'A ranked choice',
  meeting: 'A meeting poll',
  question: 'A question',
  election: 'An election',
};

/** Flattens zod issues to `{ "a.b.0": message }`, keeping the first message per path. */
export function fieldErrors(error: z.core.$ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String).join('.') || '_';
    fields[path] ??= issue.message;
  }
  return fields;
}

/**
 * Checks a vote against its poll and returns the ballot to store, or every broken rule by
 * field path (`choices.scores.o2`, `reason`, …). Accepts unknown input: it is the API's only
 * gate for votes, and the form runs the same function before sending.
 */
export function validateVote(poll: Poll, vote: unknown): VoteValidation {
  const fields: Record<string, string> = {};
  const fail = (path: string, message: string) => {
    fields[path] ??= message;
  };
  if (typeof vote !== 'object' || vote === null || Array.isArray(vote)) return { ok: false, fields: { _: 'A vote is an object: {choices, reason}.' } };
  const { choices: rawChoices, reason: rawReason } = vote as Record<string, unknown>;

  const reason = checkReason(poll, rawReason, fail);
  const shape = choiceShape(poll);
  const { schema, example, meaning } = shapes[shape];
  const keys = typeof rawChoices === 'object' && rawChoices !== null && !Array.isArray(rawChoices) ? Object.keys(rawChoices) : null;
  const expectedKeys: string[] = shape === 'none' ? [] : [shape];
  if (!keys || keys.length !== expectedKeys.length || !keys.every((k) => expectedKeys.includes(k))) {
    fail('choices', `${pollName[poll.type]} takes ${meaning}: choices is ${example}.`);
    return { ok: false, fields };
  }
  const parsed = schema.safeParse(rawChoices);
  if (!parsed.success) {
    for (const [path, message] of Object.entries(fieldErrors(parsed.error))) fail(`choices.${path}`, message);
    return { ok: false, fields };
  }
  const choices = checkChoices(poll, parsed.data as Choices, fail);
  if (Object.keys(fields).length > 0 || !choices) return { ok: false, fields };
  return { ok: true, ballot: { choices, reason } };
}

type Fail = (path: string, message: string) => void;

function checkReason(poll: Poll, raw: unknown, fail: Fail): string | null {
  if (raw !== undefined && raw !== null && typeof raw !== 'string') {
    fail('reason', 'A reason is text.');
    return null;
  }
  const reason = (raw ?? '').trim();
  const setting = poll.type === 'question' ? 'required' : poll.reasonSetting;
  if (setting === 'disabled' && reason !== '') fail('reason', 'This poll does not take reasons.');
  if (setting === 'required' && (reason.match(/\S/gu)?.length ?? 0) < REASON_MIN_VISIBLE) {
    fail('reason', `Give a reason of at least ${REASON_MIN_VISIBLE} characters.`);
  }
  if ([...reason].length > REASON_MAX) fail('reason', `Keep the reason under ${REASON_MAX} characters.`);
  return reason === '' ? null : reason;
}

function checkChoices(poll: Poll, choices: Choices, fail: Fail): Choices | null {
  const known = new Set(poll.options.map((o) => o.id));
  const checkIds = (ids: string[], path: string) => {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (!known.has(id)) fail(`${path}.${i}`, `There is no option ${id} in this poll.`);
      else if (seen.has(id)) fail(`${path}.${i}`, 'Choose each option once.');
      seen.add(id);
    });
  };
  const checkKeys = (record: Record<string, unknown>, path: string) => {
    for (const id of Object.keys(record)) if (!known.has(id)) fail(`${path}.${id}`, `There is no option ${id} in this poll.`);
  };

  switch (poll.type) {
    case 'proposal':
    case 'check':
    case 'count':
    case 'poll': {
      if ('option' in choices) {
        if (!known.has(choices.option)) fail('choices.option', `There is no option ${choices.option} in this poll.`);
        return { option: choices.option };
      }
      if (poll.type !== 'poll' || !('options' in choices)) return null;
      const { minChoices, maxChoices } = poll.settings;
      checkIds(choices.options, 'choices.options');
      if (choices.options.length < minChoices) fail('choices.options', `Choose at least ${minChoices} option${minChoices === 1 ? '' : 's'}.`);
      if (choices.options.length > maxChoices) fail('choices.options', `Choose at most ${maxChoices} options.`);
      if (poll.noneOfTheAbove && choices.options.length > 1 && choices.options.includes('none_of_the_above')) {
        fail('choices.options', '"None of the above" cannot be chosen with other options.');
      }
      return { options: [...choices.options] };
    }
    case 'dot_vote': {
      if (!('scores' in choices)) return null;
      checkKeys(choices.scores, 'choices.scores');
      let used = 0;
      for (const [id, dots] of Object.entries(choices.scores)) {
        if (!Number.isInteger(dots) || dots < 0) fail(`choices.scores.${id}`, 'Dots are whole numbers, 0 or more.');
        else used += dots;
      }
      const { dots } = poll.settings;
      if (used > dots) fail('choices.scores', `You have ${dots} dots; this vote uses ${used}.`);
      if (used === 0) fail('choices.scores', 'Place at least one dot.');
      return { scores: Object.fromEntries(Object.entries(choices.scores).filter(([, n]) => n > 0)) };
    }
    case 'score': {
      if (!('scores' in choices)) return null;
      checkKeys(choices.scores, 'choices.scores');
      const { min, max } = poll.settings;
      for (const [id, score] of Object.entries(choices.scores)) {
        if (!Number.isInteger(score) || score < min || score > max) fail(`choices.scores.${id}`, `A score is a whole number from ${min} to ${max}.`);
      }
      if (Object.keys(choices.scores).length === 0) fail('choices.scores', 'Score at least one option.');
      return { scores: { ...choices.scores } };
    }
    case 'ranked_choice': {
      if (!('ranking' in choices)) return null;
      const k = rankCount(poll);
      checkIds(choices.ranking, 'choices.ranking');
      if (choices.ranking.length !== k) fail('choices.ranking', `Rank exactly ${k} different option${k === 1 ? '' : 's'}.`);
      return { ranking: [...choices.ranking] };
    }
    case 'election': {
      if (!('ranking' in choices)) return null;
      checkIds(choices.ranking, 'choices.ranking');
      if (choices.ranking.length === 0) fail('choices.ranking', 'Rank at least one candidate.');
      if (poll.settings.rankAll && choices.ranking.length !== poll.options.length) {
        fail('choices.ranking', `Rank all ${poll.options.length} candidates.`);
      }
      return { ranking: [...choices.ranking] };
    }
    case 'meeting': {
      if (!('answers' in choices)) return null;
      checkKeys(choices.answers, 'choices.answers');
      for (const option of poll.options) {
        const answer: Answer | undefined = choices.answers[option.id];
        if (answer === undefined) fail(`choices.answers.${option.id}`, `Answer ${poll.settings.allowMaybe ? 'yes, maybe' : 'yes'} or no for ${option.name}.`);
        else if (answer === 'maybe' && !poll.settings.allowMaybe) fail(`choices.answers.${option.id}`, 'This meeting poll takes yes or no, not maybe.');
      }
      return { answers: { ...choices.answers } };
    }
    case 'question':
      return {} as Choices;
  }
}
