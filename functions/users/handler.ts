import { capability } from '../lib/http.ts';
import { getMe } from './get-me.ts';
import { updateMe } from './update-me.ts';

export const handler = capability({
  'GET /api/me': getMe,
  'PATCH /api/me': updateMe,
});
