import { startStack as start, type Stack } from '../local/stack.ts';

/**
 * An ephemeral stack for tests: in memory, on free ports, serving the built web app.
 * The scheduler ticks only when a test asks (`stack.tick()`), so tests stay deterministic.
 */
export function startStack(options: { brand?: string } = {}): Promise<Stack> {
  // A small daily invitation allowance, so a test can reach it quickly.
  process.env.INVITATIONS_PER_DAY ??= '60';
  return start({ port: 0, mailPort: 0, schedulerIntervalMs: 24 * 60 * 60 * 1000, brand: options.brand });
}
