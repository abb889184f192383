// `npm run bench`: every benchmark, one after another, or only the parts named
// (`npm run bench -- elections threads`). Figures only; nothing here is a test.
import { main as elections } from './elections.ts';
import { main as exports } from './exports.ts';
import { main as foundation } from './foundation.ts';
import { main as groups } from './groups.ts';
import { main as polls } from './polls.ts';
import { main as threads } from './threads.ts';
import { main as notifications } from './notifications.ts';
import { main as web } from './web.ts';

// One line per part, in the order a full run takes them.
const parts: Record<string, () => Promise<void>> = {
  foundation,
  groups,
  threads,
  'busy-threads': async () => (await import('./busy-threads.ts')).main(),
  polls,
  notifications,
  digests: async () => (await import('./digests.ts')).main(),
  web,
  elections,
  exports,
  synth: async () => (await import('./synth.ts')).main(),
};

const asked = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const unknown = asked.filter((name) => !(name in parts));
if (unknown.length > 0) {
  console.error(`unknown bench part ${unknown.join(', ')}; parts are ${Object.keys(parts).join(', ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(parts)) {
  if (asked.length === 0 || asked.includes(name)) await run();
}
