import { capability } from '../lib/http.ts';
import { deactivateAccount } from './deactivate.ts';
import { deleteAccount } from './delete-account.ts';
import { getMyData } from './my-data.ts';
import { removePassword, setPassword } from './password.ts';
import { requestPersonalExport } from './personal-export.ts';

export const handler = capability({
  'GET /api/me/data': getMyData,
  'POST /api/me/exports': requestPersonalExport,
  'POST /api/me/deactivate': deactivateAccount,
  'PUT /api/me/password': setPassword,
  'DELETE /api/me/password': removePassword,
  'DELETE /api/me': deleteAccount,
});
