/**
 * Password strength, from zxcvbn-ts with its common-language dictionaries. They weigh hundreds of
 * kilobytes, so they are fetched (dynamic import) only when the security page first needs them.
 */
export interface Strength {
  /** 0 (guessed at once) to 4 (very hard to guess). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  /** A plain reason, when zxcvbn has one. */
  advice: string | null;
}

export const strengthLabels = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;

// zxcvbn-ts answers with translation keys; these are ours, in Moot's words.
const warnings: Record<string, string> = {
  straightRow: 'Rows of keys are easy to guess.',
  keyPattern: 'Short keyboard patterns are easy to guess.',
  simpleRepeat: 'Repeated characters like "aaa" are easy to guess.',
  extendedRepeat: 'Repeated patterns like "abcabc" are easy to guess.',
  sequences: 'Sequences like "abc" or "6543" are easy to guess.',
  recentYears: 'Recent years are easy to guess.',
  dates: 'Dates are easy to guess.',
  topTen: 'This is one of the most used passwords.',
  topHundred: 'This is a very commonly used password.',
  common: 'This is a commonly used password.',
  similarToCommon: 'This is close to a commonly used password.',
  wordByItself: 'A single word is easy to guess.',
  namesByThemselves: 'Names on their own are easy to guess.',
  commonNames: 'Common names are easy to guess.',
  userInputs: 'Avoid your own name or email address.',
};

type Check = (password: string, own?: string[]) => Strength;
let ready: Promise<Check> | undefined;

export function loadStrength(): Promise<Check> {
  ready ??= (async () => {
    const [{ ZxcvbnFactory }, common] = await Promise.all([import('@zxcvbn-ts/core'), import('@zxcvbn-ts/language-common')]);
    const zxcvbn = new ZxcvbnFactory({ dictionary: common.dictionary, graphs: common.adjacencyGraphs });
    return (password: string, own: string[] = []) => {
      const result = zxcvbn.check(password, own);
      const score = result.score as Strength['score'];
      const warning = result.feedback.warning;
      return { score, label: strengthLabels[score], advice: warning ? (warnings[warning] ?? null) : null };
    };
  })();
  return ready;
}
