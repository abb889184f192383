// Files going straight to storage (attachments, group archives) and their sizes in human units.

/** A presigned POST from the API: where to send the form and every field it must carry. */
export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

export type Stored = 'stored' | 'refused' | 'offline';

/**
 * Sends `file` to storage with a presigned POST: every field the API gave, then the file as
 * `file` (storage reads the fields before the file). XMLHttpRequest rather than fetch, because
 * only it reports upload progress; `onProgress` hears the fraction sent, from 0 to 1.
 */
export function postToStorage(post: PresignedPost, file: Blob, onProgress?: (sent: number) => void): Promise<Stored> {
  const form = new FormData();
  for (const [key, value] of Object.entries(post.fields)) form.append(key, value);
  form.append('file', file);
  return new Promise((resolve) => {
    const request = new XMLHttpRequest();
    request.open('POST', post.url);
    if (onProgress) request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.onload = () => resolve(request.status >= 200 && request.status < 300 ? 'stored' : 'refused');
    request.onerror = () => resolve('offline');
    request.send(form);
  });
}

/** "2.4 MB" */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}
