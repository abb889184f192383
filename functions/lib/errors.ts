/**
 * Errors a use case may throw. The HTTP layer maps each to its status in one place
 * (`http.ts`); anything else becomes a 500 that carries no internals.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly fields: Record<string, string> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    extra: { fields?: Record<string, string>; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = extra.fields;
    this.headers = extra.headers;
  }
}

export const badRequest = (message: string, code = 'bad_request') => new AppError(400, code, message);

export const unauthorized = (message = 'Sign in to continue.', code = 'unauthorized') =>
  new AppError(401, code, message);

export const forbidden = (message = 'You are not allowed to do that.') => new AppError(403, 'forbidden', message);

/** Also the answer for anything the actor may not see, so nothing leaks that it exists. */
export const notFound = (message = 'Not found.') => new AppError(404, 'not_found', message);

export const conflict = (message: string, code = 'conflict') => new AppError(409, code, message);

export const invalid = (fields: Record<string, string>, message = 'Some fields need attention.') =>
  new AppError(422, 'validation_failed', message, { fields });

export const tooManyRequests = (retryAfterSeconds: number, message = 'Too many attempts. Try again later.') =>
  new AppError(429, 'rate_limited', message, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
