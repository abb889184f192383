// `npm run bench`: every benchmark, one after another. Figures only; nothing here is a test.
import { main as elections } from './elections.ts';
import { main as exports } from './exports.ts';
import { main as foundation } from './foundation.ts';
import { main as groups } from './groups.ts';
import { main as polls } from './polls.ts';
import { main as threads } from './threads.ts';
import { main as notifications } from './notifications.ts';
import { main as web } from './web.ts';

await foundation();
await groups();
await threads();
await polls();
await notifications();
await web();
await elections();
await exports();
