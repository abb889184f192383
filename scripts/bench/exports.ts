// Account and group-archive benchmark: delete-account time for a person with 1,000 comments, and
// the personal export's time and peak memory for the same person; group export time and peak
// memory at 1,000, 10,000 and 100,000 items, and import time at 10,000 items. Prints figures;
// asserts nothing. `BENCH_GROUP_SIZES=1000,10000` runs fewer sizes; `BENCH_SKIP_PERSONAL=1` skips the first part.
import { pathToFileURL } from 'node:url';
import { JOBS_NODE_OPTIONS } from '../../infra/node-options.ts';
import { startStack } from '../local/stack.ts';

const COMMENTS = Number(process.env.BENCH_COMMENTS) || 1000;

const GROUP_SIZES = (process.env.BENCH_GROUP_SIZES ?? '1000,10000,100000').split(',').map(Number);
const IMPORT_SIZE = 10_000;
/** The jobs worker's Node options, as deployed; `BENCH_EXPORT_NODE_OPTIONS` tries others. */
const EXPORT_NODE_OPTIONS = (process.env.BENCH_EXPORT_NODE_OPTIONS ?? JOBS_NODE_OPTIONS).split(' ').filter(Boolean);

type Stack = Awaited<ReturnType<typeof startStack>>;

/** One stack for both parts: the SDK clients keep the endpoints of the first stack they meet. */
export async function main(): Promise<void> {
  const stack = await startStack({ port: 0, mailPort: 0, schedulerIntervalMs: 86_400_000 });
  try {
    if (process.env.BENCH_SKIP_PERSONAL !== '1') await personal(stack);
    await groupArchives();
  } finally {
    await stack.stop();
  }
}

async function personal(stack: Stack): Promise<void> {
  console.log('## Account: delete and personal export');
  const url = (path: string) => `${stack.appUrl}${path}`;
  const json = { 'content-type': 'application/json' };
  const mail = async () => ((await (await fetch(`${stack.mailUrl}/store`)).json()) as { emails: Array<{ destination: { to: string[] }; subject: string; body: { text: string } }> }).emails;
  const signIn = async (email: string) => {
    await fetch(url('/api/auth/email'), { method: 'POST', headers: { ...json, 'x-moot-origin-verify': process.env.ORIGIN_SECRET ?? '', 'cloudfront-viewer-address': '198.18.7.1:443' }, body: JSON.stringify({ email }) });
    const text = (await mail()).filter((e) => e.destination.to.includes(email)).at(-1)!.body.text;
    const token = /#token=([A-Za-z0-9_-]{43})/.exec(text)![1];
    const response = await fetch(url('/api/auth/token'), { method: 'POST', headers: json, body: JSON.stringify({ token }) });
    return { cookie: (response.headers.get('set-cookie') ?? '').split(';')[0]!, id: ((await response.json()) as { user: { id: string } }).user.id };
  };
  const waitUntil = async (probe: () => Promise<boolean>) => {
    while (!(await probe())) await new Promise((r) => setTimeout(r, 50));
  };
  const { DynamoDBClient, GetItemCommand } = await import('@aws-sdk/client-dynamodb');
  const dynamo = new DynamoDBClient({ endpoint: stack.dynamoEndpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const person = await signIn('bench-person@example.org');
  await fetch(url('/api/me'), { method: 'PATCH', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ name: 'Bench Person' }) });
  const group = (await (await fetch(url('/api/groups'), { method: 'POST', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ name: 'Bench group' }) })).json()) as { id: string };
  const thread = (await (await fetch(url(`/api/groups/${group.id}/discussions`), { method: 'POST', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ title: 'Bench thread' }) })).json()) as { id: string };
  for (let i = 0; i < COMMENTS; i += 10) {
    await Promise.all(Array.from({ length: Math.min(10, COMMENTS - i) }, (_, j) =>
      fetch(url(`/api/discussions/${thread.id}/comments`), { method: 'POST', headers: { ...json, cookie: person.cookie }, body: JSON.stringify({ body: `Comment ${i + j}` }) })));
  }
  await stack.flushStream();

  const exportStarted = performance.now();
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  await fetch(url('/api/me/exports'), { method: 'POST', headers: { cookie: person.cookie } });
  await waitUntil(async () => (await mail()).some((e) => e.subject.includes('data is ready')));
  clearInterval(sampler);
  console.log(`personal export, ${COMMENTS} comments: ${(performance.now() - exportStarted).toFixed(0)} ms; process RSS ${Math.round(rssBefore / 2 ** 20)} MB before, peak ${Math.round(peak / 2 ** 20)} MB (whole local stack in one process)`);

  const started = performance.now();
  await fetch(url('/api/me'), { method: 'DELETE', headers: { cookie: person.cookie } });
  // The first pass, from the event, erases all but the profile; the scheduler's final pass, 5 minutes on, repeats it.
  await waitUntil(async () => Boolean((await dynamo.send(new GetItemCommand({ TableName: stack.tableName, Key: { pk: { S: `erasure#${person.id}` }, sk: { S: 'job' } }, ConsistentRead: true }))).Item?.firstPassAt));
  console.log(`delete account with ${COMMENTS} comments: ${(performance.now() - started).toFixed(0)} ms until the first erase pass is done (one scan of the whole table, here ~${COMMENTS + 20} items; the final pass repeats it after 5 minutes)`);
}

/** Peak RSS and heap while `fn` runs, sampled every 10 ms. */
async function measure<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number; rss: number; heap: number }> {
  let rss = process.memoryUsage().rss;
  let heap = process.memoryUsage().heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    rss = Math.max(rss, m.rss);
    heap = Math.max(heap, m.heapUsed);
  }, 10);
  const started = performance.now();
  try {
    const result = await fn();
    return { result, ms: performance.now() - started, rss: Math.round(rss / 2 ** 20), heap: Math.round(heap / 2 ** 20) };
  } finally {
    clearInterval(sampler);
  }
}

/**
 * A group of `items` table items written straight to the table, in the shapes the use cases write:
 * 1% memberships, threads of 1,000 timeline items each, and one poll with 1% ballots.
 */
async function seedGroup(items: number): Promise<{ groupId: string; adminId: string }> {
  const { randomBytes } = await import('node:crypto');
  const { batchPut } = await import('../../functions/lib/db.ts');
  const id = () => randomBytes(16).toString('base64url');
  const now = new Date().toISOString();
  const groupId = id();
  const adminId = id();
  const members = Math.max(1, Math.floor(items / 100));
  const ballots = Math.floor(items / 100);
  const threads = Math.max(1, Math.floor((items - members - ballots) / 1000));
  const perThread = Math.floor((items - members - ballots) / threads) - 1;
  const memberIds = [adminId, ...Array.from({ length: members - 1 }, id)];
  let batch: Array<{ pk: string; sk: string } & Record<string, unknown>> = [];
  const add = async (item: { pk: string; sk: string } & Record<string, unknown>) => {
    batch.push(item);
    if (batch.length >= 500) (await batchPut(batch), (batch = []));
  };
  await add({ pk: `group#${groupId}`, sk: 'group', type: 'group', groupId, handle: `bench-${groupId.toLowerCase().slice(0, 8)}`, name: `Bench ${items}`, description: 'A **benchmark** group', parentId: null, privacy: 'closed', discussionPrivacy: 'private_only', membershipGranting: 'approval', flags: {}, parentMembersCanSeeDiscussions: false, isVisibleToParentMembers: true, memberCount: members, adminCount: 1, subgroups: [], createdAt: now, createdBy: adminId, updatedAt: now });
  for (const [i, userId] of memberIds.entries()) {
    await add({ pk: `group#${groupId}`, sk: `member#${userId}`, gsi1pk: `memberof#${userId}`, gsi1sk: `group#${groupId}`, type: 'membership', groupId, userId, role: i === 0 ? 'admin' : 'member', title: null, name: `Member ${i}`, email: `bench-${userId.toLowerCase()}@example.org`, joinedAt: now, via: 'link', groupName: `Bench ${items}`, groupHandle: 'bench', groupPrivacy: 'closed', parentId: null });
  }
  for (let t = 0; t < threads; t++) {
    const threadId = id();
    await add({ pk: `discussion#${threadId}`, sk: 'thread', gsi1pk: `threads#${groupId}`, gsi1sk: `0#${now}#${threadId}`, type: 'discussion', threadId, groupId, title: `Thread ${t}`, description: 'About *things*', private: false, authorId: adminId, authorName: 'Member 0', createdAt: now, updatedAt: now, lastActivityAt: now, seq: perThread, maxDepth: 3, commentCount: perThread, version: 1, reactions: {}, attachmentIds: [], mentions: {} });
    for (let seq = 1; seq <= perThread; seq++) {
      const author = memberIds[seq % memberIds.length]!;
      await add({ pk: `discussion#${threadId}`, sk: `item#${String(seq).padStart(10, '0')}`, type: 'timelineItem', threadId, seq, kind: 'comment', authorId: author, authorName: `Member ${seq % memberIds.length}`, body: `Comment ${seq}: some words about the budget, with a [link](https://example.org) and **bold** text.`, parentSeq: null, depth: 0, createdAt: now, version: 1, replyCount: 0, reactions: {}, mentions: {}, attachmentIds: [] });
    }
  }
  if (ballots) {
    const { buildPoll, CreatePoll, recount, toStoredTally } = await import('../../shared/polls/index.ts');
    const z = await import('zod/mini');
    const poll = buildPoll(z.parse(CreatePoll, { type: 'poll', title: 'Colour', options: ['Red', 'Green', 'Blue'], settings: { maxChoices: 1 } }) as never);
    const pollId = id();
    const cast = Array.from({ length: ballots }, (_, i) => ({ choices: { option: `o${(i % 3) + 1}` }, reason: null }));
    await add({ pk: `poll#${pollId}`, sk: 'poll', gsi1pk: `polls#${groupId}#closed`, gsi1sk: `${now}#${pollId}`, type: 'poll', pollId, groupId, threadId: null, timelineSeq: null, authorId: adminId, authorName: 'Member 0', createdAt: now, updatedAt: now, closedAt: now, poll, tally: toStoredTally(recount(poll, cast as never)), invitedCount: 0, version: 1 });
    for (const [i, b] of cast.entries()) await add({ pk: `poll#${pollId}`, sk: `ballot#${id()}`, type: 'ballot', ...b, version: 1, voterId: memberIds[i % memberIds.length], voterName: 'Member', castAt: now });
  }
  if (batch.length) await batchPut(batch);
  return { groupId, adminId };
}

interface ChildRun { ms: number; baseRssMb: number; maxRssMb: number; heapMb: number; externalMb: number; arrayBuffersMb: number; failed: boolean }

/**
 * Records an export request as `POST /api/groups/{id}/exports` does (the job and its event item),
 * then hands the event to the bundled jobs worker in a process of its own, as its Lambda would
 * get it, so the peak memory measured is the export's alone.
 */
export async function exportInChild(groupId: string, adminId: string): Promise<ChildRun & { records: number; bytes: number; archive: string }> {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const { randomBytes } = await import('node:crypto');
  const { batchPut, get } = await import('../../functions/lib/db.ts');
  const { keys } = await import('../../functions/lib/entities.ts');
  const { jobIndex, jobKeys } = await import('../../functions/exports/store.ts');
  const exportId = randomBytes(16).toString('base64url');
  const requestedAt = new Date().toISOString();
  await batchPut([{ ...jobKeys.groupExport(exportId), ...jobIndex.groupExports(groupId, adminId, requestedAt, exportId), type: 'groupExport', exportId, groupId, requestedBy: adminId, status: 'pending', requestedAt, expiresAt: Math.floor(Date.now() / 1000) + 86_400 }]);
  const eventId = `${Date.now()}-${exportId}`;
  const event = { ...keys.event(`group#${groupId}`, eventId), type: 'event', eventId, kind: 'GroupExportRequested', at: requestedAt, actorId: adminId, data: { groupId, exportId } };
  // Asynchronous: the emulators the child talks to live in this process.
  const child = new URL('./export-child.ts', import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, [...EXPORT_NODE_OPTIONS, child, JSON.stringify(event)], { env: process.env, encoding: 'utf8', maxBuffer: 2 ** 24 });
  const run = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildRun;
  const job = await get<{ status: string; records: number; bytes: number; objects: Record<string, string> }>(jobKeys.groupExport(exportId));
  if (run.failed || job?.status !== 'ready') throw new Error(`The export did not finish: ${JSON.stringify(run)}`);
  return { ...run, records: job.records, bytes: job.bytes, archive: job.objects.archive! };
}

async function groupArchives(): Promise<void> {
  console.log('## Groups: export and import');
  const { bundleFunctions } = await import('../bundle.ts');
  await bundleFunctions();
  const { writeGroupArchive } = await import('../../functions/exports/group-export.ts');
  const { runImport } = await import('../../functions/exports/group-import.ts');
  const { jobKeys } = await import('../../functions/exports/store.ts');
  const { CopyObjectCommand } = await import('@aws-sdk/client-s3');
  const { PutCommand } = await import('@aws-sdk/lib-dynamodb');
  const { s3, db } = await import('../../functions/lib/clients.ts');
  const { config } = await import('../../functions/lib/config.ts');
  let importSource: { key: string; adminId: string } | null = null;
  for (const size of GROUP_SIZES) {
    const { groupId, adminId } = await seedGroup(size);
    // The export runs in its own Node process, as in its Lambda, so its peak RSS is its own.
    const run = await exportInChild(groupId, adminId);
    console.log(`group export, ${size.toLocaleString('en')} items: ${run.ms.toFixed(0)} ms, ${run.records.toLocaleString('en')} records, ${(run.bytes / 2 ** 20).toFixed(1)} MB gzip; peak RSS ${run.maxRssMb} MB (the bundled jobs worker in a process of its own; ${run.baseRssMb} MB of it before the export began: Node, the worker and the SDK loaded); peaks: heap ${run.heapMb} MB, external ${run.externalMb} MB (of which buffers ${run.arrayBuffersMb} MB)`);
    if (size === IMPORT_SIZE) importSource = { key: run.archive, adminId };
  }
  if (!importSource) {
    const { groupId, adminId } = await seedGroup(IMPORT_SIZE);
    importSource = { key: (await writeGroupArchive(`bench/${groupId}/`, groupId, adminId)).objects.archive!, adminId };
  }
  const importId = `benchimport${Date.now()}`.padEnd(22, '0').slice(0, 22);
  const uploadKey = `imports/${importSource.adminId}/${importId}/archive.ndjson.gz`;
  await s3.send(new CopyObjectCommand({ Bucket: config.uploadsBucket, Key: uploadKey, CopySource: `${config.exportsBucket}/${importSource.key}` }));
  await db.send(new PutCommand({ TableName: config.tableName, Item: { pk: `user#${importSource.adminId}`, sk: 'profile', type: 'user', userId: importSource.adminId, email: `bench-${importSource.adminId.toLowerCase()}@example.org`, createdAt: new Date().toISOString(), updatedAt: new Date().toISOString() } }));
  await db.send(new PutCommand({ TableName: config.tableName, Item: { ...jobKeys.groupImport(importId), type: 'groupImport', importId, userId: importSource.adminId, uploadKey, status: 'pending', requestedAt: new Date().toISOString() } }));
  const run = await measure(() => runImport(importId));
  console.log(`group import, ${IMPORT_SIZE.toLocaleString('en')} items: ${run.ms.toFixed(0)} ms (check, stage, publish); peak heap ${run.heap} MB (in the stack's process)`);
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await main();
