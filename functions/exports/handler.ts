import { capability } from '../lib/http.ts';
import { getAudit, getAuditCsv } from './audit.ts';

export const handler = capability({
  'GET /api/groups/{id}/audit': getAudit,
  'GET /api/groups/{id}/audit.csv': getAuditCsv,
});
