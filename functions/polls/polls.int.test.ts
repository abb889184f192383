import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { parseBlt, count } from '../../shared/elections/index.ts';
import { api, rawTable, runScheduler, scanBallotTable, scanTable, signIn } from '../../scripts/test-support/api.ts';
import { addMembersDirectly, groupWithMembers } from '../../scripts/test-support/groups.ts';

const inAWeek = () => new Date(Date.now() + 7 * 86_400_000).toISOString();

async function startPoll(cookie: string, groupId: string, body: Record<string, unknown>) {
  const response = await api('POST', '/api/polls', { cookie, body: { groupId, title: 'Shall we?', closingAt: inAWeek(), ...body } });
  if (response.status !== 201) throw new Error(`create poll answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body;
}

const vote = (cookie: string, pollId: string, choices: unknown, reason?: string) =>
  api('PUT', `/api/polls/${pollId}/vote`, { cookie, body: { choices, ...(reason !== undefined ? { reason } : {}) } });


/** Moves a poll's closing time (and its due markers) into the past, as if time had passed. */
async function passClosingTime(pollApiId: string) {
  const pollId = pollApiId.split('.')[1]!;
  const past = new Date(Date.now() - 60_000).toISOString();
  const table = rawTable();
  const TableName = inject('tableName');
  await table.send(new UpdateCommand({ TableName, Key: { pk: `poll#${pollId}`, sk: 'poll' }, UpdateExpression: 'SET #p.closingAt = :t', ExpressionAttributeNames: { '#p': 'poll' }, ExpressionAttributeValues: { ':t': past } }));
  for (const what of ['close', 'soon']) {
    await table.send(new UpdateCommand({ TableName, Key: { pk: `poll#${pollId}`, sk: `due#${what}` }, UpdateExpression: 'SET gsi2sk = :t', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':t': `${past}#poll#${pollId}#${what}` } })).catch(() => undefined);
  }
}

describe('starting polls', () => {
  it('starts a proposal in a group with the fixed options, open until its closing time', async () => {
    const { admin, group } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    expect(poll.status).toBe('open');
    expect(poll.options.map((o: { id: string }) => o.id)).toEqual(['agree', 'abstain', 'disagree', 'block']);
    expect(poll.results).toMatchObject({ voters: 0, eligibleVoters: 2, undecided: 2 });
  });

  it.each([
    ['meeting', { options: ['2030-01-01', '2030-01-02'] }],
    ['question', {}],
  ])('refuses a quorum on a %s poll, which has none, with 422 naming quorumPercent', async (type, extra) => {
    const { admin, group } = await groupWithMembers(0);
    const refused = await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, title: 'When?', closingAt: inAWeek(), type, quorumPercent: 50, ...extra } });
    expect(refused.status).toBe(422);
    expect(Object.keys(refused.body.error.fields)).toEqual(['quorumPercent']);
    expect((await startPoll(admin.cookie, group.id, { type: 'proposal', quorumPercent: 50 })).quorumPercent).toBe(50);
  });

  it('refuses a closing time in the past with 422, and members when members_can_raise_motions is off with 403', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const past = await api('POST', '/api/polls', { cookie: admin.cookie, body: { groupId: group.id, type: 'proposal', title: 'Late', closingAt: new Date(Date.now() - 1000).toISOString() } });
    expect(past.status).toBe(422);
    expect(past.body.error.fields).toHaveProperty('closingAt');
    await api('PATCH', `/api/groups/${group.id}`, { cookie: admin.cookie, body: { flags: { membersCanRaiseMotions: false } } });
    expect((await api('POST', '/api/polls', { cookie: members[0]!.cookie, body: { groupId: group.id, type: 'proposal', title: 'No' } })).status).toBe(403);
  });

  it('puts a poll inside a thread into its timeline, in order', async () => {
    const { admin, group } = await groupWithMembers(0);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Budget' } })).body;
    await api('POST', `/api/discussions/${thread.id}/comments`, { cookie: admin.cookie, body: { body: 'Let us vote' } });
    const poll = await startPoll(admin.cookie, group.id, { type: 'check', discussionId: thread.id });
    const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    expect(page.body.timeline.items.map((i: { kind: string }) => i.kind)).toEqual(['comment', 'poll']);
    expect(page.body.timeline.items[1].refId).toBe(poll.id);
  });
});

describe('votes in a thread\u2019s timeline', () => {
  it('adds each vote on a poll in a thread to the timeline, once, and never for an anonymous poll', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const thread = (await api('POST', `/api/groups/${group.id}/discussions`, { cookie: admin.cookie, body: { title: 'Choose' } })).body;
    const open = await startPoll(admin.cookie, group.id, { type: 'proposal', discussionId: thread.id });
    const secret = await startPoll(admin.cookie, group.id, { type: 'proposal', discussionId: thread.id, anonymous: true });
    await vote(members[0]!.cookie, open.id, { option: 'agree' }, 'Worth trying');
    await vote(members[0]!.cookie, secret.id, { option: 'block' }, 'Secret reason');
    let kinds: string[] = [];
    for (let i = 0; i < 150 && !kinds.includes('vote'); i++) {
      await new Promise((r) => setTimeout(r, 200));
      const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
      kinds = page.body.timeline.items.map((item: { kind: string }) => item.kind);
      if (kinds.includes('vote')) {
        const voteItem = page.body.timeline.items.find((item: { kind: string }) => item.kind === 'vote');
        expect(voteItem.bodyHtml).toContain('<strong>Agree</strong>');
        expect(voteItem.bodyHtml).toContain('Worth trying');
        expect(voteItem.refId).toBe(open.id);
      }
    }
    // Give a second delivery (if any) time to land, then count.
    await new Promise((r) => setTimeout(r, 1_000));
    const page = await api('GET', `/api/discussions/${thread.id}`, { cookie: admin.cookie });
    expect(page.body.timeline.items.map((item: { kind: string }) => item.kind)).toEqual(['poll', 'poll', 'vote']);
    expect(JSON.stringify(page.body)).not.toContain('Secret reason');
  });
});

describe('voting', () => {
  it('lets a voter vote, change the vote (the latest counts) and withdraw it, with results kept exact', async () => {
    const { admin, group, members } = await groupWithMembers(2);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    await vote(members[0]!.cookie, poll.id, { option: 'agree' }, 'Good idea');
    await vote(members[1]!.cookie, poll.id, { option: 'disagree' });
    const changed = await vote(members[1]!.cookie, poll.id, { option: 'agree' });
    expect(changed.status).toBe(200);
    expect(changed.body.myVote).toEqual({ choices: { option: 'agree' }, reason: null });
    const agree = changed.body.results.options.find((o: { id: string }) => o.id === 'agree');
    expect(agree).toMatchObject({ total: 2, percentOfVotes: 100 });
    expect(changed.body.results).toMatchObject({ voters: 2, undecided: 1 });
    expect((await api('DELETE', `/api/polls/${poll.id}/vote`, { cookie: members[1]!.cookie })).status).toBe(204);
    const after = await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie });
    expect(after.body.results).toMatchObject({ voters: 1, undecided: 2 });
  });

  it.each([
    ['poll', { options: ['Red', 'Green', 'Blue'], settings: { maxChoices: 1 } }, { scores: { o1: 4 } }, 'choices'],
    ['dot_vote', { options: ['A', 'B'], settings: { dots: 8 } }, { scores: { o1: 6, o2: 3 } }, 'choices'],
    ['score', { options: ['A', 'B'], settings: { min: 0, max: 5 } }, { scores: { o1: 7 } }, 'choices.scores.o1'],
    ['ranked_choice', { options: ['A', 'B', 'C', 'D'], settings: { rankCount: 3 } }, { ranking: ['o1', 'o1', 'o2'] }, 'choices.ranking'],
    ['meeting', { options: ['2030-01-01', '2030-01-02'] }, { answers: { o1: 'yes' } }, 'choices.answers'],
    ['proposal', { reasonSetting: 'required' }, { option: 'agree' }, 'reason'],
  ])('refuses a %s vote that breaks its rule with 422 naming it', async (type, extra, choices, field) => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type, ...extra });
    const response = await vote(admin.cookie, poll.id, choices, type === 'proposal' ? 'ok' : undefined);
    expect(response.status).toBe(422);
    expect(Object.keys(response.body.error.fields).some((k) => k.startsWith(field))).toBe(true);
  });

  it('accepts a score of 4 in a dot vote', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'dot_vote', options: ['A', 'B'], settings: { dots: 8 } });
    expect((await vote(admin.cookie, poll.id, { scores: { o1: 4 } })).status).toBe(200);
  });

  it('casts a vote in one transaction after the session read and one BatchGet', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const response = await vote(admin.cookie, poll.id, { option: 'agree' });
    expect(response.dbRequests).toBe(3);
  });

  it('takes 200 parallel votes as exactly 200 ballots with exact totals', async () => {
    const { admin, group } = await groupWithMembers(0);
    const voters = await addMembersDirectly(group, 200);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const options = ['agree', 'abstain', 'disagree', 'block'];
    const results = await Promise.all(voters.map((v, i) => vote(v.cookie, poll.id, { option: options[i % 4] })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(200);
    const ballots = (await scanTable()).filter((i) => i.pk === `poll#${poll.id.split('.')[1]}` && String(i.sk).startsWith('ballot#'));
    expect(ballots).toHaveLength(200);
    const view = await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie });
    expect(view.body.results.voters).toBe(200);
    for (const option of view.body.results.options) expect(option.total).toBe(50);
  });

  it('leaves exactly one latest ballot after 50 parallel changes by one person', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'score', options: ['A', 'B'], settings: { min: 0, max: 5 } });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => vote(admin.cookie, poll.id, { scores: { o1: i % 6, o2: 5 - (i % 6) } })));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const ballots = (await scanTable()).filter((i) => i.pk === `poll#${poll.id.split('.')[1]}` && String(i.sk).startsWith('ballot#'));
    expect(ballots).toHaveLength(1);
    const view = await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie });
    const scores = (ballots[0]!.choices as { scores: Record<string, number> }).scores;
    expect(view.body.results.voters).toBe(1);
    expect(view.body.results.options.find((o: { id: string }) => o.id === 'o1').total).toBe(scores.o1 ?? 0);
    expect(view.body.results.options.find((o: { id: string }) => o.id === 'o2').total).toBe(scores.o2 ?? 0);
  });

  it('refuses votes from outsiders (404) and from members not among specified voters (403)', async () => {
    const { admin, group, members } = await groupWithMembers(2);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', specifiedVotersOnly: true, voterIds: [members[0]!.userId] });
    expect((await vote(members[0]!.cookie, poll.id, { option: 'agree' })).status).toBe(200);
    expect((await vote(members[1]!.cookie, poll.id, { option: 'agree' })).status).toBe(403);
    const outsider = await signIn();
    expect((await vote(outsider.cookie, poll.id, { option: 'agree' })).status).toBe(404);
    expect((await api('GET', `/api/polls/${poll.id}`, { cookie: outsider.cookie })).status).toBe(404);
    expect((await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body.results.eligibleVoters).toBe(1);
  });
});

describe('results', () => {
  it('reads results at the same cost whatever the number of votes', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    const few = await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie });
    const voters = await addMembersDirectly(group, 60);
    for (const v of voters) await vote(v.cookie, poll.id, { option: 'agree' });
    const many = await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie });
    expect(many.body.results.voters).toBe(60);
    expect(many.dbRequests).toBe(few.dbRequests);
  });

  it('hides results from the API until the viewer has voted, or until closing', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const untilVoted = await startPoll(admin.cookie, group.id, { type: 'proposal', hideResults: 'until_voted' });
    expect((await api('GET', `/api/polls/${untilVoted.id}`, { cookie: members[0]!.cookie })).body.results).toBeNull();
    expect((await api('GET', `/api/polls/${untilVoted.id}/results.csv`, { cookie: members[0]!.cookie })).status).toBe(403);
    expect((await vote(members[0]!.cookie, untilVoted.id, { option: 'agree' })).body.results.voters).toBe(1);
    const untilClosed = await startPoll(admin.cookie, group.id, { type: 'proposal', hideResults: 'until_closed' });
    expect((await vote(members[0]!.cookie, untilClosed.id, { option: 'agree' })).body.results).toBeNull();
    const loosen = await api('PATCH', `/api/polls/${untilClosed.id}`, { cookie: admin.cookie, body: { hideResults: 'off' } });
    expect(loosen.status).toBe(422);
    await api('POST', `/api/polls/${untilClosed.id}/close`, { cookie: admin.cookie });
    expect((await api('GET', `/api/polls/${untilClosed.id}`, { cookie: members[0]!.cookie })).body.results.voters).toBe(1);
  });

  it('exports CSV with per-voter rows only when the poll is not anonymous', async () => {
    const { admin, group } = await groupWithMembers(0);
    await api('PATCH', '/api/me', { cookie: admin.cookie, body: { name: 'Visible Voter' } });
    const open = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    await vote(admin.cookie, open.id, { option: 'agree' }, 'Because');
    const csv = await fetch(`${inject('appUrl')}/api/polls/${open.id}/results.csv`, { headers: { cookie: admin.cookie } });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const text = await csv.text();
    expect(text).toContain('Agree');
    expect(text).toContain('Because');
    const secret = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: true });
    await vote(admin.cookie, secret.id, { option: 'agree' }, 'Hidden reason');
    const anonymousCsv = await (await fetch(`${inject('appUrl')}/api/polls/${secret.id}/results.csv`, { headers: { cookie: admin.cookie } })).text();
    expect(anonymousCsv).toContain('Agree');
    expect(anonymousCsv).not.toContain('Visible Voter');
  });
});

describe('anonymous polls', () => {
  it('stores ballots that cannot be joined to a voter, and shows nobody who voted how', async () => {
    const { admin, group, members } = await groupWithMembers(3);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: true });
    for (const [i, m] of members.entries()) await vote(m.cookie, poll.id, { option: ['agree', 'disagree', 'abstain'][i] }, `Reason number ${i}`);
    const items = (await scanTable()).filter((i) => i.pk === `poll#${poll.id.split('.')[1]}`);
    // Anonymous ballots are in the ballot table, never in the main one beside the has-voted markers.
    expect(items.filter((i) => String(i.sk).startsWith('ballot#'))).toHaveLength(0);
    const ballots = (await scanBallotTable()).filter((i) => i.pk === `poll#${poll.id.split('.')[1]}` && String(i.sk).startsWith('ballot#'));
    expect(ballots).toHaveLength(3);
    const people = [admin, ...members];
    for (const ballot of ballots) {
      const text = JSON.stringify(ballot);
      for (const person of people) {
        expect(text).not.toContain(person.userId);
        expect(text).not.toContain(person.email);
      }
      expect(Object.keys(ballot).sort()).toEqual(['choices', 'pk', 'reason', 'rev', 'sk', 'type']);
    }
    // The has-voted markers name voters but nothing on them leads to a ballot.
    const markers = items.filter((i) => String(i.sk).startsWith('voter#'));
    expect(markers).toHaveLength(3);
    for (const marker of markers) expect(Object.keys(marker).sort()).toEqual(['pk', 'sk', 'type', 'userId']);
    // Nor do the recorded events.
    const events = (await scanTable()).filter((i) => i.kind === 'VoteCast' && (i.data as { pollId: string }).pollId === poll.id.split('.')[1]);
    for (const event of events) expect(event).not.toHaveProperty('actorId');
    expect((await api('GET', `/api/polls/${poll.id}/votes`, { cookie: admin.cookie })).status).toBe(403);
  });

  it('cannot be made non-anonymous, nor reopened', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', anonymous: true });
    expect((await api('PATCH', `/api/polls/${poll.id}`, { cookie: admin.cookie, body: { anonymous: false } })).status).toBe(422);
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    expect((await api('POST', `/api/polls/${poll.id}/reopen`, { cookie: admin.cookie, body: { closingAt: inAWeek() } })).status).toBe(409);
  });
});

describe('closing', () => {
  it('rejects votes on a closed poll with 409, and reopens a poll that is not anonymous with a new closing time', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    expect((await api('POST', `/api/polls/${poll.id}/close`, { cookie: members[0]!.cookie })).status).toBe(403);
    expect((await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie })).body.status).toBe('closed');
    const late = await vote(members[0]!.cookie, poll.id, { option: 'agree' });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('poll_closed');
    const reopened = await api('POST', `/api/polls/${poll.id}/reopen`, { cookie: admin.cookie, body: { closingAt: inAWeek() } });
    expect(reopened.body.status).toBe('open');
    expect((await vote(members[0]!.cookie, poll.id, { option: 'agree' })).status).toBe(200);
  });

  it('keeps an outcome through a reopening, marked as from before it, and takes a new one after closing again', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    expect((await api('POST', `/api/polls/${poll.id}/outcome`, { cookie: admin.cookie, body: { statement: 'First decision' } })).status).toBe(201);
    const reopened = await api('POST', `/api/polls/${poll.id}/reopen`, { cookie: admin.cookie, body: { closingAt: inAWeek() } });
    expect(reopened.body.outcome).toMatchObject({ statement: 'First decision', beforeReopening: true });
    expect((await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body.outcome).toMatchObject({ statement: 'First decision', beforeReopening: true });
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    expect((await api('POST', `/api/polls/${poll.id}/outcome`, { cookie: admin.cookie, body: { statement: 'Second decision' } })).status).toBe(201);
    expect((await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie })).body.outcome).toMatchObject({ statement: 'Second decision', beforeReopening: false });
  });

  it('closes at the closing time from the scheduler sweep, even when the tick comes late, and records it', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal' });
    await passClosingTime(poll.id);
    // Expiry is checked on read: votes stop at once, whether or not the sweep has run.
    expect((await vote(admin.cookie, poll.id, { option: 'agree' })).status).toBe(409);
    await runScheduler();
    const item = (await scanTable()).find((i) => i.pk === `poll#${poll.id.split('.')[1]}` && i.sk === 'poll');
    expect(item?.closedAt).toEqual(expect.any(String));
    expect(String(item?.gsi1pk)).toMatch(/#closed$/);
    const events = (await scanTable()).filter((i) => i.kind === 'PollClosed' && (i.data as { pollId: string }).pollId === poll.id.split('.')[1]);
    expect(events).toHaveLength(1);
    await runScheduler();
    expect((await scanTable()).filter((i) => i.kind === 'PollClosed' && (i.data as { pollId: string }).pollId === poll.id.split('.')[1])).toHaveLength(1);
    const closedList = await api('GET', `/api/groups/${group.id}/polls?status=closed`, { cookie: admin.cookie });
    expect(closedList.body.items.map((p: { id: string }) => p.id)).toContain(poll.id);
  });

  it('records the closing-soon notice once, 24 hours before closing', async () => {
    const { admin, group } = await groupWithMembers(0);
    const poll = await startPoll(admin.cookie, group.id, { type: 'proposal', closingAt: new Date(Date.now() + 30 * 3_600_000).toISOString() });
    const pollId = poll.id.split('.')[1]!;
    const soon = (await scanTable()).find((i) => i.pk === `poll#${pollId}` && i.sk === 'due#soon')!;
    const past = new Date(Date.now() - 1000).toISOString();
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: soon.pk, sk: soon.sk }, UpdateExpression: 'SET gsi2sk = :t', ExpressionAttributeValues: { ':t': `${past}#soon` } }));
    await runScheduler();
    await runScheduler();
    const events = (await scanTable()).filter((i) => i.kind === 'PollClosingSoon' && (i.data as { pollId: string }).pollId === pollId);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ notify: 'undecided' });
  });
});

describe('outcomes', () => {
  it('states an outcome after closing, with a meeting invite for those who said yes, and a review that falls due', async () => {
    const { admin, group, members } = await groupWithMembers(1);
    const poll = await startPoll(admin.cookie, group.id, { type: 'meeting', options: ['2030-05-01T09:00:00Z', '2030-05-02T09:00:00Z'] });
    await vote(admin.cookie, poll.id, { answers: { o1: 'yes', o2: 'no' } });
    await vote(members[0]!.cookie, poll.id, { answers: { o1: 'yes', o2: 'maybe' } });
    expect((await api('POST', `/api/polls/${poll.id}/outcome`, { cookie: admin.cookie, body: { statement: 'Too early' } })).status).toBe(409);
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const outcome = await api('POST', `/api/polls/${poll.id}/outcome`, {
      cookie: admin.cookie,
      body: { statement: 'We meet on the 1st', optionId: 'o1', reviewOn: tomorrow, event: { start: '2030-05-01T09:00:00Z', durationMinutes: 90 } },
    });
    expect(outcome.status).toBe(201);
    const ics = await fetch(`${inject('appUrl')}${outcome.body.inviteUrl}`, { headers: { cookie: admin.cookie } });
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    const text = await ics.text();
    expect(text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(text).toContain('DTSTART:20300501T090000Z');
    expect(text).toContain('DTEND:20300501T103000Z');
    expect((text.match(/^ATTENDEE/gm) ?? []).length).toBe(2);
    const asMember = await (await fetch(`${inject('appUrl')}${outcome.body.inviteUrl}`, { headers: { cookie: members[0]!.cookie } })).text();
    expect((asMember.match(/^ATTENDEE/gm) ?? []).length).toBe(1);
    expect(asMember).not.toContain(admin.email);
    const row = (await scanTable()).find((i) => i.pk === `poll#${poll.id.split('.')[1]}` && i.sk === 'outcome')!;
    await rawTable().send(new UpdateCommand({ TableName: inject('tableName'), Key: { pk: row.pk, sk: row.sk }, UpdateExpression: 'SET gsi2sk = :t', ExpressionAttributeValues: { ':t': `${new Date(Date.now() - 1000).toISOString()}#review` } }));
    await runScheduler();
    await runScheduler();
    expect((await scanTable()).filter((i) => i.kind === 'OutcomeReviewDue' && (i.data as { pollId: string }).pollId === poll.id.split('.')[1])).toHaveLength(1);
  });
});

describe('elections', () => {
  it('downloads anonymous ballots as BLT that any counter can recount to the same result', async () => {
    const { admin, group } = await groupWithMembers(0);
    const voters = await addMembersDirectly(group, 12);
    const poll = await startPoll(admin.cookie, group.id, { type: 'election', anonymous: true, options: ['Ana', 'Ben', 'Cy', 'Dee'], settings: { method: 'stv-scottish', seats: 2 } });
    const rankings = [['o1', 'o2'], ['o2', 'o1', 'o3'], ['o3'], ['o1', 'o4'], ['o4', 'o3']];
    for (const [i, v] of voters.entries()) expect((await vote(v.cookie, poll.id, { ranking: rankings[i % rankings.length] })).status).toBe(200);
    await api('POST', `/api/polls/${poll.id}/close`, { cookie: admin.cookie });
    const view = await api('GET', `/api/polls/${poll.id}`, { cookie: admin.cookie });
    expect(view.body.results.election.elected).toHaveLength(2);
    const blt = await (await fetch(`${inject('appUrl')}/api/polls/${poll.id}/ballots.blt`, { headers: { cookie: admin.cookie } })).text();
    for (const v of voters) expect(blt).not.toContain(v.userId);
    const recount = count('stv-scottish', parseBlt(blt));
    expect(recount.elected).toEqual(view.body.results.election.elected);
    expect(recount.stages).toEqual(view.body.results.election.stages);
  });
});
