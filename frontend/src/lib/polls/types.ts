import type * as z from 'zod/mini';
import type { StartPoll as StartPollSchema } from '../../../../shared/schemas/polls-api.ts';

export type * from '../../../../shared/polls/types.ts';
export type * from '../../../../shared/elections/types.ts';

/** The body of `POST /api/polls`, before defaults. */
export type StartPoll = z.input<typeof StartPollSchema>;
