/**
 * What a file attached to a thread or comment may be, for every way one arrives: a person's
 * upload (POST /api/uploads) and a group archive's files (the import). The browser's file field
 * offers the same list.
 */

/** A file can be at most 25 MB. */
export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** Raster images: the only files shown inline, in the page and when opened. */
export const INLINE_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** What people may attach: raster images, and common documents. Nothing executable, no SVG or HTML. */
export const ATTACHMENT_TYPES: ReadonlySet<string> = new Set([
  ...INLINE_IMAGE_TYPES,
  'application/pdf', 'text/plain', 'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
]);

export const ATTACHMENT_TYPES_HINT = 'Attach images (PNG, JPEG, GIF, WebP), PDFs, text, CSV or office documents.';
export const ATTACHMENT_SIZE_HINT = 'A file can be at most 25 MB.';

/** Whether a stored file is shown in the page; anything else is only ever downloaded. */
export const servesInline = (contentType: string): boolean => INLINE_IMAGE_TYPES.has(contentType);

/**
 * How a download is served: a raster image as itself, inline; anything else as an opaque
 * download, so no browser renders or sniffs it (SVG, HTML and PDF included).
 */
export function downloadHeaders(contentType: string, filename: string): { contentType: string; disposition: string } {
  const inline = servesInline(contentType);
  // A lone surrogate (possible in an archived name) would make encodeURIComponent throw.
  const name = encodeURIComponent(filename.toWellFormed());
  return { contentType: inline ? contentType : 'application/octet-stream', disposition: `${inline ? 'inline' : 'attachment'}; filename*=UTF-8''${name}` };
}
