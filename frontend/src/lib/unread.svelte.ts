import { call } from './api.ts';

/**
 * The signed-in person's unread notification count, shared by the header bell and the
 * notifications page. A mark-read in flight is waited for before the next count is asked for,
 * so a count read just as a notification is opened never puts it back.
 */
let count = $state(0);
let capped = $state(false);
let pending: Promise<unknown> = Promise.resolve();
let asked = 0;

export const unread = {
  get count() {
    return count;
  },
  get capped() {
    return capped;
  },
  /** Sets the count from an answer that carries it (the notifications page's own list). */
  set(next: { unreadCount: number; unreadCountCapped: boolean }) {
    asked++;
    count = next.unreadCount;
    capped = next.unreadCountCapped;
  },
  /** Lowers the count at once while `marking` (a mark-read call) is under way. */
  lower(by: number, marking: Promise<unknown>) {
    count = Math.max(0, count - by);
    pending = Promise.all([pending, marking.catch(() => undefined)]);
  },
  clear(marking: Promise<unknown>) {
    count = 0;
    capped = false;
    pending = Promise.all([pending, marking.catch(() => undefined)]);
  },
  /** Asks the API again; a failure keeps the last count. */
  async refresh() {
    const ticket = ++asked;
    await pending;
    const result = await call<{ unreadCount: number; unreadCountCapped: boolean }>('GET', '/notifications');
    // A newer answer (or a page that set the count itself) wins over this one.
    if (!result.ok || ticket !== asked) return;
    count = result.data.unreadCount;
    capped = result.data.unreadCountCapped;
  },
};
