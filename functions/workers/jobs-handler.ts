import { accountJobs } from '../account/job-deliveries.ts';
import { exportJobs } from '../exports/job-deliveries.ts';
import { mergeDeliveries, streamReader } from './stream-reader.ts';

/**
 * The second reader of the table's stream, for work that can take minutes: group exports and
 * imports, personal archives and account erasure. It has a 15-minute timeout and room in /tmp,
 * and its events are filtered to these kinds (infra), so a long job never holds up the
 * notifications the stream worker sends. Each job is idempotent and resumes when retried.
 */
export const jobs = mergeDeliveries(exportJobs, accountJobs);

export const handler = streamReader(jobs);
