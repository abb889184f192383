import { config } from '../lib/config.ts';
import { brandedHtml, emailButton, escapeHtml, type OutgoingEmail } from '../lib/mail.ts';

/** The sign-in message: a one-click link and the same sign-in as a 6-digit code. */
export function signInEmail(to: string, token: string, code: string): OutgoingEmail {
  // The token rides in the fragment, so it never reaches a server log or a Referer header.
  const link = `${config.appUrl}/sign-in/link#token=${token}`;
  const brand = config.brandName;
  const spacedCode = `${code.slice(0, 3)} ${code.slice(3)}`;
  return {
    to,
    subject: `Your ${brand} sign-in code: ${spacedCode}`,
    text: [
      `Sign in to ${brand} with this link:`,
      link,
      '',
      `Or enter this code: ${code}`,
      '',
      'The link and the code work once, within one hour.',
      `If you did not ask to sign in to ${brand}, ignore this email: nothing happens without the link or the code.`,
    ].join('\n'),
    html: brandedHtml(
      `Sign in to ${brand}`,
      `<h1 style="font-size:20px">Sign in to ${escapeHtml(brand)}</h1>
${emailButton(link, 'Sign in')}
<p>Or enter this code:</p>
<p style="font-size:28px;letter-spacing:4px;font-weight:700" aria-label="${escapeHtml(code.split('').join(' '))}">${escapeHtml(spacedCode)}</p>
<p>The link and the code work once, within one hour.</p>
<p style="color:#555555">If you did not ask to sign in to ${escapeHtml(brand)}, ignore this email: nothing happens without the link or the code.</p>`,
      { maxWidth: 480 },
    ),
  };
}
