import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ErrorBody } from '../shared/schemas/common.ts';
import * as z from 'zod/mini';
import { api, randomViewer, signIn, uniqueEmail } from '../scripts/test-support/api.ts';
import { addMembersDirectly, createGroup } from '../scripts/test-support/groups.ts';
import {
  fieldName,
  fieldType,
  isFreeText,
  naughtyStrings,
  routesWithInput,
  stringFields,
  stringsForField,
  type NaughtyString,
  type Step,
  type StringField,
} from '../scripts/test-support/naughty-strings.ts';
import type { RouteKey } from '../shared/api/routes.ts';

// The bad-input suite: every string field of every request body and query the API describes
// gets the Big List of Naughty Strings, one field at a time, in a request that is otherwise valid
// and carries real ids, so it reaches its use case. Nothing may answer 5xx; every refusal has the
// documented shape; free text that is accepted reads back exactly as it was sent (after the one
// normalisation the API applies: surrounding white space is trimmed, and optional text left empty
// is stored as null). The whole list times every field would be some 140,000 requests, so the
// fields of one type share it out (see `stringsForField` and `budget`): together they are sent all
// of it, and each field gets at least its budget, starting with script, SQL, unicode, control and
// length strings.

const CONCURRENCY = 8;

/**
 * How many strings a field gets at least. 60, but an enum refuses all but its words, so 24 find
 * as much; a password costs a 32 MiB scrypt each by design, so 16; and the fields every poll type
 * shares (groupId, announce, ...) get 60 in the first type and 12 in each of the other nine, which
 * share the rest of the list between them.
 */
function budget(field: StringField): number {
  const type = fieldType(field);
  if (type === 'password') return 16;
  if (field.variant && field.variant !== 'proposal' && !['title', 'details', 'options', 'settings'].includes(String(field.path[0]))) return 12;
  if (type === 'enum') return 20;
  return 60;
}

/** Routes that change one fixed object of the fixtures. */
const serialRoutes = new Set<RouteKey>([
  'PATCH /api/groups/{id}', 'PATCH /api/memberships/{id}', 'PATCH /api/discussions/{id}', 'PATCH /api/comments/{id}', 'PATCH /api/polls/{id}',
  'PUT /api/polls/{id}/vote', 'POST /api/polls/{id}/outcome', 'POST /api/polls/{id}/reopen', 'PUT /api/me/email-preferences',
  'PUT /api/reactions', 'DELETE /api/reactions', 'POST /api/discussions/{id}/move', 'PUT /api/me/password', 'POST /api/auth/password',
]);

interface Sent {
  status: number;
  text: string;
  json: any;
}

/** One request as a browser on our own origin sends it, keeping the raw answer (CSV routes are not JSON). */
async function send(method: string, path: string, options: { body?: unknown; rawBody?: string | Uint8Array; cookie?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const appUrl = inject('appUrl');
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(`${appUrl}${path}`, {
    method,
    headers: {
      origin: appUrl,
      'sec-fetch-site': 'same-origin',
      'cloudfront-viewer-address': randomViewer(),
      ...(hasBody ? { 'content-type': 'application/json' } : {}),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...options.headers,
    },
    body: (options.rawBody as BodyInit | undefined) ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
}

async function pool<T>(items: T[], worker: (item: T) => Promise<void>, concurrency = CONCURRENCY) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await worker(items[next++]!);
  }));
}

// ---------------------------------------------------------------------------------------------------
// Fixtures: real people, groups, threads and polls, so that each request reaches its use case.

interface Fixtures {
  admin: { cookie: string; userId: string; email: string };
  group: { id: string; handle: string; name: string };
  subgroup: { id: string };
  otherGroup: { id: string };
  /** A group of its own for renames, so a new handle breaks nothing else. */
  patchGroup: { id: string };
  /** A group with no one but the admin, where thousands of new polls notify nobody. */
  quietGroup: { id: string };
  quietThread: { id: string };
  requestGroup: { id: string };
  members: Array<{ userId: string; cookie: string }>;
  /** Further admins of `group`, so that invitations spread over several daily allowances. */
  inviters: Array<{ cookie: string }>;
  memberMembershipId: string;
  thread: { id: string };
  moveThread: { id: string };
  comment: { id: string };
  /** Open polls by the shape of their choices, for votes. */
  votePolls: Record<'option' | 'options' | 'scores' | 'ranking' | 'answers', string>;
  /** An option id of `votePolls.option`. */
  singleOption: string;
  closedPoll: string;
  closedMeeting: string;
  editablePoll: string;
  /** An open anonymous proposal (receipts), and a closed one whose ballot list is published. */
  anonymousPoll: string;
  closedAnonymous: string;
  /** Outsiders who may each ask once to join `requestGroup`. */
  outsiders: Array<{ userId: string; cookie: string }>;
}

let fx: Fixtures;
const future = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function ok(response: Promise<Sent>, status: number, what: string): Promise<any> {
  const answer = await response;
  if (answer.status !== status) throw new Error(`${what} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
  return answer.json;
}

async function startPoll(cookie: string, body: Record<string, unknown>): Promise<string> {
  return (await ok(send('POST', '/api/polls', { cookie, body: { groupId: fx.group.id, closingAt: future(), ...body } }), 201, `start ${String(body.type)} poll`)).id;
}

async function outsiders(count: number) {
  // Members of a throwaway group: signed in, and strangers to every group of this suite.
  const elsewhere = await createGroup(fx.admin.cookie, { name: 'Where outsiders come from' });
  return addMembersDirectly(elsewhere, count);
}

async function prepare(): Promise<void> {
  const admin = await signIn();
  await ok(send('PATCH', '/api/me', { cookie: admin.cookie, body: { name: 'Naughty Admin' } }), 200, 'name the admin');
  const group = await createGroup(admin.cookie, { name: 'Naughty strings', description: 'Base description' });
  fx = { admin, group } as unknown as Fixtures;
  fx.subgroup = await createGroup(admin.cookie, { name: 'Naughty subgroup', parentId: group.id });
  fx.otherGroup = await createGroup(admin.cookie, { name: 'Naughty elsewhere' });
  fx.patchGroup = await createGroup(admin.cookie, { name: 'Naughty renames' });
  fx.quietGroup = await createGroup(admin.cookie, { name: 'Naughty and quiet' });
  fx.quietThread = await ok(send('POST', `/api/groups/${fx.quietGroup.id}/discussions`, { cookie: admin.cookie, body: { title: 'Quiet thread' } }), 201, 'start a quiet thread');
  fx.requestGroup = await createGroup(admin.cookie, { name: 'Naughty by request', privacy: 'open', membershipGranting: 'approval' });
  fx.members = await addMembersDirectly(group, 12);
  const memberships = await ok(send('GET', `/api/groups/${group.id}/memberships?limit=100`, { cookie: admin.cookie }), 200, 'list members');
  const byUser = new Map<string, string>((memberships.items as Array<{ id: string; userId: string }>).map((m) => [m.userId, m.id]));
  fx.memberMembershipId = byUser.get(fx.members[0]!.userId)!;
  fx.inviters = [{ cookie: admin.cookie }];
  for (const inviter of fx.members.slice(1, 10)) {
    await ok(send('PATCH', `/api/memberships/${byUser.get(inviter.userId)}`, { cookie: admin.cookie, body: { role: 'admin' } }), 200, 'promote an inviter');
    fx.inviters.push({ cookie: inviter.cookie });
  }
  fx.thread = await ok(send('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Base thread', description: 'Base' } }), 201, 'start a thread');
  fx.moveThread = await ok(send('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Thread to move' } }), 201, 'start a thread to move');
  fx.comment = await ok(send('POST', `/api/discussions/${fx.thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Base comment' } }), 201, 'comment');
  const c = admin.cookie;
  fx.votePolls = {
    option: await startPoll(c, { type: 'poll', title: 'Single', options: ['A', 'B', 'C'] }),
    options: await startPoll(c, { type: 'poll', title: 'Multiple', options: ['A', 'B', 'C'], settings: { minChoices: 1, maxChoices: 3 } }),
    scores: await startPoll(c, { type: 'score', title: 'Scores', options: ['A', 'B', 'C'] }),
    ranking: await startPoll(c, { type: 'ranked_choice', title: 'Ranking', options: ['A', 'B', 'C'], settings: { rankCount: 3 } }),
    answers: await startPoll(c, { type: 'meeting', title: 'Meeting', options: ['2030-01-01', '2030-01-02'] }),
  };
  fx.singleOption = (await get(`/api/polls/${fx.votePolls.option}`)).options[0].id;
  fx.editablePoll = await startPoll(c, { type: 'proposal', title: 'Editable' });
  fx.closedPoll = await startPoll(c, { type: 'proposal', title: 'Closed' });
  await ok(send('POST', `/api/polls/${fx.closedPoll}/close`, { cookie: c }), 200, 'close a poll');
  fx.anonymousPoll = await startPoll(c, { type: 'proposal', title: 'Anonymous', anonymous: true });
  fx.closedAnonymous = await startPoll(c, { type: 'proposal', title: 'Closed anonymous', anonymous: true });
  await ok(send('PUT', `/api/polls/${fx.closedAnonymous}/vote`, { cookie: c, body: { choices: { option: 'agree' } } }), 200, 'vote anonymously');
  await ok(send('POST', `/api/polls/${fx.closedAnonymous}/close`, { cookie: c }), 200, 'close an anonymous poll');
  fx.closedMeeting = await startPoll(c, { type: 'meeting', title: 'Closed meeting', options: ['2030-02-01T10:00:00Z'] });
  await ok(send('POST', `/api/polls/${fx.closedMeeting}/close`, { cookie: c }), 200, 'close a meeting poll');
  fx.outsiders = await outsiders(naughtyStrings.length + 5);
}

// ---------------------------------------------------------------------------------------------------
// A valid request for each route, and how to read back what it stored.

interface Base {
  path: string;
  body?: Record<string, unknown>;
  query?: Record<string, string>;
  cookie?: string;
  /** Reads back the stored text of `field` after an accepted request. */
  readBack?: (answer: Sent) => Promise<unknown>;
}

const get = async (path: string, cookie = fx.admin.cookie) => ok(send('GET', path, { cookie }), 200, `GET ${path}`);

const pollBodies: Record<string, Record<string, unknown>> = {
  proposal: {},
  check: {},
  count: { settings: { target: 3 } },
  poll: { options: ['Apples', 'Pears'], settings: { minChoices: 1, maxChoices: 2 } },
  dot_vote: { options: ['Apples', 'Pears'], settings: { dots: 5 } },
  score: { options: ['Apples', 'Pears'], settings: { min: 0, max: 5 } },
  ranked_choice: { options: ['Apples', 'Pears'], settings: { rankCount: 2 } },
  meeting: { options: ['2030-03-01', '2030-03-02T09:00:00Z'] },
  question: {},
  election: { options: ['Ann', 'Bob'], settings: { method: 'stv-scottish', seats: 1 } },
};

const pollPart = (field: StringField) => {
  const last = field.path.filter((s) => typeof s === 'string').at(-1);
  return async (answer: Sent) => {
    const poll = await get(`/api/polls/${answer.json.id}`);
    if (last === 'options') return poll.options[0]?.name;
    return poll[last as string];
  };
};

let counter = 0;

function base(field: StringField): Base | null {
  const c = fx.admin.cookie;
  const n = ++counter;
  const last = field.path.filter((s) => typeof s === 'string').at(-1) as string;
  switch (field.route) {
    case 'POST /api/auth/email': return { path: '/api/auth/email', body: { email: uniqueEmail('naughty') } };
    case 'POST /api/auth/token': return { path: '/api/auth/token', body: field.path[0] === 'token' ? { token: 'a'.repeat(43) } : { email: uniqueEmail('naughty'), code: '123456' } };
    case 'POST /api/auth/password': return { path: '/api/auth/password', body: { email: uniqueEmail('naughty'), password: 'not the password' } };
    case 'PATCH /api/me': return { path: '/api/me', cookie: fx.outsiders[n % fx.outsiders.length]!.cookie, body: { name: 'x' }, readBack: async () => (await send('GET', '/api/me', { cookie: fx.outsiders[n % fx.outsiders.length]!.cookie })).json.name };
    case 'PUT /api/me/password': return { path: '/api/me/password', cookie: fx.outsiders[n % fx.outsiders.length]!.cookie, body: { password: 'correct horse battery staple 42' } };
    case 'POST /api/imports': return { path: '/api/imports', cookie: c, body: { uploadKey: 'imports/none' } };
    case 'POST /api/groups': return {
      // A naughty parent id can be a real handle (a rename may have made one): let that parent suggest the handle.
      path: '/api/groups', cookie: c, body: { name: `Naughty ${n}`, ...(field.path[0] === 'parentId' ? {} : { handle: `${fx.group.handle}-n${n}` }), description: 'd', parentId: fx.group.id, privacy: 'closed', discussionPrivacy: 'private_only', membershipGranting: 'invitation' },
      readBack: async (answer) => (await get(`/api/groups/${answer.json.id}`))[last],
    };
    case 'PATCH /api/groups/{id}': return {
      path: `/api/groups/${fx.patchGroup.id}`, cookie: c, body: { name: 'Naughty renames', description: 'd', privacy: 'closed', discussionPrivacy: 'public_or_private', membershipGranting: 'invitation' },
      readBack: async () => (await get(`/api/groups/${fx.patchGroup.id}`))[last],
    };
    case 'PATCH /api/memberships/{id}': return {
      path: `/api/memberships/${fx.memberMembershipId}`, cookie: c, body: { role: 'member', title: 'Treasurer' },
      readBack: async () => ((await get(`/api/groups/${fx.group.id}/memberships?limit=100`)).items as Array<{ id: string; title: string | null }>).find((m) => m.id === fx.memberMembershipId)?.title,
    };
    case 'POST /api/groups/{id}/invitations': return { path: `/api/groups/${fx.group.id}/invitations`, cookie: fx.inviters[n % fx.inviters.length]!.cookie, body: { emails: [uniqueEmail('invited')], message: 'Join us' } };
    case 'POST /api/groups/{id}/membership-requests': {
      const outsider = fx.outsiders[n % fx.outsiders.length]!;
      return {
        path: `/api/groups/${fx.requestGroup.id}/membership-requests`, cookie: outsider.cookie, body: { introduction: 'Hello' },
        readBack: async () => pendingIntroduction(outsider.userId),
      };
    }
    case 'POST /api/notifications/read': return { path: '/api/notifications/read', cookie: c, body: { ids: ['x'] } };
    case 'PUT /api/groups/{id}/volume': return { path: `/api/groups/${fx.group.id}/volume`, cookie: c, body: { volume: 'normal' } };
    case 'PUT /api/me/email-preferences': return { path: '/api/me/email-preferences', cookie: c, body: { defaultVolume: 'normal', digest: 'weekly', digestWeekday: 1, timeZone: 'Europe/Berlin', categories: { polls: true } } };
    case 'POST /api/announcements': return { path: '/api/announcements', cookie: c, body: { subject: { type: 'discussion', id: fx.thread.id }, audience: { kind: 'members', userIds: [fx.members[0]!.userId] } } };
    case 'POST /api/groups/{id}/discussions': return {
      path: `/api/groups/${fx.group.id}/discussions`, cookie: c, body: { title: `Thread ${n}`, description: 'd' },
      readBack: async (answer) => (await get(`/api/discussions/${answer.json.id}`)).discussion[last],
    };
    case 'PATCH /api/discussions/{id}': return {
      path: `/api/discussions/${fx.thread.id}`, cookie: c, body: { title: 'Base thread', description: 'd' },
      readBack: async () => {
        return (await get(`/api/discussions/${fx.thread.id}`)).discussion[last];
      },
    };
    // A thread of its own: a naughty group id can be a real handle (a rename may have made one), and the move then happens.
    case 'POST /api/discussions/{id}/move': return { path: `/api/discussions/${fx.moveThread.id}/move`, cookie: c, body: { groupId: fx.otherGroup.id } };
    case 'POST /api/discussions/{id}/comments': return {
      path: `/api/discussions/${fx.thread.id}/comments`, cookie: c, body: { body: 'c', parentId: fx.comment.id },
      readBack: async (answer) => commentBody(answer.json.id, answer.json.seq),
    };
    case 'PATCH /api/comments/{id}': return {
      path: `/api/comments/${fx.comment.id}`, cookie: c, body: { body: 'c' },
      readBack: async () => commentBody(fx.comment.id, (fx.comment as { seq?: number }).seq ?? 1),
    };
    case 'PUT /api/reactions': return { path: '/api/reactions', cookie: c, body: { subject: { type: 'comment', id: fx.comment.id }, emoji: 'heart' } };
    case 'DELETE /api/reactions': return { path: '/api/reactions', cookie: c, body: { subject: { type: 'comment', id: fx.comment.id } } };
    case 'POST /api/uploads': return { path: '/api/uploads', cookie: c, body: { filename: 'notes.pdf', contentType: 'application/pdf', size: 1000 } };
    case 'PUT /api/discussions/{id}/volume': return { path: `/api/discussions/${fx.thread.id}/volume`, cookie: c, body: { volume: 'loud' } };
    case 'POST /api/polls': {
      const type = field.variant!;
      return {
        path: '/api/polls', cookie: c,
        body: {
          groupId: fx.quietGroup.id, ...(field.path[0] === 'groupId' ? {} : { discussionId: fx.quietThread.id }), type, title: `Poll ${n}`, details: 'd', closingAt: future(), hideResults: 'off',
          reasonSetting: type === 'question' ? 'required' : 'optional', closingSoonNotify: 'author',
          passTests: type === 'question' ? [] : [{ option: (pollBodies[type]!.options as string[] | undefined)?.[1] ?? (type === 'proposal' ? 'Agree' : type === 'check' ? 'Looks good' : 'Yes'), comparator: 'gte', percent: 50, of: 'votes' }],
          ...pollBodies[type],
        },
        readBack: pollPart(field),
      };
    }
    case 'PATCH /api/polls/{id}': return { path: `/api/polls/${fx.editablePoll}`, cookie: c, body: { title: 'Editable', details: 'd', closingAt: future(), hideResults: 'off' }, readBack: async () => (await get(`/api/polls/${fx.editablePoll}`))[last] };
    case 'POST /api/polls/{id}/reopen': return { path: `/api/polls/${fx.closedPoll}/reopen`, cookie: c, body: { closingAt: future() } };
    case 'POST /api/polls/{id}/remind': return { path: `/api/polls/${fx.votePolls.option}/remind`, cookie: c, body: { audience: 'undecided' } };
    case 'PUT /api/polls/{id}/vote': {
      const shape = (field.path[1] === undefined ? 'option' : String(field.path[1])) as keyof Fixtures['votePolls'];
      const choices = { option: { option: 'x' }, options: { options: [] }, scores: { scores: {} }, ranking: { ranking: [] }, answers: { answers: {} } }[shape] ?? { option: 'x' };
      // Receipts: every hostile one is refused naming the field (none is a receipt of this poll).
      if (field.path[0] === 'receipt') return { path: `/api/polls/${fx.anonymousPoll}/vote`, cookie: c, body: { choices: { option: 'agree' } } };
      const pollId = field.path[0] === 'reason' ? fx.votePolls.option : fx.votePolls[shape];
      return {
        path: `/api/polls/${pollId}/vote`, cookie: fx.members[n % fx.members.length]!.cookie, body: { choices: field.path[0] === 'reason' ? { option: fx.singleOption } : choices, reason: 'Because' },
        readBack: async () => {
          const poll = await get(`/api/polls/${pollId}`, fx.members[n % fx.members.length]!.cookie);
          return poll.myVote?.reason;
        },
      };
    }
    case 'POST /api/polls/{id}/outcome': return {
      path: `/api/polls/${fx.closedMeeting}/outcome`, cookie: c,
      body: { statement: 'We meet', optionId: null, reviewOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10), event: { start: '2030-02-01T10:00:00Z', durationMinutes: 60, location: 'The hall' } },
      readBack: async () => {
        const poll = await get(`/api/polls/${fx.closedMeeting}`);
        const outcome = poll.outcome;
        return last === 'location' ? outcome?.event?.location : outcome?.[last];
      },
    };
    case 'DELETE /api/polls/{id}/vote': return { path: `/api/polls/${fx.anonymousPoll}/vote`, cookie: c, body: {} };
    case 'POST /api/polls/{id}/receipt': return { path: `/api/polls/${fx.anonymousPoll}/receipt`, cookie: c, body: {} };
    case 'GET /api/polls/{id}/ballots': return { path: `/api/polls/${fx.closedAnonymous}/ballots`, cookie: c, query: {} };
    case 'PUT /api/polls/{id}/volume': return { path: `/api/polls/${fx.votePolls.option}/volume`, cookie: c, body: { volume: 'loud' } };
    case 'GET /api/groups/{id}/audit': return { path: `/api/groups/${fx.group.id}/audit`, cookie: c, query: {} };
    case 'GET /api/groups/{id}/audit.csv': return { path: `/api/groups/${fx.group.id}/audit.csv`, cookie: c, query: {} };
    case 'GET /api/imports': return { path: '/api/imports', cookie: c, query: {} };
    case 'GET /api/groups/{id}/memberships': return { path: `/api/groups/${fx.group.id}/memberships`, cookie: c, query: {} };
    case 'GET /api/groups/{id}/invitations': return { path: `/api/groups/${fx.group.id}/invitations`, cookie: c, query: {} };
    case 'GET /api/groups/{id}/membership-requests': return { path: `/api/groups/${fx.requestGroup.id}/membership-requests`, cookie: c, query: {} };
    case 'GET /api/notifications': return { path: '/api/notifications', cookie: c, query: {} };
    case 'GET /api/unsubscribe': return { path: '/api/unsubscribe', query: {} };
    case 'POST /api/unsubscribe': return { path: '/api/unsubscribe', query: {} };
    case 'GET /api/groups/{id}/discussions': return { path: `/api/groups/${fx.group.id}/discussions`, cookie: c, query: {} };
    case 'GET /api/discussions/{id}': return { path: `/api/discussions/${fx.thread.id}`, cookie: c, query: {} };
    case 'GET /api/discussions/{id}/events': return { path: `/api/discussions/${fx.thread.id}/events`, cookie: c, query: {} };
    case 'GET /api/discussions/{id}/versions': return { path: `/api/discussions/${fx.thread.id}/versions`, cookie: c, query: {} };
    case 'GET /api/comments/{id}/versions': return { path: `/api/comments/${fx.comment.id}/versions`, cookie: c, query: {} };
    case 'GET /api/polls/{id}/votes': return { path: `/api/polls/${fx.votePolls.option}/votes`, cookie: c, query: {} };
    case 'GET /api/groups/{id}/polls': return { path: `/api/groups/${fx.group.id}/polls`, cookie: c, query: { status: 'open' } };
    default: return null;
  }
}

async function commentBody(id: string, seq: number): Promise<unknown> {
  const page = await get(`/api/discussions/${fx.thread.id}/events?from=${seq}`);
  return (page.items as Array<{ id: string; seq: number; body: string }>).find((item) => item.id === id || item.seq === seq)?.body;
}

async function pendingIntroduction(userId: string): Promise<unknown> {
  let cursor: string | null = null;
  do {
    const page: { items: Array<{ userId: string; introduction: string | null }>; cursor: string | null } = await get(`/api/groups/${fx.requestGroup.id}/membership-requests?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const found = page.items.find((r) => r.userId === userId);
    if (found) return found.introduction;
    cursor = page.cursor;
  } while (cursor);
  return undefined;
}

/** The request with `value` put at `path`, creating what lies between, without touching the base. */
function substitute(body: Record<string, unknown>, path: Step[], value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  let node: any = copy;
  for (const [i, step] of path.entries()) {
    const isLast = i === path.length - 1;
    if (typeof step === 'object') {
      // A record's key: the naughty string names the property.
      const first = Object.values(node ?? {})[0];
      for (const key of Object.keys(node)) delete node[key];
      node[value] = first ?? true;
      return copy;
    }
    if (isLast) {
      node[step] = value;
    } else {
      node[step] ??= typeof path[i + 1] === 'number' ? [] : {};
      node = node[step];
    }
  }
  return copy;
}

// ---------------------------------------------------------------------------------------------------

interface Problem {
  route: RouteKey;
  field: string;
  input: string;
  status: number;
  what: string;
}

const problems: Problem[] = [];
const surrogates: string[] = [];
const trimmed = new Map<string, number>();
const stats = { fields: 0, requests: 0, accepted: 0, readBacks: 0, byStatus: {} as Record<number, number>, ms: 0 };

const describeInput = (s: NaughtyString) => `${s.label} ${JSON.stringify(s.value.length > 60 ? `${s.value.slice(0, 60)}…(${s.value.length})` : s.value)}`;

function checkRefusal(field: StringField, input: NaughtyString, answer: Sent): void {
  const problem = (what: string) => void problems.push({ route: field.route, field: fieldName(field), input: describeInput(input), status: answer.status, what });
  if (answer.status >= 500) return problem(`5xx: ${answer.text.slice(0, 200)}`);
  if (answer.status < 400) return;
  const shape = z.safeParse(ErrorBody, answer.json);
  if (!shape.success) return problem(`error body is not {"error":{code,message,fields?}}: ${answer.text.slice(0, 200)}`);
  if (/internal/i.test(answer.json.error.code)) problem(`internal error code ${answer.json.error.code}`);
  if (answer.status === 422) {
    const fields = Object.keys(answer.json.error.fields ?? {});
    const top = String(field.path[0]);
    if (!fields.some((f) => f === '_' ? false : f.split('.')[0] === top || (field.in === 'query' && f === top))) problem(`422 does not name ${top}: ${JSON.stringify(answer.json.error.fields)}`);
  }
}

async function probe(field: StringField, input: NaughtyString): Promise<void> {
  const request = base(field);
  if (!request) return;
  const method = field.route.split(' ')[0]!;
  let path = request.path;
  let body = request.body;
  if (field.in === 'query') {
    // A URL cannot carry these; the hostile-input tests send one on its own.
    if (Buffer.byteLength(input.value) > 2000) return;
    const query = new URLSearchParams({ ...request.query, [String(field.path[0])]: input.value });
    path = `${path}?${query}`;
  } else {
    body = substitute(request.body ?? {}, field.path, input.value);
  }
  stats.requests++;
  let answer: Sent;
  try {
    answer = await send(method, path, { cookie: request.cookie, ...(body ? { body } : {}) });
  } catch (error) {
    problems.push({ route: field.route, field: fieldName(field), input: describeInput(input), status: 0, what: `no answer: ${(error as Error).message}` });
    return;
  }
  stats.byStatus[answer.status] = (stats.byStatus[answer.status] ?? 0) + 1;
  if (/surrogate/.test(input.label)) surrogates.push(`${answer.status} ${field.route} ${fieldName(field)} ${input.label}`);
  checkRefusal(field, input, answer);
  if (answer.status >= 200 && answer.status < 300) {
    stats.accepted++;
    if (isFreeText(field) && request.readBack) {
      stats.readBacks++;
      const stored = await request.readBack(answer);
      const sent = input.value;
      if (stored === sent) return;
      // The one normalisation the API applies: surrounding white space goes, and optional text
      // that is then empty is stored as null.
      if ((typeof stored === 'string' && stored === sent.trim()) || (stored === null && sent.trim() === '')) {
        trimmed.set(fieldName(field), (trimmed.get(fieldName(field)) ?? 0) + 1);
        return;
      }
      problems.push({
        route: field.route, field: fieldName(field), input: describeInput(input), status: answer.status,
        what: `stored ${JSON.stringify(typeof stored === 'string' && stored.length > 80 ? `${stored.slice(0, 80)}…(${stored.length})` : stored)}`,
      });
    }
  }
}

const fields = stringFields();

beforeAll(async () => {
  await prepare();
}, 300_000);

describe('the Big List of Naughty Strings in every string field', () => {
  it('has a valid base request for every route that takes a body or a query', () => {
    const withStrings = routesWithInput().filter((route) => fields.some((f) => f.route === route));
    const missing = withStrings.filter((route) => base(fields.find((f) => f.route === route)!) === null);
    expect(withStrings.length).toBeGreaterThan(40);
    // Queries come from the document too.
    expect(fields.filter((f) => f.route === 'GET /api/groups/{id}/memberships' && f.in === 'query').map((f) => f.path[0])).toEqual(['cursor', 'limit']);
    expect(missing).toEqual([]);
  });

  it('never answers 5xx, refuses in the documented shape naming the field, and keeps accepted free text exactly', async () => {
    // Prepare: the fields of one kind (same rules) share the list between them, so together they get all of it.
    const ofType = new Map<string, StringField[]>();
    for (const f of fields) ofType.set(fieldType(f), [...(ofType.get(fieldType(f)) ?? []), f]);
    const work: Array<{ field: StringField; input: NaughtyString }> = [];
    for (const f of fields) {
      const peers = ofType.get(fieldType(f))!;
      // Passwords are the one type that is not sent the whole list between its fields (see budget).
      const share = fieldType(f) === 'password' ? { index: peers.indexOf(f), of: naughtyStrings.length } : { index: peers.indexOf(f), of: peers.length };
      for (const input of stringsForField(share, budget(f))) work.push({ field: f, input });
    }
    stats.fields = fields.length;

    // Act: fields that write the same object go one request at a time; the rest run side by side.
    const started = Date.now();
    const lanes = new Map<string, typeof work>();
    for (const [i, item] of work.entries()) {
      // Changes to one fixed object go in order, so each read-back sees its own write.
      const lane = serialRoutes.has(item.field.route) ? item.field.route : `${item.field.route}#${i % 40}`;
      lanes.set(lane, [...(lanes.get(lane) ?? []), item]);
    }
    await pool([...lanes.values()].sort((a, b) => b.length - a.length), async (lane) => {
      for (const item of lane) {
        await probe(item.field, item.input).catch((error: Error) => {
          problems.push({ route: item.field.route, field: fieldName(item.field), input: describeInput(item.input), status: 0, what: `the suite failed: ${error.message}` });
        });
      }
    });
    stats.ms = Date.now() - started;

    // Assess
    console.log(`naughty strings: ${stats.fields} fields, ${stats.requests} requests, ${stats.accepted} accepted, ${stats.readBacks} read back, in ${(stats.ms / 1000).toFixed(1)} s; statuses ${JSON.stringify(stats.byStatus)}`);
    console.log(`lone surrogates: ${surrogates.filter((s) => /^2/.test(s)).length} accepted of ${surrogates.length}; accepted: ${surrogates.filter((s) => /^2/.test(s)).slice(0, 30).join('; ')}`);
    if (trimmed.size) console.log(`trimmed before storing: ${JSON.stringify(Object.fromEntries(trimmed))}`);
    const shown = problems.slice(0, 200).map((p) => `${p.status} ${p.route} ${p.field} ${p.input}: ${p.what}`);
    expect(shown, `${problems.length} problems`).toEqual([]);
  }, 900_000);
});

// ---------------------------------------------------------------------------------------------------
// Hostile input for every parser: bodies that are huge, truncated, binary, deeply nested or not
// UTF-8; repeated query keys; tampered cursors; path ids that are huge, unicode or `..`.

const expectRefusal = (answer: Sent, statuses: number[]) => {
  expect(statuses, `${answer.status} ${answer.text.slice(0, 300)}`).toContain(answer.status);
  expect(z.safeParse(ErrorBody, answer.json).success, answer.text.slice(0, 300)).toBe(true);
};

/** Calls a capability's Lambda handler in this process with an API Gateway v2 event, as the cloud would. */
async function invoke(fn: string, routeKey: RouteKey, options: { path: string; body: string; cookie: string; params?: Record<string, string> }) {
  const { useStackEnv } = await import('../scripts/test-support/api.ts');
  useStackEnv();
  const { handler } = (await import(`./${fn}/handler.ts`)) as { handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }> };
  const now = Date.now();
  const result = await handler({
    version: '2.0', routeKey, rawPath: options.path, rawQueryString: '',
    cookies: [options.cookie], headers: { 'content-type': 'application/json', origin: inject('appUrl'), 'sec-fetch-site': 'same-origin', host: new URL(inject('appUrl')).host },
    pathParameters: options.params,
    requestContext: { accountId: 'local', apiId: 'local', domainName: 'localhost', domainPrefix: 'local', http: { method: routeKey.split(' ')[0], path: options.path, protocol: 'HTTP/1.1', sourceIp: '198.18.0.1', userAgent: 'naughty' }, requestId: 'naughty', routeKey, stage: '$default', time: new Date(now).toISOString(), timeEpoch: now },
    body: options.body, isBase64Encoded: false,
  }, { awsRequestId: 'naughty', functionName: `moot-${fn}`, getRemainingTimeInMillis: () => 29_000 });
  let json: unknown;
  try { json = JSON.parse(result.body); } catch { json = undefined; }
  return { status: result.statusCode, text: result.body, json: json as any } satisfies Sent;
}

describe('hostile request bodies', () => {
  const comment = () => `/api/discussions/${fx.thread.id}/comments`;

  it('answers 413 in the documented shape to a 10 MB body, without reading it all', async () => {
    const answer = await send('POST', comment(), { cookie: fx.admin.cookie, rawBody: JSON.stringify({ body: 'x'.repeat(10 * 1024 * 1024) }) });
    expectRefusal(answer, [413]);
  });

  it.each([
    ['a comment body', 'discussions', 'POST /api/discussions/{id}/comments', () => ({ body: 'x'.repeat(5_000_000) }), 'body'],
    ['a group description', 'groups', 'POST /api/groups', () => ({ name: 'Big', description: 'x'.repeat(5_000_000) }), 'description'],
    ['a vote reason', 'polls', 'PUT /api/polls/{id}/vote', () => ({ choices: { option: fx.singleOption }, reason: 'x'.repeat(5_000_000) }), 'reason'],
    ['a poll group id', 'polls', 'POST /api/polls', () => ({ groupId: 'g'.repeat(5_000_000), type: 'proposal', title: 'Big' }), 'groupId'],
  ] as const)('refuses %s of 5 MB that reaches the Lambda (API Gateway passes up to 10 MB) with a 4xx naming the field', async (_what, fn, routeKey, body, field) => {
    const params: Record<string, string> = { id: routeKey.includes('vote') ? fx.votePolls.option : fx.thread.id };
    const answer = await invoke(fn, routeKey, { path: routeKey.split(' ')[1]!.replace('{id}', params.id!), body: JSON.stringify(body()), cookie: fx.admin.cookie, params });
    expect(answer.status, answer.text.slice(0, 300)).toBeGreaterThanOrEqual(400);
    expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
    if (answer.status === 422) expect(Object.keys(answer.json.error.fields)).toContain(field);
  });

  it.each([
    ['truncated JSON', '{"body": "half a comm'],
    ['an empty object opener', '{'],
    ['binary bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256))],
    ['invalid UTF-8 inside a string', Buffer.concat([Buffer.from('{"body": "'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff]), Buffer.from('"}')])],
    ['a byte order mark before the JSON', '\ufeff{"body": "bom"}'],
    ['10,000 nested arrays', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ['10,000 nested objects as the body field', `{"body": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`],
    ['200,000 nested arrays (deeper than the parser\u2019s stack)', `${'['.repeat(200_000)}${']'.repeat(200_000)}`],
    ['a JSON string, not an object', '"just a string"'],
    ['JSON null', 'null'],
    ['a number that overflows', '{"body": 1e999999}'],
    ['a __proto__ key', '{"__proto__": {"admin": true}, "body": "proto"}'],
    ['duplicate keys', '{"body": "first", "body": "second"}'],
  ])('answers %s with a 4xx in the documented shape, or takes it as the comment it is', async (_what, raw) => {
    const answer = await send('POST', comment(), { cookie: fx.admin.cookie, rawBody: raw });
    if (answer.status === 201) {
      // Only well-formed JSON objects may be taken, and then as exactly what they say.
      expect(typeof answer.json.body).toBe('string');
      return;
    }
    expectRefusal(answer, [400, 413, 415, 422]);
    if (answer.status === 422) expect(Object.keys(answer.json.error.fields ?? {}).length).toBeGreaterThan(0);
  });

  it('answers 415 to a body that is not JSON', async () => {
    const answer = await send('POST', comment(), { cookie: fx.admin.cookie, rawBody: 'body=hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expectRefusal(answer, [415]);
  });

  it('stores a poll with every text at its longest, in three-byte characters, and reads it back whole (no item over 400 KB)', async () => {
    // 20,000 UTF-16 units of CJK are 60 KB of UTF-8: the most a length limit lets through.
    const cjk = (n: number, salt = 0) => Array.from({ length: n }, (_, i) => String.fromCharCode(0x4e00 + ((i * 7 + salt * 131) % 20_000))).join('');
    const options = Array.from({ length: 100 }, (_, i) => `${i}${cjk(197, i)}`);
    const body = {
      groupId: fx.quietGroup.id, type: 'poll', title: cjk(250), details: cjk(20_000), options, closingAt: future(),
      passTests: options.slice(0, 100).map((option) => ({ option, comparator: 'gte', percent: 50, of: 'votes' })),
    };
    const answer = await send('POST', '/api/polls', { cookie: fx.admin.cookie, body });
    expect(answer.status, answer.text.slice(0, 300)).toBe(201);
    const poll = await get(`/api/polls/${answer.json.id}`);
    expect(poll.details).toBe(body.details);
    expect(poll.options.map((o: { name: string }) => o.name)).toEqual(options);
    const edited = await send('PATCH', `/api/polls/${answer.json.id}`, { cookie: fx.admin.cookie, body: { details: cjk(20_000, 1), title: cjk(250, 1) } });
    expect(edited.status, edited.text.slice(0, 300)).toBe(200);
    const thread = await send('POST', `/api/groups/${fx.quietGroup.id}/discussions`, { cookie: fx.admin.cookie, body: { title: cjk(150), description: cjk(20_000) } });
    expect(thread.status, thread.text.slice(0, 300)).toBe(201);
    const rewritten = await send('PATCH', `/api/discussions/${thread.json.id}`, { cookie: fx.admin.cookie, body: { title: cjk(150, 2), description: cjk(20_000, 2) } });
    expect(rewritten.status, rewritten.text.slice(0, 300)).toBe(200);
    const comment = await send('POST', `/api/discussions/${thread.json.id}/comments`, { cookie: fx.admin.cookie, body: { body: cjk(20_000, 3) } });
    expect(comment.status, comment.text.slice(0, 300)).toBe(201);
  });

  it('keeps a comment of 10,000 combining marks and four-byte emoji byte for byte', async () => {
    const text = `a${'\u0301'.repeat(5_000)} ${'\u{1F469}\u200D\u{1F469}\u200D\u{1F467}'.repeat(1_000)}`;
    const answer = await send('POST', comment(), { cookie: fx.admin.cookie, body: { body: text } });
    expect(answer.status).toBe(201);
    expect(await commentBody(answer.json.id, answer.json.seq)).toBe(text);
  });
});

describe('hostile queries and path ids', () => {
  it('answers repeated query keys with a 4xx, never a 5xx', async () => {
    for (const path of [
      `/api/groups/${fx.group.id}/memberships?limit=1&limit=2`,
      `/api/groups/${fx.group.id}/polls?status=open&status=closed`,
      `/api/groups/${fx.group.id}/memberships?cursor=a&cursor=b`,
      `/api/discussions/${fx.thread.id}/events?from=1&from=2`,
      `/api/groups/${fx.group.id}/audit?kind=A&kind=B`,
    ]) {
      const answer = await send('GET', path, { cookie: fx.admin.cookie });
      expect(answer.status, `${path}: ${answer.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
      expectRefusal(answer, [400, 422]);
    }
  });

  const versionLists: RouteKey[] = ['GET /api/discussions/{id}/versions', 'GET /api/comments/{id}/versions'];

  async function cursorFailures(routes: RouteKey[]): Promise<string[]> {
    const page = await get(`/api/groups/${fx.group.id}/memberships?limit=1`);
    const real = page.cursor as string;
    expect(real).toBeTruthy();
    const flipped = `${real.slice(0, -3)}${real.at(-3) === 'A' ? 'B' : 'A'}${real.slice(-2)}`;
    const forged = Buffer.from(JSON.stringify({ pk: `group#${fx.otherGroup.id}`, sk: 'member#' })).toString('base64url');
    const cursors = [flipped, forged, `${real}x`, real.split('.').reverse().join('.'), 'A'.repeat(1800), '\u0000\u00ff\ud800', '..', '%', '{"pk":"group#x"}'];
    const failures: string[] = [];
    for (const route of routes) {
      const request = base({ route, in: 'query', variant: null, path: ['cursor'], schema: {} })!;
      for (const cursor of cursors) {
        const answer = await send('GET', `${request.path}?${new URLSearchParams({ ...request.query, cursor })}`, { cookie: request.cookie });
        if (answer.status !== 400 || !z.safeParse(ErrorBody, answer.json).success) failures.push(`${route} cursor ${JSON.stringify(cursor.slice(0, 40))}: ${answer.status} ${answer.text.slice(0, 160)}`);
      }
    }
    // The real cursor still works where it came from.
    const again = await send('GET', `/api/groups/${fx.group.id}/memberships?limit=1&cursor=${encodeURIComponent(real)}`, { cookie: fx.admin.cookie });
    if (again.status !== 200) failures.push(`the real cursor answered ${again.status}`);
    return failures;
  }

  it('answers 400 to every tampered, foreign, huge or binary cursor', async () => {
    // The audit CSV is the whole trail in one answer: it takes no cursor, and ignores one.
    const routes = stringFields().filter((f) => f.in === 'query' && f.path[0] === 'cursor' && f.route !== 'GET /api/groups/{id}/audit.csv' && !versionLists.includes(f.route)).map((f) => f.route);
    expect(routes.length).toBeGreaterThan(8);
    expect(await cursorFailures(routes)).toEqual([]);
  });

  it('answers 400 to a tampered cursor on the version lists too', async () => {
    expect(await cursorFailures(versionLists)).toEqual([]);
  });

  it('answers a huge query string with a 4xx, never a 5xx', async () => {
    const answer = await send('GET', `/api/groups/${fx.group.id}/memberships?cursor=${'c'.repeat(100_000)}`, { cookie: fx.admin.cookie });
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
  });

  async function pathFailures(ids: string[]): Promise<string[]> {
    const failures: string[] = [];
    const keys = (Object.keys((await import('../shared/api/routes.ts')).routes) as RouteKey[]).filter((k) => /\{\w+\}/.test(k));
    await pool(keys.flatMap((key) => ids.map((id) => ({ key, id }))), async ({ key, id }) => {
      const [method, path] = key.split(' ') as [string, string];
      const answer = await send(method, path.replace(/\{\w+\}/, id), { cookie: fx.admin.cookie, ...(method === 'GET' || method === 'DELETE' ? {} : { body: {} }) });
      if (answer.status >= 500 || answer.status < 400) failures.push(`${answer.status} ${key} ${id.slice(0, 40)}: ${answer.text.slice(0, 160)}`);
      else if (!z.safeParse(ErrorBody, answer.json).success) failures.push(`${answer.status} ${key} ${id.slice(0, 40)}: not the documented error shape: ${answer.text.slice(0, 120)}`);
    });
    return failures;
  }

  it('answers path ids that are unicode, traversals or control characters with a 4xx in the documented shape', async () => {
    expect(await pathFailures(['%F0%9F%92%A9', '..', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%00', '%0d%0aSet-Cookie:%20a=b', `${fx.group.id}.${'z'.repeat(1500)}`, '%3Cscript%3E', '__proto__'])).toEqual([]);
  });

  // An id or handle of more than 2 KB once reached a DynamoDB key and answered 500; a path whose
  // percent-encoding is not UTF-8 once made the local server's decoding throw.
  it('answers path ids of more than 2 KB with 404, never a 5xx', async () => {
    expect(await pathFailures(['x'.repeat(3000), `${fx.group.id}${'y'.repeat(2100)}`])).toEqual([]);
  });

  it('answers a path id whose percent-encoding is not UTF-8 with a 4xx, never a 5xx', async () => {
    expect(await pathFailures(['%ED%A0%80', '%FF', '%E0%A4%A'])).toEqual([]);
  });
});
