import { Logger } from '@aws-lambda-powertools/logger';

/** One logger per module load. Never log emails, raw IPs, tokens or request bodies. */
export const logger = new Logger({ serviceName: 'moot' });
