import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CSV_COLUMNS, FILE_CHUNK_BYTES, GROUP_FORMAT, GROUP_VERSION, type CsvName, type ManifestFile } from '../../shared/archive/group.ts';
import { canExportGroup } from '../../shared/permissions/exports.ts';
import { canSeeGroup } from '../../shared/permissions/groups.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { newId } from '../lib/crypto.ts';
import { create, forEachPage, get, getAcross, getMany, patch, transact, updateItem } from '../lib/db.ts';
import { INTERNAL_ATTRIBUTES, nowSeconds, without, type EventRecordItem } from '../lib/entities.ts';
import { forbidden, notFound, tooManyRequests } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { attemptJob } from '../lib/job-attempts.ts';
import { logger } from '../lib/logger.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import type { RecordedEvent } from '../workers/stream-handler.ts';
import type { AttachmentItem } from '../discussions/content.ts';
import type { ThreadItem, TimelineItem } from '../discussions/store.ts';
import { groupKeys, isActive, loadGroup, type GroupItem, type MembershipItem } from '../groups/store.ts';
import { canSeeResults, canSeeVotes } from '../../shared/permissions/polls.ts';
import { emptyTally, newReceipt, receiptFingerprint, toStoredTally } from '../../shared/polls/index.ts';
import { pollFacts, pollKeys, type BallotItem, type OutcomeItem, type PollItem } from '../polls/store.ts';
import { ballotTable, boxKeys, fingerprintOf, forEachBoxBallot, inBallotBox, type BoxTallyItem } from '../polls/ballot-box.ts';
import { signManifest } from './archive-signature.ts';
import { GzipUpload, removeSpool, SpooledObject } from './multipart.ts';
import { csvHeader, csvRow, html } from './render.ts';
import { jobIndex, jobKeys, type GroupExportItem } from './store.ts';

/** An export is listed for 7 days; the bucket's lifecycle rule deletes its objects after that. Links are signed per read (job-reads.ts). */
const LINK_SECONDS = 7 * 24 * 60 * 60;
/** A whole-group export reads every item of the group: a few an hour per group is plenty. */
export const groupExportLimit = { name: 'group-export', limit: 5, windowSeconds: 60 * 60 };

/** POST /api/groups/{id}/exports: admins only; the worker builds the archive from the event. */
export async function requestGroupExport(request: ApiRequest<'POST /api/groups/{id}/exports'>): Promise<ApiReply> {
  const context = await loadGroup(request.params.id!, request.actor);
  if (!canSeeGroup(context.facts, context.viewer)) throw notFound('No such group.');
  if (!canExportGroup(context.facts, context.viewer)) throw forbidden('Only the group\u2019s admins can export it.');
  const exportId = newId();
  const groupId = context.group.groupId;
  const requestedAt = new Date().toISOString();
  const item: GroupExportItem = {
    ...jobKeys.groupExport(exportId), ...jobIndex.groupExports(groupId, request.actor.id, requestedAt, exportId), type: 'groupExport', exportId, groupId,
    requestedBy: request.actor.id, status: 'pending', requestedAt, expiresAt: nowSeconds() + LINK_SECONDS,
  };
  const limit = rateLimitCheck(groupExportLimit, groupId);
  const codes = await transact([limit.op, create({ ...item }), recordEvent({ kind: 'GroupExportRequested', groupId, exportId }, { actorId: request.actor.id, ip: request.ip })]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw tooManyRequests(limit.retryAfter, `This group was exported ${groupExportLimit.limit} times in the last hour. Try again later.`);
  if (codes) throw new Error(`Export request was not recorded: ${codes.join(',')}`);
  return { status: 202, body: { id: exportId, status: 'pending' } };
}

/** Keys, index attributes and secrets never travel (README rule 5); nor does the stored `type`. */
const clean = (item: object, ...also: string[]): Record<string, unknown> => without(item, [...INTERNAL_ATTRIBUTES, 'type', 'ip', ...also]);

/**
 * Every output of one export: the NDJSON archive, gzip-streamed into a multipart upload, and its
 * companions (six CSV files and one HTML file), spooled to temporary storage as they are written
 * and uploaded one at a time at the end, so one export holds two part buffers, not eight.
 */
class ExportOutputs {
  readonly base: string;
  private readonly folder: string;
  readonly archive: GzipUpload;
  readonly html: SpooledObject;
  readonly csv: Record<CsvName, SpooledObject>;
  private readonly linesHash = createHash('sha256');
  records = 0;
  readonly files: ManifestFile[] = [];

  private constructor(base: string, folder: string) {
    this.base = base;
    this.folder = folder;
    this.archive = new GzipUpload(config.exportsBucket, `${base}moot-group-export.ndjson.gz`);
    this.html = SpooledObject.in(folder, 'archive.html');
    this.csv = Object.fromEntries((Object.keys(CSV_COLUMNS) as CsvName[]).map((name) => [name, SpooledObject.in(folder, `${name}.csv`)])) as Record<CsvName, SpooledObject>;
  }

  static async open(base: string): Promise<ExportOutputs> {
    return new ExportOutputs(base, await SpooledObject.folder());
  }

  async line(record: Record<string, unknown>): Promise<void> {
    const text = `${JSON.stringify(record)}\n`;
    this.records++;
    this.linesHash.update(text);
    await this.archive.write(text);
  }

  async start(header: Record<string, unknown>, title: string): Promise<void> {
    await this.line(header);
    await this.html.write(html.start(title, String(header.exportedAt)));
    for (const name of Object.keys(CSV_COLUMNS) as CsvName[]) await this.csv[name].write(csvHeader(name));
  }

  /** Uploads the companions first, so the manifest can carry their checksums, then closes the archive. */
  async finish(): Promise<{ objects: Record<string, string>; bytes: number }> {
    await this.html.write(html.end());
    const companions = [];
    const objects: Record<string, string> = {};
    const spooled: Array<[string, SpooledObject, string]> = [
      ['archive.html', this.html, 'text/html; charset=utf-8'],
      ...Object.entries(this.csv).map(([name, spool]) => [`${name}.csv`, spool, 'text/csv; charset=utf-8'] as [string, SpooledObject, string]),
    ];
    for (const [name, spool, contentType] of spooled) {
      const key = `${this.base}${name}`;
      const stored = await spool.upload(config.exportsBucket, key, contentType);
      companions.push({ name, size: stored.bytes, sha256: stored.sha256 });
      objects[name === 'archive.html' ? 'html' : name] = key;
    }
    const recordsSha256 = this.linesHash.copy().digest('hex');
    const manifest = { type: 'manifest', records: this.records + 1, recordsSha256, files: this.files, companions };
    // Signed last: the manifest carries every record's and file's checksum, so the signature covers them all.
    await this.line({ ...manifest, signature: await signManifest(manifest) });
    const stored = await this.archive.close();
    objects.archive = this.archive.key;
    await removeSpool(this.folder);
    return { objects, bytes: stored.bytes };
  }

  async abort(): Promise<void> {
    for (const spool of [this.html, ...Object.values(this.csv)]) spool.close();
    await Promise.all([this.archive.abort(), removeSpool(this.folder)]);
  }
}

/**
 * Builds a group archive (GroupExportRequested): the group, then each subgroup the requester
 * belongs to. Every collection is read a Query page at a time and written straight out, so only
 * one page is ever in memory. Runs again harmlessly; after three failed attempts the export is
 * marked failed.
 */
export async function buildGroupExport(event: RecordedEvent): Promise<void> {
  const { groupId, exportId } = event.data as { groupId: string; exportId: string };
  const job = await get<GroupExportItem>(jobKeys.groupExport(exportId));
  if (!job || job.status !== 'pending') return;
  await attemptJob(jobKeys.groupExport(exportId), 'group export', async () => {
    const started = Date.now();
    const result = await writeGroupArchive(`groups/${groupId}/${exportId}/`, groupId, job.requestedBy);
    await updateItem(patch(jobKeys.groupExport(exportId), { set: { status: 'ready', objects: result.objects, records: result.records, bytes: result.bytes, finishedAt: new Date().toISOString() } }));
    logger.info('Group export built', { records: result.records, bytes: result.bytes, ms: Date.now() - started });
  });
}

/** Writes the archive and its companions under `base` in the exports bucket. Exported for the benchmark. */
export async function writeGroupArchive(base: string, groupId: string, requesterId: string): Promise<{ objects: Record<string, string>; records: number; bytes: number }> {
  const [root, rootMembership] = await getMany<GroupItem | MembershipItem>([groupKeys.group(groupId), groupKeys.membership(groupId, requesterId)]) as [GroupItem | null, MembershipItem | null];
  if (!root) throw new Error(`Group ${groupId} is gone`);
  const sections: Array<{ group: GroupItem; admin: boolean }> = [{ group: root, admin: isActive(rootMembership) && rootMembership.role === 'admin' }];
  for (const summary of root.subgroups) {
    const [sub, mine] = await getMany<GroupItem | MembershipItem>([groupKeys.group(summary.id), groupKeys.membership(summary.id, requesterId)]) as [GroupItem | null, MembershipItem | null];
    if (sub && isActive(mine)) sections.push({ group: sub, admin: mine.role === 'admin' });
  }
  const out = await ExportOutputs.open(base);
  try {
    await out.start({ format: GROUP_FORMAT, version: GROUP_VERSION, exportedAt: new Date().toISOString(), groupId, deployment: config.deploymentId }, root.name);
    for (const section of sections) await writeSection(out, section.group, section.admin);
    const { objects, bytes } = await out.finish();
    return { objects, records: out.records, bytes };
  } catch (error) {
    await out.abort();
    throw error;
  }
}

/**
 * Items per Query page. A full 1 MB page is thousands of items held three times over while it is
 * parsed (the response text, the wire format, the plain objects); pages of this size keep the
 * heap small for a few more requests (100,000 items: about 200 Queries instead of 50).
 */
const PAGE_ITEMS = 500;
const partition = (pk: string, prefix: string) => ({ KeyConditionExpression: 'pk = :pk AND begins_with(sk, :p)', ExpressionAttributeValues: { ':pk': pk, ':p': prefix }, Limit: PAGE_ITEMS });
const listing = (gsi1pk: string) => ({ IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': gsi1pk }, Limit: PAGE_ITEMS });

async function writeSection(out: ExportOutputs, group: GroupItem, admin: boolean): Promise<void> {
  const handle = group.handle;
  await out.line({ type: 'group', ...clean(group, 'subgroups') });
  await out.html.write(html.group(group));

  // Members: emails only when the requester is an admin of this group, as in the app.
  await out.html.write(html.membersStart());
  await forEachPage<MembershipItem>(partition(`group#${group.groupId}`, 'member#'), async (page) => {
    for (const m of page) {
      // The group's name, handle and privacy are copied onto each membership for "my groups"; the group record has them.
      const member = { ...clean(m, 'groupName', 'groupHandle', 'groupPrivacy', 'parentId'), email: admin ? m.email : null };
      await out.line({ type: 'member', ...member });
      await out.csv.members.write(csvRow([handle, m.userId, m.name, member.email, m.role, m.title, m.joinedAt, m.via, m.revokedAt]));
      await out.html.write(html.member({ ...m, email: member.email }));
    }
  });
  await out.html.write(html.membersEnd());

  await forEachPage<ThreadItem>(listing(`threads#${group.groupId}`), async (threads) => {
    for (const thread of threads) await writeThread(out, handle, thread);
  });

  await out.html.write(html.pollsStart());
  for (const state of ['open', 'closed']) {
    await forEachPage<PollItem>(listing(`polls#${group.groupId}#${state}`), async (polls) => {
      for (const poll of polls) await writePoll(out, handle, poll);
    });
  }

  // The audit trail; the masked IP stays out, as in the audit view. Who voted when, in a poll
  // whose results are hidden, stays out too (as its has-voted markers do).
  const resultsShown = new Map<string, boolean>();
  const voteShown = async (e: EventRecordItem) => {
    if (e.kind !== 'VoteCast' && e.kind !== 'VoteWithdrawn') return true;
    const pollId = String(e.data.pollId);
    if (!resultsShown.has(pollId)) {
      const poll = await get<PollItem>(pollKeys.poll(pollId));
      resultsShown.set(pollId, poll !== null && canSeeResults(pollFacts(poll), false));
    }
    return resultsShown.get(pollId)!;
  };
  await forEachPage<EventRecordItem>(partition(`group#${group.groupId}`, 'event#'), async (events) => {
    for (const e of events) if (await voteShown(e)) await out.line({ type: 'event', groupId: group.groupId, ...clean(e) });
  });
  await out.html.write(html.groupEnd());
}


async function writeThread(out: ExportOutputs, handle: string, thread: ThreadItem): Promise<void> {
  await out.line({ type: 'thread', ...clean(thread) });
  await out.csv.threads.write(csvRow([handle, thread.threadId, thread.title, thread.authorId, thread.authorName, thread.createdAt, thread.lastActivityAt, thread.private, thread.closedAt, thread.commentCount]));
  await out.html.write(html.thread(thread));
  const attachmentIds = new Set(thread.attachmentIds ?? []);
  const pk = `discussion#${thread.threadId}`;
  // A vote in the timeline says who voted how: it leaves only while anyone may see the poll's votes.
  const votesShown = new Map<string, boolean>();
  const voteShown = async (refId: string | undefined) => {
    const pollId = refId?.split('.').at(-1) ?? '';
    if (!votesShown.has(pollId)) {
      const poll = await get<PollItem>(pollKeys.poll(pollId));
      votesShown.set(pollId, poll !== null && canSeeVotes(pollFacts(poll), false));
    }
    return votesShown.get(pollId)!;
  };
  await forEachPage<TimelineItem & { attachments?: Array<{ filename: string }> }>(partition(pk, 'item#'), async (items) => {
    for (const item of items) {
      if (item.kind === 'vote' && !item.deletedAt && !(await voteShown(item.refId))) continue;
      await out.line({ type: 'item', ...clean(item) });
      for (const id of item.attachmentIds ?? []) attachmentIds.add(id);
      if (item.kind === 'comment') await out.csv.comments.write(csvRow([handle, thread.threadId, item.seq, item.parentSeq, item.authorId, item.authorName, item.createdAt, item.editedAt, item.deletedAt, item.body]));
      await out.html.write(html.item(item));
    }
  });
  await out.html.write(html.threadEnd());
  await forEachPage<object>(partition(pk, 'version#'), async (versions) => {
    for (const v of versions) await out.line({ type: 'version', ...clean(v as object) });
  });
  await forEachPage<{ sk: string }>(partition(pk, 'read#'), async (reads) => {
    for (const r of reads) await out.line({ type: 'readState', threadId: thread.threadId, userId: r.sk.slice('read#'.length), ...clean(r) });
  });
  const ids = [...attachmentIds].sort();
  for (let i = 0; i < ids.length; i += 100) {
    const found = await getMany<AttachmentItem>(ids.slice(i, i + 100).map((id) => ({ pk: `attachment#${id}`, sk: 'attachment' })));
    for (const attachment of found) if (attachment) await writeAttachment(out, attachment);
  }
}

/** An attachment record, then its bytes as `fileChunk`s, then the `file` record with size and SHA-256. */
async function writeAttachment(out: ExportOutputs, attachment: AttachmentItem): Promise<void> {
  const path = `attachments/${attachment.attachmentId}/${attachment.filename.replace(/[/\\]/g, '_')}`;
  await out.line({ type: 'attachment', ...clean(attachment, 'key'), path });
  const got = await s3.send(new GetObjectCommand({ Bucket: config.uploadsBucket, Key: attachment.key })).catch(() => null);
  if (!got) return;
  const hash = createHash('sha256');
  let size = 0;
  let index = 0;
  let buffered: Buffer[] = [];
  let bufferedBytes = 0;
  const flush = async () => {
    if (!bufferedBytes) return;
    await out.line({ type: 'fileChunk', path, index: index++, data: Buffer.concat(buffered).toString('base64') });
    buffered = [];
    bufferedBytes = 0;
  };
  for await (const chunk of got.Body as Readable) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    size += bytes.length;
    buffered.push(bytes);
    bufferedBytes += bytes.length;
    if (bufferedBytes >= FILE_CHUNK_BYTES) await flush();
  }
  await flush();
  const file = { path, size, sha256: hash.digest('hex') };
  out.files.push(file);
  await out.line({ type: 'file', ...file, contentType: attachment.contentType, chunks: index });
}

async function writePoll(out: ExportOutputs, handle: string, stored: PollItem): Promise<void> {
  const poll = stored.poll;
  // Results hidden from anyone who has not voted stay hidden in the archive too: such a poll
  // leaves without its totals, has-voted markers and ballots.
  // An anonymous poll that is still open leaves without its votes too: two exports a vote apart
  // would otherwise show that vote's ballot beside its voter. Export it again once it has closed.
  const resultsShown = canSeeResults(pollFacts(stored), false) && !(poll.anonymous && pollFacts(stored).status !== 'closed');
  // An anonymous poll's totals are in the ballot box; the poll itself counts only voters.
  const boxTally = inBallotBox(stored) && resultsShown ? (await getAcross<BoxTallyItem>([{ table: ballotTable(), key: boxKeys.tally(stored.pollId) }]))[0] : null;
  const { ballotBox: _box, ...plain } = stored;
  void _box;
  const item: PollItem = resultsShown ? { ...plain, tally: boxTally?.tally ?? stored.tally } : { ...plain, tally: toStoredTally(emptyTally(poll)) as unknown as Record<string, unknown> };
  await out.line({ type: 'poll', ...clean(item) });
  await out.csv.polls.write(csvRow([handle, item.pollId, item.threadId, poll.type, poll.title, poll.anonymous, poll.options.map((o) => `${o.id}=${o.name}`).join('; '), item.createdAt, poll.closingAt, item.closedAt, resultsShown ? Number((item.tally as { voters?: number }).voters ?? 0) : null]));
  await out.html.write(html.poll(item));
  const pk = `poll#${item.pollId}`;
  await forEachPage<{ userId: string }>(partition(pk, 'invitee#'), async (page) => {
    for (const i of page) await out.line({ type: 'invitee', pollId: item.pollId, userId: i.userId });
  });
  if (!resultsShown) return writeOutcomeAndEnd(out, handle, item);
  await forEachPage<{ userId: string }>(partition(pk, 'voter#'), async (page) => {
    for (const v of page) await out.line({ type: 'voter', pollId: item.pollId, userId: v.userId });
  });
  // Ballots leave in key order, which says nothing about who voted when or who they are. A named
  // ballot's key is an HMAC of its voter, and it never leaves. An anonymous ballot leaves as it is
  // kept: under its receipt's fingerprint, with no voter and no time.
  const write = async (b: { fingerprint?: string; choices: unknown; reason: string | null; voterId?: string; voterName?: string | null; castAt?: string }, record: Record<string, unknown>) => {
    await out.line(record);
    await out.csv.votes.write(csvRow([handle, item.pollId, b.voterId, b.voterName, b.castAt, JSON.stringify(b.choices), b.reason]));
  };
  if (inBallotBox(stored)) {
    await forEachBoxBallot(item.pollId, async (page) => {
      for (const b of page) await write(b, { type: 'ballot', pollId: item.pollId, fingerprint: fingerprintOf(b), choices: b.choices, reason: b.reason });
    });
  } else {
    await forEachPage<BallotItem>(partition(pk, 'ballot#'), async (page) => {
      for (const b of page) {
        // An anonymous ballot from before receipts has no fingerprint; it leaves under a new random
        // one, which nobody holds the receipt of.
        if (poll.anonymous) await write(b, { type: 'ballot', pollId: item.pollId, fingerprint: await receiptFingerprint(newReceipt()), choices: b.choices, reason: b.reason });
        else await write(b, { type: 'ballot', pollId: item.pollId, ...clean(b) });
      }
    });
  }
  await writeOutcomeAndEnd(out, handle, item);
}

async function writeOutcomeAndEnd(out: ExportOutputs, handle: string, item: PollItem): Promise<void> {
  const outcome = await get<OutcomeItem>({ pk: `poll#${item.pollId}`, sk: 'outcome' });
  if (outcome) {
    await out.line({ type: 'outcome', ...clean(outcome) });
    await out.csv.outcomes.write(csvRow([handle, item.pollId, outcome.authorId, outcome.authorName, outcome.createdAt, outcome.statement, outcome.optionId, outcome.reviewOn]));
    await out.html.write(html.outcome(outcome));
  }
  await out.html.write(html.pollEnd());
}
