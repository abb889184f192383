/**
 * Response headers for the web app and the API, declared once: the local server sends these
 * and the CloudFront response headers policy is built from the same values.
 * No third-party origin appears anywhere: Moot loads nothing from anyone else.
 */
/**
 * The Content-Security-Policy. `storageOrigin` is the deployment's own uploads bucket (or the local
 * S3 emulator): the browser POSTs uploads straight to it and shows attached images from it.
 */
export function contentSecurityPolicy(storageOrigin?: string): string {
  const storage = storageOrigin ? ` ${storageOrigin}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    `img-src 'self' data: blob:${storage}`,
    "font-src 'self'",
    `connect-src 'self'${storage}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}

export const webSecurityHeaders = (storageOrigin?: string): Record<string, string> => ({
  'content-security-policy': contentSecurityPolicy(storageOrigin),
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), interest-cohort=()',
  'cross-origin-opener-policy': 'same-origin',
});

/** API answers are never cached by a shared cache and never rendered as a page. */
export const apiSecurityHeaders: Record<string, string> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains; preload',
  'referrer-policy': 'no-referrer',
};
