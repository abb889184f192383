import type { ApiReply, ApiRequest } from '../lib/http.ts';

/** GET /api/me: the session read already resolved everything the answer needs. */
export async function getMe(request: ApiRequest<'GET /api/me'>): Promise<ApiReply> {
  const { id, email, name } = request.actor;
  return { body: { id, email, name } };
}
