import { capability } from '../lib/http.ts';
import { getAudit, getAuditCsv } from './audit.ts';
import { requestGroupExport } from './group-export.ts';
import { requestImport, requestImportUpload } from './group-import.ts';
import { getGroupExport, getImport, listGroupExports, listImports } from './job-reads.ts';

export const handler = capability({
  'GET /api/groups/{id}/audit': getAudit,
  'GET /api/groups/{id}/audit.csv': getAuditCsv,
  'POST /api/groups/{id}/exports': requestGroupExport,
  'GET /api/groups/{id}/exports': listGroupExports,
  'GET /api/exports/{id}': getGroupExport,
  'POST /api/imports/uploads': requestImportUpload,
  'POST /api/imports': requestImport,
  'GET /api/imports': listImports,
  'GET /api/imports/{id}': getImport,
});
