import { AppError, invalid } from './errors.ts';

const FIELD = 'List-Unsubscribe';
const VALUE = 'One-Click';
/** `List-Unsubscribe=One-Click` in either form is a few hundred bytes; anything bigger is not it. */
const MAX_BYTES = 4096;

const unsupported = () =>
  new AppError(415, 'unsupported_media_type', 'Send List-Unsubscribe=One-Click as application/x-www-form-urlencoded or multipart/form-data.');
const notOneClick = () => invalid({ [FIELD]: `Send ${FIELD}=${VALUE}.` }, 'This is not a one-click unsubscribe request.');

/**
 * Accepts exactly the bodies RFC 8058 says mail clients send: the one field
 * `List-Unsubscribe=One-Click`, URL-encoded or as multipart/form-data. Anything else is refused.
 */
export function parseOneClickBody(contentType: string, body: string): void {
  if (Buffer.byteLength(body) > MAX_BYTES) throw notOneClick();
  const [type = '', ...parameters] = contentType.split(';').map((part) => part.trim());
  switch (type.toLowerCase()) {
    case 'application/x-www-form-urlencoded': {
      const fields = [...new URLSearchParams(body.trim())];
      if (fields.length !== 1 || fields[0]![0] !== FIELD || fields[0]![1] !== VALUE) throw notOneClick();
      return;
    }
    case 'multipart/form-data': {
      const boundary = parameters.map((p) => /^boundary=(?:"([^"]+)"|(\S+))$/i.exec(p)).find(Boolean);
      const delimiter = boundary?.[1] ?? boundary?.[2];
      if (!delimiter || delimiter.length > 70) throw notOneClick();
      if (!multipartIsOneClick(body, delimiter)) throw notOneClick();
      return;
    }
    default:
      throw unsupported();
  }
}

/** One part named List-Unsubscribe whose value is One-Click, between the opening and closing delimiters. */
function multipartIsOneClick(body: string, boundary: string): boolean {
  const parts = body.split(`--${boundary}`);
  // preamble, the parts, then `--` and any epilogue after the closing delimiter
  if (parts.length < 3 || !parts.at(-1)!.startsWith('--')) return false;
  const fields = parts.slice(1, -1).map((part) => {
    const text = part.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
    const split = /\r?\n\r?\n/.exec(text);
    if (!split) return undefined;
    const head = text.slice(0, split.index);
    const value = text.slice(split.index + split[0].length);
    const name = /^content-disposition:\s*form-data\s*;\s*name="([^"]*)"\s*$/im.exec(head)?.[1];
    return name === undefined ? undefined : { name, value };
  });
  return fields.length === 1 && fields[0]?.name === FIELD && fields[0].value === VALUE;
}
