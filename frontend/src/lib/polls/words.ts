import type { Answer, PollType, ReasonSetting } from './types.ts';

/** Every poll type with a plain-language line, in the order the picker offers them. */
export const pollTypes: Array<{ value: PollType; label: string; explanation: string }> = [
  { value: 'proposal', label: 'Proposal', explanation: 'Put a proposal to the group: agree, abstain, disagree or block.' },
  { value: 'check', label: 'Sense check', explanation: 'A quick temperature check: looks good, not sure or concerned.' },
  { value: 'count', label: 'Count', explanation: 'Find out if enough people are in: yes or no, against a target.' },
  { value: 'poll', label: 'Poll', explanation: 'Choose one option, or several, from a list.' },
  { value: 'dot_vote', label: 'Dot vote', explanation: 'Share out a number of dots across the options you care about.' },
  { value: 'score', label: 'Score', explanation: 'Give each option a score on a scale.' },
  { value: 'ranked_choice', label: 'Ranked choice', explanation: 'Put options in order of preference; points go by position.' },
  { value: 'meeting', label: 'Meeting time', explanation: 'Find a time: everyone says yes, maybe or no to each time.' },
  { value: 'question', label: 'Question', explanation: 'Ask an open question; everyone writes an answer.' },
  { value: 'election', label: 'Election', explanation: 'Elect people to seats with ranked ballots (STV, instant runoff or Schulze).' },
];

export const typeLabel = Object.fromEntries(pollTypes.map((t) => [t.value, t.label])) as Record<PollType, string>;

export const reasonChoices: Array<{ value: ReasonSetting; label: string; explanation: string }> = [
  { value: 'optional', label: 'Optional', explanation: 'Voters may explain their vote.' },
  { value: 'required', label: 'Required', explanation: 'Every vote comes with a reason.' },
  { value: 'disabled', label: 'Off', explanation: 'Votes carry no reasons.' },
];

export const hideResultsChoices: Array<{ value: 'off' | 'until_voted' | 'until_closed'; label: string; explanation: string }> = [
  { value: 'off', label: 'Always show results', explanation: 'Everyone sees the results as votes come in.' },
  { value: 'until_voted', label: 'After voting', explanation: 'People see results once they have voted.' },
  { value: 'until_closed', label: 'When the poll closes', explanation: 'Nobody sees results until it closes. This cannot be loosened later.' },
];

export const methodChoices: Array<{ value: 'stv-scottish' | 'stv-meek' | 'irv' | 'schulze'; label: string; explanation: string }> = [
  { value: 'stv-scottish', label: 'Single transferable vote (Scottish rules)', explanation: 'Several seats; surplus and excluded votes transfer by preference.' },
  { value: 'stv-meek', label: 'Single transferable vote (Meek)', explanation: 'Several seats; a precise, computer-only STV count.' },
  { value: 'irv', label: 'Instant runoff', explanation: 'One seat; the last candidate is eliminated each round.' },
  { value: 'schulze', label: 'Schulze', explanation: 'One winner from pairwise comparisons of every candidate.' },
];

export const answerLabel: Record<Answer, string> = { yes: 'Yes', maybe: 'Maybe', no: 'No' };

/** What a type's totals count, for result labels: "12 votes", "30 dots". */
export function unitOf(type: PollType): { one: string; many: string } {
  switch (type) {
    case 'dot_vote':
      return { one: 'dot', many: 'dots' };
    case 'score':
      return { one: 'point', many: 'points' };
    case 'ranked_choice':
      return { one: 'point', many: 'points' };
    case 'meeting':
      return { one: 'point', many: 'points' };
    default:
      return { one: 'vote', many: 'votes' };
  }
}

/** The reader's time zone, as it names itself: "Pacific/Auckland". */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'your local time';
}

/** "2026-03-12T14:05" (a datetime-local value, read as local time) → ISO UTC, or null. */
export function localToIso(value: string): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** ISO → the value a datetime-local input shows, in local time. */
export function isoToLocal(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** "Thursday 12 March 2026, 2:05 pm" in the reader's locale and zone. */
export function whenOf(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** A meeting option's name: a day stays a day; a moment reads in local time. */
export function meetingTimeLabel(name: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(name)) {
    const [y, m, d] = name.split('-').map(Number);
    return new Date(y!, m! - 1, d!).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });
  }
  const date = new Date(name);
  return Number.isNaN(date.getTime())
    ? name
    : date.toLocaleString(undefined, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: 'numeric', minute: '2-digit' });
}

/** An option's name as people read it: meeting times in local time. */
export const optionLabel = (type: PollType, name: string) => (type === 'meeting' ? meetingTimeLabel(name) : name);

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** A ballot's choices in words, with option names: "Agree"; "1. Ana; 2. Ben"; "Tue 3 Mar: Yes". */
export function choicesInWords(poll: { type: PollType; options: Array<{ id: string; name: string }> }, choices: Record<string, unknown>): string {
  const label = (id: string) => optionLabel(poll.type, poll.options.find((o) => o.id === id)?.name ?? id);
  if (typeof choices.option === 'string') return label(choices.option);
  if (Array.isArray(choices.options)) return (choices.options as string[]).map(label).join(', ') || 'nothing';
  if (Array.isArray(choices.ranking)) return (choices.ranking as string[]).map((id, i) => `${i + 1}. ${label(id)}`).join('; ') || 'no ranking';
  if (choices.scores) return Object.entries(choices.scores as Record<string, number>).map(([id, n]) => `${label(id)}: ${n}`).join('; ') || 'nothing';
  if (choices.answers) return Object.entries(choices.answers as Record<string, Answer>).map(([id, a]) => `${label(id)}: ${answerLabel[a]}`).join('; ');
  return 'an answer';
}
