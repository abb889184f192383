import { SvelteMap } from 'svelte/reactivity';
import type { Me } from '../../../../../shared/schemas/auth.ts';
import {
  canComment,
  canDeleteComment,
  canEditComment,
  canEditDiscussion,
  canManageDiscussion,
  canReact,
} from '../../../../../shared/permissions/discussions.ts';
import { discussionsApi, rangesOf, threadFacts, type Discussion, type Page, type TimelineItem } from '#lib/discussions.ts';
import { factsOf, viewerOf, type GroupView } from '#lib/groups.ts';

/**
 * One thread on screen: its timeline as loaded so far (one contiguous run of sequence numbers,
 * grown a page at a time in either direction), what the viewer may do, and read marking.
 */
export class Thread {
  discussion = $state<Discussion>(null!);
  group = $state<GroupView>(null!);
  user = $state<Me | null>(null);
  items = $state<TimelineItem[]>([]);
  /** The first sequence number the loaded run covers. */
  earliest = $state(1);
  laterCursor = $state<string | null>(null);
  loadingEarlier = $state(false);
  loadingLater = $state(false);
  problem = $state<string | null>(null);

  facts = $derived(factsOf(this.group));
  viewer = $derived(viewerOf(this.group, this.user));
  thread = $derived(threadFacts(this.discussion));
  canComment = $derived(canComment(this.facts, this.viewer, this.thread));
  canReact = $derived(canReact(this.facts, this.viewer, this.thread));
  canEdit = $derived(canEditDiscussion(this.facts, this.viewer, this.thread));
  canManage = $derived(canManageDiscussion(this.facts, this.viewer, this.thread));

  /** Replies by parent sequence number; items whose parent is not loaded sit at the top level. */
  children = $derived.by(() => {
    const loaded = new Set(this.items.map((i) => i.seq));
    const map = new Map<number, TimelineItem[]>();
    for (const item of this.items) {
      const key = item.parentSeq && loaded.has(item.parentSeq) ? item.parentSeq : 0;
      map.set(key, [...(map.get(key) ?? []), item]);
    }
    return map;
  });

  constructor(data: { discussion: Discussion; group: GroupView; user: Me | null; timeline: Page<TimelineItem>; from: number | null }) {
    this.reset(data);
  }

  reset(data: { discussion: Discussion; group: GroupView; user: Me | null; timeline: Page<TimelineItem>; from: number | null }) {
    this.discussion = data.discussion;
    this.group = data.group;
    this.user = data.user;
    this.items = data.timeline.items;
    this.earliest = Math.max(1, data.from ?? 1);
    this.laterCursor = data.timeline.cursor;
    this.problem = null;
    this.seen.clear();
  }

  // Votes, polls and outcomes in the timeline are changed where they live (the poll), not as comments.
  canEditItem = (item: TimelineItem) =>
    item.kind === 'comment' && item.author !== null && canEditComment(this.facts, this.viewer, this.thread, { authorId: item.author.id, deleted: item.deleted });

  canDeleteItem = (item: TimelineItem) =>
    item.kind === 'comment' && item.author !== null && canDeleteComment(this.facts, this.viewer, this.thread, { authorId: item.author.id, deleted: item.deleted });

  async loadEarlier() {
    const before = this.earliest;
    const from = Math.max(1, before - 50);
    this.loadingEarlier = true;
    this.problem = null;
    const result = await discussionsApi.events(this.discussion.id, { from });
    this.loadingEarlier = false;
    if (!result.ok) {
      this.problem = result.error.message;
      return;
    }
    this.items = [...result.data.items.filter((i) => i.seq < before), ...this.items];
    this.earliest = from;
  }

  async loadLater() {
    this.loadingLater = true;
    this.problem = null;
    const result = await discussionsApi.events(this.discussion.id, { cursor: this.laterCursor });
    this.loadingLater = false;
    if (!result.ok) {
      this.problem = result.error.message;
      return;
    }
    const known = new Set(this.items.map((i) => i.seq));
    this.items = [...this.items, ...result.data.items.filter((i) => !known.has(i.seq))];
    this.laterCursor = result.data.cursor;
    const last = this.items.at(-1)?.seq ?? 0;
    if (last > this.discussion.lastSeq) this.discussion.lastSeq = last;
  }

  added(item: TimelineItem) {
    this.items = [...this.items.filter((i) => i.seq !== item.seq), item].sort((a, b) => a.seq - b.seq);
    this.discussion.lastSeq = Math.max(this.discussion.lastSeq, item.seq);
    this.discussion.commentCount++;
    this.items = this.items.map((i) => (i.seq === item.parentSeq ? { ...i, replyCount: i.replyCount + 1 } : i));
  }

  replaced(item: TimelineItem) {
    this.items = this.items.map((i) => (i.seq === item.seq ? item : i));
  }

  /** A deleted comment with replies stays as a placeholder; one without disappears. */
  removed(item: TimelineItem) {
    if (item.replyCount > 0) {
      this.replaced({ ...item, deleted: true, author: null, body: null, bodyHtml: null, reactions: [], attachments: [] });
    } else {
      this.items = this.items
        .filter((i) => i.seq !== item.seq)
        .map((i) => (i.seq === item.parentSeq ? { ...i, replyCount: Math.max(0, i.replyCount - 1) } : i));
      this.discussion.commentCount = Math.max(0, this.discussion.commentCount - 1);
    }
  }

  // Read marking: an item counts as read once it has been on screen. Seeing an item also covers
  // the gap before it (items deleted since), and the last item covers the rest of the thread.
  private seen = new SvelteMap<number, true>();
  private pending: number[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  shown(seq: number) {
    if (!this.user || this.seen.has(seq)) return;
    this.seen.set(seq, true);
    const index = this.items.findIndex((i) => i.seq === seq);
    const start = index > 0 ? this.items[index - 1]!.seq + 1 : index === 0 ? this.earliest : seq;
    const end = index === this.items.length - 1 && !this.laterCursor ? Math.max(seq, this.discussion.lastSeq) : seq;
    for (let s = Math.min(start, seq); s <= end; s++) this.pending.push(s);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), 700);
  }

  async flush() {
    const seqs = this.pending.splice(0);
    if (!seqs.length) return;
    const result = await discussionsApi.markRead(this.discussion.id, rangesOf(seqs));
    if (result.ok) this.discussion.read = result.data;
  }
}
