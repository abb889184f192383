import { passwordProblem } from '../../shared/passwords/policy.ts';
import { clearGuesses, countGuess } from '../auth/guesses.ts';
import { hashPassword, passwordKeys, verifyPassword, type PasswordItem } from '../auth/passwords.ts';
import { config } from '../lib/config.ts';
import { get, put, remove, transact } from '../lib/db.ts';
import { keys, type SessionItem } from '../lib/entities.ts';
import { conflict, invalid } from '../lib/errors.ts';
import { recordEvent } from '../lib/events.ts';
import type { ApiReply, ApiRequest } from '../lib/http.ts';
import { brandedHtml, escapeHtml, sendEmail } from '../lib/mail.ts';

/**
 * PUT /api/me/password: sets or changes the person's optional password.
 *
 * Resetting a forgotten password is the same call: sign in with an emailed link or code, then set
 * a new one. A session opened by email proof needs no current password, because the email is what
 * the password would otherwise be reset through. A session opened WITH the password must give the
 * current one to change it, and those checks count toward the same lock as sign-in attempts.
 */
export async function setPassword(request: ApiRequest<'PUT /api/me/password'>): Promise<ApiReply> {
  const actor = request.actor;
  const { password, currentPassword } = request.body;
  const problem = passwordProblem(password);
  if (problem) throw invalid({ password: problem }, problem);

  const [existing, session] = await Promise.all([
    get<PasswordItem>(passwordKeys.password(actor.id)),
    get<SessionItem>(keys.session(actor.id, actor.sessionHash)),
  ]);
  if (existing && session?.method === 'password') {
    if (!currentPassword) throw invalid({ currentPassword: 'Enter your current password.' });
    if ((await countGuess(actor.email)) !== null) {
      throw invalid({ currentPassword: 'Too many wrong passwords. Sign in with an email link to set a new one.' });
    }
    if (!(await verifyPassword(currentPassword, existing))) throw invalid({ currentPassword: 'That is not your current password.' });
  }

  const item: PasswordItem = { ...passwordKeys.password(actor.id), type: 'password', userId: actor.id, setAt: new Date().toISOString(), ...(await hashPassword(password)) };
  const codes = await transact([
    put({ ...item }, existing ? { if: '#hash = :was', values: { ':was': existing.hash } } : { if: 'attribute_not_exists(pk)' }),
    recordEvent({ kind: 'PasswordSet', userId: actor.id, changed: Boolean(existing) }, { actorId: actor.id, ip: request.ip }),
    // The person has just proved who they are: a lock on their address lifts.
    clearGuesses(actor.email),
  ]);
  if (codes) throw conflict('Your password was changed from somewhere else a moment ago. Reload the page and try again.');
  await sendEmail(passwordChangedEmail(actor.email, existing ? 'changed' : 'set'));
  return { body: { hasPassword: true, message: existing ? 'Your password is changed.' : 'Your password is set.' } };
}

/** DELETE /api/me/password: back to email links only. Removing a password that is not there is fine. */
export async function removePassword(request: ApiRequest<'DELETE /api/me/password'>): Promise<ApiReply> {
  const actor = request.actor;
  const codes = await transact([
    remove(passwordKeys.password(actor.id), { if: 'attribute_exists(pk)' }),
    recordEvent({ kind: 'PasswordRemoved', userId: actor.id }, { actorId: actor.id, ip: request.ip }),
  ]);
  if (!codes) await sendEmail(passwordChangedEmail(actor.email, 'removed'));
  return { body: { hasPassword: false, message: 'Your password is removed. You sign in with email links.' } };
}

/** Tells the person whenever their password changes, so a change they did not make does not go unnoticed. */
export function passwordChangedEmail(to: string, what: 'set' | 'changed' | 'removed') {
  const brand = config.brandName;
  const headline = { set: `You added a password to your ${brand} account`, changed: `Your ${brand} password was changed`, removed: `You removed your ${brand} password` }[what];
  const advice = `If this was not you, sign in with an email link at ${config.appUrl}/sign-in, then go to ${config.appUrl}/me/security to set a new password or remove it, and sign out everywhere.`;
  return {
    to,
    subject: headline,
    text: [`${headline}.`, '', advice].join('\n'),
    html: brandedHtml(headline, `<h1 style="font-size:20px">${escapeHtml(headline)}</h1>\n<p>${escapeHtml(advice)}</p>`),
  };
}
