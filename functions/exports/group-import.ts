import { DeleteObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { createHash } from 'node:crypto';
import { ATTACHMENT_TYPES, ATTACHMENT_TYPES_HINT } from '../../shared/attachments.ts';
import { GROUP_FORMAT, GROUP_READABLE_VERSIONS, type ManifestFile } from '../../shared/archive/group.ts';
import { emptyTally, fromStoredTally, isFingerprint, recount, toStoredTally, type Ballot, type Poll } from '../../shared/polls/index.ts';
import { s3 } from '../lib/clients.ts';
import { config } from '../lib/config.ts';
import { emailHash, newId } from '../lib/crypto.ts';
import { batchPut, create, get, getMany, patch, put, transact, updateItem, type Key } from '../lib/db.ts';
import { rateLimitCheck } from '../lib/rate-limit.ts';
import { keys, type UserEmailItem, type UserItem } from '../lib/entities.ts';
import { invalid, notFound, tooManyRequests } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import { attemptJob } from '../lib/job-attempts.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { logger } from '../lib/logger.ts';
import type { RecordedEvent } from '../workers/stream-handler.ts';
import { threadKeys } from '../discussions/store.ts';
import { groupKeys, type GroupItem, type MembershipItem, type SubgroupSummary } from '../groups/store.ts';
import { dueOps } from '../polls/create-poll.ts';
import { reviewDue } from '../polls/outcome.ts';
import { ballotIdFor, pollKeys } from '../polls/store.ts';
import { ballotTable, boxKeys, newRev } from '../polls/ballot-box.ts';
import { Rejected, UploadedArchive, type ReadStats } from './archive-reader.ts';
import { importLimits, sizeInWords, type ImportLimits } from './limits.ts';
import { ObjectUpload } from './multipart.ts';
import { identityFor, type IdentityDecision } from './archive-signature.ts';
import { invitePlaceholders, placeholderItems, placeholderTracker, type Placeholder, type PlaceholderItem } from './placeholders.ts';
import { jobIndex, jobKeys, type GroupImportItem, type ImportReport } from './store.ts';

const MAX_ARCHIVE_BYTES = 2 * 1024 ** 3;
/** Items written per BatchWrite round (four requests of 25). */
const STAGE_BATCH = 100;
const ID = /^[A-Za-z0-9_-]{22}$/;
/** Each import reads a whole archive and writes a whole group: a few an hour per person. */
export const importLimit = { name: 'group-import', limit: 5, windowSeconds: 60 * 60 };

/** POST /api/imports/uploads: a presigned POST for one gzip archive, into the uploader's own prefix. */
export async function requestImportUpload(request: ApiRequest<'POST /api/imports/uploads'>): Promise<ApiReply> {
  const size = request.body.size;
  const uploadKey = `imports/${request.actor.id}/${newId()}/archive.ndjson.gz`;
  const post = await createPresignedPost(s3, {
    Bucket: config.uploadsBucket,
    Key: uploadKey,
    Conditions: [['content-length-range', 1, Math.min(size, MAX_ARCHIVE_BYTES)], ['eq', '$Content-Type', 'application/gzip']],
    Fields: { 'Content-Type': 'application/gzip' },
    Expires: 3600,
  });
  return { status: 201, body: { uploadKey, url: post.url, fields: post.fields, maxBytes: size } };
}

/** POST /api/imports: records the request with its event; the import worker does the rest. */
export async function requestImport(request: ApiRequest<'POST /api/imports'>): Promise<ApiReply> {
  const actor = request.actor;
  const { uploadKey } = request.body;
  if (!new RegExp(`^imports/${actor.id}/[A-Za-z0-9_-]{22}/archive\\.ndjson\\.gz$`).test(uploadKey)) throw invalid({ uploadKey: 'Upload the archive with POST /api/imports/uploads first.' });
  const head = await s3.send(new HeadObjectCommand({ Bucket: config.uploadsBucket, Key: uploadKey })).catch(() => null);
  if (!head) throw invalid({ uploadKey: 'The archive has not finished uploading.' });
  const importId = newId();
  const requestedAt = new Date().toISOString();
  const job: GroupImportItem = { ...jobKeys.groupImport(importId), ...jobIndex.imports(actor.id, requestedAt, importId), type: 'groupImport', importId, userId: actor.id, uploadKey, status: 'pending', requestedAt };
  const limit = rateLimitCheck(importLimit, actor.id);
  const codes = await transact([limit.op, create({ ...job }), recordEvent({ kind: 'GroupImportRequested', userId: actor.id, importId }, { actorId: actor.id, ip: request.ip })]);
  if (codes?.[0] === 'ConditionalCheckFailed') throw tooManyRequests(limit.retryAfter, `You started ${importLimit.limit} imports in the last hour. Try again later.`);
  if (codes) throw new Error(`Import request was not recorded: ${codes.join(',')}`);
  return { status: 202, body: { id: importId, status: 'pending' } };
}

/** The uploaded archive has served its purpose once the import is done or refused. */
const deleteUpload = (job: GroupImportItem) =>
  s3.send(new DeleteObjectCommand({ Bucket: config.uploadsBucket, Key: job.uploadKey })).catch((error: unknown) => logger.warn('Import archive not deleted', { importId: job.importId, error: String(error) }));

type Rec = Record<string, any>;


const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
const isTime = (value: unknown) => typeof value === 'string' && ISO_TIME.test(value) && !Number.isNaN(Date.parse(value));
const isDay = (value: unknown) => typeof value === 'string' && ISO_DAY.test(value) && !Number.isNaN(Date.parse(value));

const stable = (value: unknown): string =>
  JSON.stringify(value, (_, v) => (v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

/** What the first pass learns: enough to write the second pass in any order, and nothing large. */
interface Plan {
  groups: Rec[];
  members: Rec[];
  threads: Map<string, { seq: number; comments: number }>;
  /** Poll and attachment ids, for the report's id map. */
  otherIds: string[];
  /**
   * What the scheduler should do for the imported group, written only once it is published (so
   * no notice goes out about a group nobody can reach yet): open polls' closing times, and review
   * dates still ahead (one that has passed was reviewed in the poll's first life).
   */
  schedule: Array<{ pollId: string; closingAt: string } | { pollId: string; reviewOn: string }>;
  counts: Record<string, number>;
  recomputed: NonNullable<ImportReport['recomputed']>;
  /** From the manifest's signature: whether people keep their accounts or arrive as placeholders. */
  identity: IdentityDecision;
}

/**
 * Pass 1: checks everything before anything is written. The header's format and version, every
 * line, each file against its SHA-256, the manifest (line count, checksum of all records, files),
 * and each poll's tally against a recount of its ballots.
 */
async function check(archive: UploadedArchive): Promise<Plan> {
  const plan: Plan = { groups: [], members: [], threads: new Map(), otherIds: [], schedule: [], counts: {}, recomputed: [], identity: { mode: 'placeholders', reason: 'unsigned' } };
  const hash = createHash('sha256');
  const files: ManifestFile[] = [];
  type FileState = { path: string; hash: ReturnType<typeof createHash>; size: number; next: number };
  let file: FileState | null = null;
  let poll: { record: Rec; ballots: Ballot[]; fingerprints?: Set<string> } | null = null;
  let version = 0;
  let manifest = false;
  const finishPoll = () => {
    if (!poll) return;
    const expected = stable(toStoredTally(recount(poll.record.poll as Poll, poll.ballots)));
    const stored = stable(toStoredTally(fromStoredTally(poll.record.tally)));
    if (expected !== stored) throw new Rejected(`The tally of the poll "${poll.record.poll?.title}" does not match its ${poll.ballots.length} ballots (recounted ${expected}, archive says ${stored}).`);
    poll = null;
  };
  for await (const { n, text, record } of archive.lines()) {
    if (manifest) throw new Rejected(`Line ${n} comes after the manifest.`);
    if (n === 1) {
      if (record.format !== GROUP_FORMAT) throw new Rejected(`This is not a Moot group archive (format "${String(record.format)}").`);
      if (!GROUP_READABLE_VERSIONS.includes(record.version)) throw new Rejected(`The archive is version ${String(record.version)}; this Moot reads version ${GROUP_READABLE_VERSIONS.join(', ')}. Update Moot, or export again from a Moot of the same version.`);
      version = record.version;
      hash.update(`${text}\n`);
      continue;
    }
    const type = String(record.type);
    if (type === 'manifest') {
      finishPoll();
      manifest = true;
      if (record.records !== n) throw new Rejected(`The manifest counts ${record.records} lines but the archive has ${n}: it was cut or lines were added.`);
      if (record.recordsSha256 !== hash.digest('hex')) throw new Rejected('The records do not match the manifest\u2019s SHA-256: the archive was changed after export.');
      if (stable(record.files) !== stable(files)) throw new Rejected('The files do not match the manifest.');
      plan.identity = await identityFor(record);
      continue;
    }
    hash.update(`${text}\n`);
    plan.counts[type] = (plan.counts[type] ?? 0) + 1;
    if (poll && !['invitee', 'voter', 'ballot', 'outcome'].includes(type)) finishPoll();
    switch (type) {
      case 'group':
        plan.groups.push(record);
        break;
      case 'member':
        plan.members.push(record);
        break;
      case 'thread':
        plan.threads.set(record.threadId, { seq: 0, comments: 0 });
        break;
      case 'item': {
        const counts = plan.threads.get(record.threadId);
        if (!counts) throw new Rejected(`Line ${n}: a timeline item of a thread the archive does not hold.`);
        counts.seq = Math.max(counts.seq, Number(record.seq));
        if (record.kind === 'comment') counts.comments++;
        // The timeline shows these as images or files by their type: the same rules as the files.
        for (const meta of Array.isArray(record.attachments) ? (record.attachments as Rec[]) : []) {
          if (!ATTACHMENT_TYPES.has(meta?.contentType)) throw new Rejected(`Line ${n}: a comment's attachment is of a type Moot does not accept (${String(meta?.contentType).slice(0, 80)}). ${ATTACHMENT_TYPES_HINT}`);
        }
        break;
      }
      case 'fileChunk': {
        const current: FileState = file?.path === record.path ? file! : { path: String(record.path), hash: createHash('sha256'), size: 0, next: 0 };
        file = current;
        if (record.index !== current.next++) throw new Rejected(`The file ${record.path} has a missing or repeated chunk.`);
        const bytes = Buffer.from(String(record.data), 'base64');
        current.hash.update(bytes);
        current.size += bytes.length;
        if (current.size > archive.limits.fileBytes) throw new Rejected(`The file ${record.path} is larger than ${sizeInWords(archive.limits.fileBytes)}, the most an attachment may be.`);
        break;
      }
      case 'file': {
        const current: FileState | null = file?.path === record.path ? file! : null;
        const got = current ? { size: current.size, sha256: current.hash.digest('hex') } : { size: 0, sha256: createHash('sha256').digest('hex') };
        if (got.size !== record.size || got.sha256 !== record.sha256) throw new Rejected(`The file ${record.path} does not match its SHA-256 checksum.`);
        files.push({ path: record.path, size: record.size, sha256: record.sha256 });
        file = null;
        break;
      }
      case 'poll': {
        // The scheduler is driven by these times: each must be a real one.
        const times = { closingAt: record.poll?.closingAt, closedAt: record.closedAt };
        for (const [name, value] of Object.entries(times)) {
          if (value != null && !isTime(value)) throw new Rejected(`Line ${n}: the poll's ${name} is not a time (${JSON.stringify(value).slice(0, 40)}).`);
        }
        if (!isTime(record.createdAt)) throw new Rejected(`Line ${n}: the poll's createdAt is not a time.`);
        const status = pollStatusAt(record);
        if (status.state === 'open') plan.schedule.push({ pollId: record.pollId, closingAt: status.at });
        poll = { record, ballots: [] };
        plan.otherIds.push(record.pollId);
        break;
      }
      case 'outcome':
        if (record.reviewOn != null && !isDay(record.reviewOn)) throw new Rejected(`Line ${n}: the outcome's reviewOn is not a date.`);
        if (record.reviewOn && record.reviewOn > new Date().toISOString().slice(0, 10)) plan.schedule.push({ pollId: record.pollId, reviewOn: record.reviewOn });
        break;
      case 'attachment':
        // The rules every upload meets: a file the archive calls SVG or HTML would otherwise be stored as that.
        if (!ATTACHMENT_TYPES.has(record.contentType)) throw new Rejected(`Line ${n}: the attachment "${String(record.filename).slice(0, 120)}" is of a type Moot does not accept (${String(record.contentType).slice(0, 80)}). ${ATTACHMENT_TYPES_HINT}`);
        if (!(Number(record.size) <= archive.limits.fileBytes)) throw new Rejected(`Line ${n}: the attachment "${String(record.filename).slice(0, 120)}" is larger than ${sizeInWords(archive.limits.fileBytes)}, the most an attachment may be.`);
        plan.otherIds.push(record.attachmentId);
        break;
      case 'ballot':
        if (!poll || poll.record.pollId !== record.pollId) throw new Rejected(`Line ${n}: a ballot outside its poll.`);
        // From version 2 an anonymous ballot comes by its receipt's fingerprint alone, once per poll.
        if (version >= 2 && poll.record.poll?.anonymous) {
          if (typeof record.fingerprint !== 'string' || !isFingerprint(record.fingerprint)) throw new Rejected(`Line ${n}: an anonymous ballot without the fingerprint of its receipt (64 hex digits).`);
          if (record.voterId != null || record.voterName != null || record.castAt != null) throw new Rejected(`Line ${n}: an anonymous ballot names its voter or its time.`);
          poll.fingerprints ??= new Set();
          if (poll.fingerprints.has(record.fingerprint)) throw new Rejected(`Line ${n}: two ballots of one poll have the same fingerprint.`);
          poll.fingerprints.add(record.fingerprint);
        }
        poll.ballots.push({ choices: record.choices, reason: record.reason ?? null });
        break;
    }
  }
  if (!manifest) throw new Rejected('The archive has no manifest: it was truncated.');
  if (!plan.groups.length) throw new Rejected('The archive holds no group.');
  return plan;
}

/** Old id → new id. Deterministic per import, so a resumed import writes the very same items again. */
function idMapper(importId: string, people: Map<string, string>) {
  const derive = (old: string) => createHash('sha256').update(`${importId}|${old}`).digest('base64url').slice(0, 22);
  const id = (old: string | null | undefined) => (old ? derive(old) : (old ?? null));
  const user = (old: string | null | undefined) => (old ? people.get(old) ?? derive(`user|${old}`) : (old ?? null));
  /** `group.thread` and `group.thread.seq` style ids, and bare ids; anything else is left as it is. */
  const ref = (value: string) => {
    const parts = value.split('.');
    if (!parts.slice(0, 2).every((p) => ID.test(p)) || parts.length > 3) return value;
    return parts.map((p, i) => (i < 2 ? (people.has(p) ? people.get(p)! : derive(p)) : p)).join('.');
  };
  const userKeys = <V>(record: Record<string, V> | undefined) => Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [user(k)!, v]));
  const userValues = (record: Record<string, string> | undefined) => Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, user(v)!]));
  const FREE_TEXT = new Set(['title', 'body', 'description', 'name', 'statement', 'reason', 'filename', 'email', 'text', 'location', 'changed']);
  /** Event data is structured: id-shaped strings become the new ids, free text stays. */
  const data = (value: unknown, key = ''): unknown => {
    if (typeof value === 'string') return FREE_TEXT.has(key) ? value : ref(value);
    if (Array.isArray(value)) return value.map((v) => data(v, key));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, data(v, k)]));
    return value;
  };
  return { id, user, ref, userKeys, userValues, data, derive, resolved: (old: string) => people.has(old) };
}

/** Nobody is matched or created: each person of the archive stays a placeholder. */
function unresolvedPeople(members: Rec[]): People {
  return { map: new Map(), matched: 0, created: 0, withoutEmail: members.filter((m) => !m.email).length };
}

interface People {
  map: Map<string, string>;
  matched: number;
  created: number;
  withoutEmail: number;
}

/** People are matched by email, or created (a user with no session); the same email always yields the same user. */
async function resolvePeople(importId: string, members: Rec[]): Promise<People> {
  const people: People = { map: new Map(), matched: 0, created: 0, withoutEmail: 0 };
  const byEmail = new Map<string, string>();
  for (const m of members) {
    if (!m.email) {
      people.withoutEmail++;
      continue;
    }
    const email = String(m.email).toLowerCase();
    let userId = byEmail.get(email);
    if (!userId) {
      const known = await get<UserEmailItem>(keys.userEmail(emailHash(email)));
      if (known) {
        userId = known.userId;
        people.matched++;
      } else {
        userId = createHash('sha256').update(`${importId}|email|${email}`).digest('base64url').slice(0, 22);
        const now = new Date().toISOString();
        const codes = await transact([
          create({ ...keys.userEmail(emailHash(email)), type: 'userEmail', userId } satisfies UserEmailItem),
          create({ ...keys.user(userId), type: 'user', userId, email, ...(m.name ? { name: m.name } : {}), createdAt: now, updatedAt: now } satisfies UserItem),
        ]);
        // Taken meanwhile, or written by an earlier run of this import: read who owns it now.
        if (codes) userId = (await get<UserEmailItem>(keys.userEmail(emailHash(email))))?.userId ?? userId;
        people.created++;
      }
      byEmail.set(email, userId);
    }
    people.map.set(m.userId, userId);
  }
  return people;
}

export interface ImportHooks {
  /** Test only: called after each staged batch, so a test can stop the import midway. */
  afterBatch?: (batch: number) => void | Promise<void>;
  /** Test only: lower limits than `importLimits`, so a test can reach them with a small archive. */
  limits?: Partial<ImportLimits>;
  /** Test only: what each read of the archive held (its line buffer, gunzip chunks), refused or not. */
  reads?: ReadStats[];
}

/**
 * The import worker (GroupImportRequested). An import that fails its third attempt is marked
 * `failed` (as exports are) instead of being retried for as long as the stream keeps the event.
 */
export async function importFromEvent(event: RecordedEvent, hooks: ImportHooks = {}): Promise<void> {
  const { importId } = event.data as { importId: string };
  await attemptJob(jobKeys.groupImport(importId), 'group import', () => runImport(importId, hooks), { runnable: ['pending', 'published'] });
}

/**
 * Imports an archive as new groups, in three steps that can each run again:
 * 1. check the whole archive (nothing is written if it fails);
 * 2. stage every item under new, deterministic ids: the group has no handle and its memberships no
 *    listing keys, so nobody can reach it; events are stored as `importedEvent`, which the stream
 *    workers ignore (no old notification is sent again);
 * 3. publish: one transaction creates the handles and marks the job published; then the
 *    memberships get their "my groups" keys and the job is done.
 * A crash anywhere resumes from the start of its step and ends with exactly one copy.
 */
export async function runImport(importId: string, hooks: ImportHooks = {}): Promise<void> {
  const job = await get<GroupImportItem>(jobKeys.groupImport(importId));
  if (!job || job.status === 'done' || job.status === 'rejected' || job.status === 'failed') return;
  const started = Date.now();
  const archive = new UploadedArchive(job.uploadKey, { ...importLimits, ...hooks.limits });
  if (hooks.reads) archive.reads = hooks.reads;
  let plan: Plan;
  try {
    plan = await check(archive);
  } catch (error) {
    if (!(error instanceof Rejected)) throw error;
    await updateItem(patch(jobKeys.groupImport(importId), { set: { status: 'rejected', finishedAt: new Date().toISOString(), report: { problems: [error.message] } } }));
    await deleteUpload(job);
    logger.info('Group import rejected', { importId, reason: error.message });
    return;
  }
  const importer = await get<UserItem>(keys.user(job.userId));
  if (!importer) return;
  // Only an archive signed by a trusted deployment may name accounts here; any other brings placeholders.
  const people = plan.identity.mode === 'kept' ? await resolvePeople(importId, plan.members) : unresolvedPeople(plan.members);
  const ids = idMapper(importId, people.map);
  const rootSource = plan.groups[0]!;
  const members = stagedMembers(plan, ids, importer, rootSource.groupId);
  const unresolved: Placeholder[] = plan.members.filter((m) => !people.map.has(m.userId)).map((m) => ({ placeholderId: ids.user(m.userId)!, email: m.email ? String(m.email) : null, name: m.name ?? null }));
  const placeholders = placeholderItems(ids.id(rootSource.groupId)!, importId, unresolved);
  const real = new Set([...people.map.values(), importer.userId]);
  const track = placeholderTracker((userId) => real.has(userId), new Set(placeholders.flatMap((p) => p.placeholderIds)));
  if (job.status === 'pending') await stage(archive, job, plan, ids, members, hooks, { track, items: placeholders });
  const groups = await publish(job, plan, ids, members);
  const invitations = placeholders.length ? await invitePlaceholders(groups[0]!.id, groups[0]!.name, importer, placeholders) : { invited: 0, notInvited: 0, claimedByImporter: false };
  const report: ImportReport = {
    groups,
    identity: plan.identity,
    people: { matched: people.matched, created: people.created, withoutEmail: people.withoutEmail, placeholders: new Set(unresolved.map((p) => p.placeholderId)).size, ...invitations },
    counts: plan.counts,
    recomputed: plan.recomputed,
  };
  const idMap = new Map<string, string>();
  for (const g of plan.groups) idMap.set(g.groupId, ids.id(g.groupId)!);
  for (const m of plan.members) idMap.set(m.userId, ids.user(m.userId)!);
  for (const t of [...plan.threads.keys(), ...plan.otherIds]) idMap.set(t, ids.id(t)!);
  if (idMap.size <= 2000) report.ids = Object.fromEntries(idMap);
  await updateItem(patch(jobKeys.groupImport(importId), { set: { status: 'done', finishedAt: new Date().toISOString(), report } }));
  await deleteUpload(job);
  logger.info('Group import done', { importId, ms: Date.now() - started, counts: plan.counts });
}

/** The memberships to write: the archive's (people without an email cannot be members here), and the importer as an admin of the top group. */
function stagedMembers(plan: Plan, ids: ReturnType<typeof idMapper>, importer: UserItem, rootId: string): MembershipItem[] {
  const groupsById = new Map(plan.groups.map((g) => [g.groupId, g]));
  const out: MembershipItem[] = [];
  let importerIn = false;
  for (const m of plan.members) {
    // A placeholder is no member: only people matched to an account are.
    if (!m.email || !ids.resolved(m.userId)) continue;
    const group = groupsById.get(m.groupId);
    if (!group) continue;
    const userId = ids.user(m.userId)!;
    const isImporterInRoot = userId === importer.userId && m.groupId === rootId;
    if (isImporterInRoot) importerIn = true;
    const { revokedAt, revokedBy, ...rest } = m;
    out.push({
      ...rest,
      ...groupKeys.membership(ids.id(m.groupId)!, userId),
      type: 'membership',
      groupId: ids.id(m.groupId)!,
      userId,
      email: String(m.email),
      ...(isImporterInRoot ? { role: 'admin' } : revokedAt ? { revokedAt, revokedBy: ids.user(revokedBy) ?? undefined } : {}),
      groupName: group.name,
      groupHandle: group.handle,
      groupPrivacy: group.privacy,
      parentId: ids.id(group.parentId),
    } as MembershipItem);
  }
  if (!importerIn) {
    const group = groupsById.get(rootId)!;
    out.push({
      ...groupKeys.membership(ids.id(rootId)!, importer.userId), type: 'membership', groupId: ids.id(rootId)!, userId: importer.userId,
      role: 'admin', title: null, name: importer.name ?? null, email: importer.email, joinedAt: new Date().toISOString(), via: 'creator',
      groupName: group.name, groupHandle: group.handle, groupPrivacy: group.privacy, parentId: null,
    });
  }
  return out;
}

function pollStatusAt(record: Rec): { state: 'open' | 'closed' | 'draft'; at: string } {
  const poll = record.poll as Poll;
  if (record.closedAt || (poll.closingAt && poll.closingAt <= new Date().toISOString())) return { state: 'closed', at: record.closedAt ?? poll.closingAt! };
  return poll.closingAt ? { state: 'open', at: poll.closingAt } : { state: 'draft', at: record.createdAt };
}

/**
 * Pass 2: every record becomes its item under new ids, written in batches; each file streams back
 * into the uploads bucket chunk by chunk, through one part buffer, as the type it was checked as.
 */
async function stage(archive: UploadedArchive, job: GroupImportItem, plan: Plan, ids: ReturnType<typeof idMapper>, members: MembershipItem[], hooks: ImportHooks, placeholders: { track: ReturnType<typeof placeholderTracker>; items: PlaceholderItem[] }): Promise<void> {
  let batch: Array<Key & Record<string, unknown>> = [];
  let batches = 0;
  const flush = async () => {
    if (!batch.length) return;
    await batchPut(batch);
    batch = [];
    batches++;
    await hooks.afterBatch?.(batches);
  };
  const add = async (item: Key & Record<string, unknown>) => {
    batch.push(item, ...placeholders.track(item));
    if (batch.length >= STAGE_BATCH) await flush();
  };
  // Anonymous ballots and totals, for the ballot table: they name nobody, so no placeholder tracks them.
  let box: Array<Key & Record<string, unknown>> = [];
  const flushBox = async () => {
    if (!box.length) return;
    await batchPut(box, ballotTable());
    box = [];
  };
  const addToBox = async (item: Key & Record<string, unknown>) => {
    box.push(item);
    if (box.length >= STAGE_BATCH) await flushBox();
  };
  const groupCounts = new Map<string, { members: number; admins: number }>();
  for (const m of members) {
    if (m.revokedAt) continue;
    const c = groupCounts.get(m.groupId) ?? { members: 0, admins: 0 };
    c.members++;
    if (m.role === 'admin') c.admins++;
    groupCounts.set(m.groupId, c);
  }
  const attachments = new Map<string, { key: string; contentType: string; size: number }>();
  let upload: ObjectUpload | null = null;
  const anonymousIndex = new Map<string, number>();
  const polls = new Map<string, boolean>();

  try {
    for await (const { n, record: r } of archive.lines()) {
      if (n === 1) continue;
      switch (r.type) {
        case 'group': {
          const groupId = ids.id(r.groupId)!;
          const counts = groupCounts.get(groupId) ?? { members: 0, admins: 0 };
          if (counts.members !== r.memberCount) plan.recomputed.push({ what: `memberCount of ${r.handle}`, archive: r.memberCount, recomputed: counts.members });
          const { type, ...fields } = r;
          void type;
          await add({
            ...fields, ...groupKeys.group(groupId), type: 'group', groupId, parentId: ids.id(r.parentId), createdBy: ids.user(r.createdBy),
            memberCount: counts.members, adminCount: counts.admins, subgroups: [], importId: job.importId,
          });
          break;
        }
        case 'thread': {
          const threadId = ids.id(r.threadId)!;
          const counts = plan.threads.get(r.threadId)!;
          if (counts.comments !== r.commentCount) plan.recomputed.push({ what: `commentCount of "${r.title}"`, archive: r.commentCount, recomputed: counts.comments });
          const { type, ...fields } = r;
          void type;
          await add({
            ...fields, ...threadKeys.thread(threadId), ...threadKeys.inGroup(ids.id(r.groupId)!, Boolean(r.pinnedAt), r.lastActivityAt, threadId),
            type: 'discussion', threadId, groupId: ids.id(r.groupId), authorId: ids.user(r.authorId),
            seq: Math.max(Number(r.seq) || 0, counts.seq), commentCount: counts.comments, reactions: ids.userKeys(r.reactions), attachmentIds: (r.attachmentIds ?? []).map(ids.id), mentions: ids.userValues(r.mentions),
          });
          break;
        }
        case 'item': {
          const { type, ...fields } = r;
          void type;
          await add({
            ...fields, ...threadKeys.item(ids.id(r.threadId)!, r.seq), type: 'timelineItem', threadId: ids.id(r.threadId), authorId: ids.user(r.authorId),
            reactions: ids.userKeys(r.reactions), mentions: ids.userValues(r.mentions), attachmentIds: (r.attachmentIds ?? []).map(ids.id),
            ...(r.attachments ? { attachments: (r.attachments as Rec[]).map((a) => ({ ...a, id: ids.id(a.id) })) } : {}),
            ...(r.refId ? { refId: ids.ref(r.refId) } : {}),
          });
          break;
        }
        case 'version': {
          const { type, ...fields } = r;
          void type;
          await add({ ...fields, ...threadKeys.version(ids.id(r.threadId)!, r.seq, r.version), type: 'version', threadId: ids.id(r.threadId), editorId: ids.user(r.editorId) });
          break;
        }
        case 'readState':
          await add({ ...threadKeys.read(ids.id(r.threadId)!, ids.user(r.userId)!), type: 'readState', ranges: r.ranges, updatedAt: r.updatedAt });
          break;
        case 'attachment': {
          const attachmentId = ids.id(r.attachmentId)!;
          const userId = ids.user(r.userId)!;
          const key = `uploads/${userId}/${attachmentId}/${String(r.filename).replace(/[^\w.\- ]+/g, '_').slice(-120)}`;
          attachments.set(r.path, { key, contentType: r.contentType, size: Number(r.size) });
          const { type, path, ...fields } = r;
          void type; void path;
          await add({ ...fields, ...threadKeys.attachment(attachmentId), type: 'attachment', attachmentId, threadId: ids.id(r.threadId), groupId: ids.id(r.groupId), userId, key });
          break;
        }
        case 'fileChunk': {
          const target = attachments.get(r.path);
          if (!target) break;
          upload ??= new ObjectUpload(config.uploadsBucket, target.key, target.contentType, target.size);
          await upload.write(Buffer.from(String(r.data), 'base64'));
          break;
        }
        case 'file': {
          const target = attachments.get(r.path);
          if (target) await (upload ?? new ObjectUpload(config.uploadsBucket, target.key, target.contentType, 0)).close();
          upload = null;
          break;
        }
        case 'poll': {
          const pollId = ids.id(r.pollId)!;
          const groupId = ids.id(r.groupId)!;
          const { state, at } = pollStatusAt(r);
          const anonymous = Boolean((r.poll as Poll).anonymous);
          polls.set(r.pollId, anonymous);
          const { type, ballotBox: _box, ...fields } = r;
          void type; void _box;
          // An anonymous poll's ballots and totals go in the ballot box; the poll keeps only its voter count.
          if (anonymous) await addToBox({ ...boxKeys.tally(pollId), type: 'tally', tally: r.tally });
          const tally = anonymous ? { ...toStoredTally(emptyTally(r.poll as Poll)), voters: Number((r.tally as { voters?: number }).voters ?? 0) } : r.tally;
          await add({ ...fields, tally, ...(anonymous ? { ballotBox: true } : {}), ...pollKeys.poll(pollId), ...pollKeys.inGroup(groupId, state, at, pollId), type: 'poll', pollId, groupId, threadId: ids.id(r.threadId), authorId: ids.user(r.authorId) });
          break;
        }
        case 'invitee':
          await add({ ...pollKeys.invitee(ids.id(r.pollId)!, ids.user(r.userId)!), type: 'pollInvitee', userId: ids.user(r.userId) });
          break;
        case 'voter':
          await add({ ...pollKeys.voter(ids.id(r.pollId)!, ids.user(r.userId)!), type: 'pollVoter', userId: ids.user(r.userId) });
          break;
        case 'ballot': {
          const pollId = ids.id(r.pollId)!;
          if (polls.get(r.pollId)) {
            // Nothing joins an anonymous ballot to its voter, here as before. A ballot from a
            // version 1 archive has no fingerprint: it takes one derived from this import, the poll
            // and its place in the archive (an order that says nothing), so a resumed import writes
            // it again in the same place; nobody holds a receipt for it.
            const index = (anonymousIndex.get(pollId) ?? 0) + 1;
            anonymousIndex.set(pollId, index);
            const fingerprint = typeof r.fingerprint === 'string' ? r.fingerprint : createHash('sha256').update(ids.derive(`ballot|${r.pollId}|${index}`)).digest('hex');
            await addToBox({ ...boxKeys.ballot(pollId, fingerprint), type: 'ballot', choices: r.choices, reason: r.reason ?? null, rev: newRev() });
            break;
          }
          const { type, pollId: _p, ...fields } = r;
          void type; void _p;
          let ballotId: string;
          if (r.voterId) {
            ballotId = await ballotIdFor(pollId, ids.user(r.voterId)!);
            fields.voterId = ids.user(r.voterId);
          } else {
            const index = (anonymousIndex.get(pollId) ?? 0) + 1;
            anonymousIndex.set(pollId, index);
            ballotId = ids.derive(`ballot|${r.pollId}|${index}`);
          }
          await add({ ...fields, ...pollKeys.ballot(pollId, ballotId), type: 'ballot' });
          break;
        }
        case 'outcome': {
          const { type, ...fields } = r;
          void type;
          const pollId = ids.id(r.pollId)!;
          await add({ ...fields, ...pollKeys.outcome(pollId), type: 'outcome', pollId, groupId: ids.id(r.groupId), authorId: ids.user(r.authorId) });
          break;
        }
        case 'event': {
          // Stored as `importedEvent`: the audit trail shows it, the stream workers do not act on it again.
          const { type, groupId, ...fields } = r;
          void type;
          await add({ ...fields, ...keys.event(`group#${ids.id(groupId)}`, r.eventId), type: 'importedEvent', actorId: ids.user(r.actorId) ?? undefined, data: ids.data(r.data) });
          break;
        }
      }
    }
  } finally {
    // A file cut short by a failure leaves no half-written multipart upload behind.
    await (upload as ObjectUpload | null)?.abort();
  }
  // Memberships are staged without their listing keys: "my groups" shows nothing until publish.
  for (const m of members) {
    const { gsi1pk, gsi1sk, ...staged } = m;
    void gsi1pk; void gsi1sk;
    await add({ ...staged });
  }
  for (const p of placeholders.items) await add({ ...p });
  await flush();
  await flushBox();
}

/** A free handle for each group: the archive's, else with a suffix; a subgroup keeps its parent's prefix. */
async function chooseHandles(plan: Plan, ids: ReturnType<typeof idMapper>, attempt: number): Promise<Map<string, string>> {
  const handles = new Map<string, string>();
  const free = async (handle: string, groupId: string) => {
    const found = await get<{ groupId: string }>(groupKeys.handle(handle));
    return !found || found.groupId === groupId;
  };
  const root = plan.groups[0]!;
  const rootId = ids.id(root.groupId)!;
  let rootHandle = String(root.handle);
  for (let i = 1; !(await free(rootHandle, rootId)); i++) rootHandle = i > 8 || attempt > 0 ? `${root.handle}-${newId().slice(0, 6).toLowerCase().replace(/[^a-z0-9]/g, 'x')}` : `${root.handle}-${i + 1}`;
  handles.set(root.groupId, rootHandle);
  for (const g of plan.groups.slice(1)) {
    const base = String(g.handle).startsWith(`${root.handle}-`) ? `${rootHandle}${String(g.handle).slice(String(root.handle).length)}` : `${rootHandle}-${g.handle}`;
    let handle = base.slice(0, 100);
    for (let i = 1; !(await free(handle, ids.id(g.groupId)!)); i++) handle = `${base.slice(0, 90)}-${i + 1}`;
    handles.set(g.groupId, handle);
  }
  return handles;
}

/**
 * Step 3. The commit point is one transaction: the handles, the groups' final handle and subgroup
 * list, the GroupImported event and the job's `published` status. Then the memberships get their
 * listing keys (idempotent puts).
 */
async function publish(job: GroupImportItem, plan: Plan, ids: ReturnType<typeof idMapper>, members: MembershipItem[]): Promise<NonNullable<ImportReport['groups']>> {
  const root = plan.groups[0]!;
  const rootId = ids.id(root.groupId)!;
  let handles: Map<string, string>;
  if (job.status === 'published') {
    const stored = await getMany<GroupItem>(plan.groups.map((g) => groupKeys.group(ids.id(g.groupId)!)));
    handles = new Map(plan.groups.map((g, i) => [g.groupId, stored[i]?.handle ?? g.handle]));
  } else {
    for (let attempt = 0; ; attempt++) {
      handles = await chooseHandles(plan, ids, attempt);
      const subgroups: SubgroupSummary[] = plan.groups.slice(1).map((g) => ({ id: ids.id(g.groupId)!, handle: handles.get(g.groupId)!, name: g.name, privacy: g.privacy, isVisibleToParentMembers: g.isVisibleToParentMembers }));
      const ops = [
        ...plan.groups.map((g) => put({ ...groupKeys.handle(handles.get(g.groupId)!), type: 'handle', groupId: ids.id(g.groupId)! }, { if: 'attribute_not_exists(pk) OR #groupId = :g', values: { ':g': ids.id(g.groupId) } })),
        ...plan.groups.map((g) => patch(groupKeys.group(ids.id(g.groupId)!), { set: { handle: handles.get(g.groupId), ...(g === root ? { subgroups } : {}) }, remove: ['importId'] })),
        patch(jobKeys.groupImport(job.importId), { set: { status: 'published' } }, { if: '#status = :pending', values: { ':pending': 'pending' } }),
        recordEvent({ kind: 'GroupImported', groupId: rootId, importId: job.importId, sourceGroupId: root.groupId }, { actorId: job.userId }),
      ];
      const codes = await transact(ops);
      if (!codes) break;
      const handleClash = codes.slice(0, plan.groups.length).some((c) => c === 'ConditionalCheckFailed');
      if (!handleClash || attempt >= 3) throw new Error(`Import ${job.importId} was not published: ${codes.join(',')}`);
    }
  }
  const listed = members.map((m) => ({
    ...m,
    groupHandle: handles!.get(plan.groups.find((g) => ids.id(g.groupId) === m.groupId)!.groupId)!,
    ...(m.revokedAt ? {} : groupKeys.memberOf(m.userId, m.groupId)),
  }));
  await batchPut(listed as unknown as Array<Key & Record<string, unknown>>);
  // The same markers a new poll gets (its closing, and the closing-soon notice while that is ahead), and reviews.
  const markers = plan.schedule.flatMap((s) => ('closingAt' in s ? dueOps(ids.id(s.pollId)!, s.closingAt).map((op) => op.Put!.Item as Key & Rec) : []));
  await batchPut(markers);
  for (const s of plan.schedule) if ('reviewOn' in s) await updateItem(patch(pollKeys.outcome(ids.id(s.pollId)!), { set: reviewDue(ids.id(s.pollId)!, s.reviewOn) }));
  return plan.groups.map((g) => ({ sourceId: g.groupId, id: ids.id(g.groupId)!, handle: handles!.get(g.groupId)!, name: g.name }));
}
