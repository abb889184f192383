import { api, mailTo, randomViewer, signIn } from './api.ts';

let counter = 0;

/** Creates a group as the person with this cookie; returns the API's group view. */
export async function createGroup(cookie: string, overrides: Record<string, unknown> = {}) {
  const name = `Test group ${Date.now().toString(36)}${++counter}`;
  const response = await api('POST', '/api/groups', { cookie, body: { name, ...overrides } });
  if (response.status !== 201) throw new Error(`create group answered ${response.status}: ${JSON.stringify(response.body)}`);
  return response.body as { id: string; handle: string; name: string; myMembership: { id: string } };
}

/** The token of the newest invitation emailed to an address. */
export async function invitationToken(email: string): Promise<string> {
  const message = (await mailTo(email)).filter((m) => m.body.text?.includes('/invitations/accept#token=')).at(-1);
  const token = /#token=([A-Za-z0-9_-]{43})/.exec(message?.body.text ?? '')?.[1];
  if (!token) throw new Error(`No invitation for ${email}`);
  return token;
}

/** A group with an admin and `members` more people who joined by invitation. */
export async function groupWithMembers(members = 1, overrides: Record<string, unknown> = {}) {
  const admin = await signIn();
  const group = await createGroup(admin.cookie, overrides);
  const people = [];
  for (let i = 0; i < members; i++) {
    const person = await signIn();
    await api('POST', `/api/groups/${group.id}/invitations`, { cookie: admin.cookie, body: { emails: [person.email] } });
    const accepted = await api('POST', `/api/invitations/${await invitationToken(person.email)}/accept`, { headers: { 'cloudfront-viewer-address': randomViewer() } });
    if (accepted.status !== 200) throw new Error(`accept answered ${accepted.status}`);
    people.push(person);
  }
  return { admin, group, members: people };
}
