import type { DigestFrequency } from '../../shared/schemas/notifications.ts';

export const DIGEST_HOUR = 6;

/** The wall-clock parts of an instant in a time zone. */
function partsIn(instant: number, timeZone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', weekday: 'short' })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.weekday!);
  return { year: +parts.year!, month: +parts.month!, day: +parts.day!, hour: +parts.hour!, minute: +parts.minute!, weekday };
}

/** The instant when the wall clock in `timeZone` shows this date at `hour`:00 (DST-safe to the hour). */
export function zonedInstant(year: number, month: number, day: number, hour: number, timeZone: string): number {
  let guess = Date.UTC(year, month - 1, day, hour);
  for (let i = 0; i < 3; i++) {
    const p = partsIn(guess, timeZone);
    const shown = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
    const wanted = Date.UTC(year, month - 1, day, hour);
    if (shown === wanted) break;
    guess += wanted - shown;
  }
  return guess;
}

/**
 * When the next digest is due: 06:00 in the person's time zone, on the next day that fits the
 * frequency after `after` (every other day counts from the last digest; weekly lands on the
 * chosen weekday). Null for `never`.
 */
export function nextDigestAt(frequency: DigestFrequency, timeZone: string, after: number, weekday = 1, lastDigestAt?: number): number | null {
  if (frequency === 'never') return null;
  const today = partsIn(after, timeZone);
  for (let offset = 0; offset <= 8; offset++) {
    const day = new Date(Date.UTC(today.year, today.month - 1, today.day + offset));
    const at = zonedInstant(day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate(), DIGEST_HOUR, timeZone);
    if (at <= after) continue;
    if (frequency === 'weekly' && day.getUTCDay() !== weekday) continue;
    if (frequency === 'every_other_day' && lastDigestAt !== undefined && at - lastDigestAt < 47 * 3600_000) continue;
    return at;
  }
  return null;
}
