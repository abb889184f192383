import { MAX_ATTACHMENT_BYTES } from '../../shared/attachments.ts';

/**
 * How much of an archive an import will read. Each is checked while reading, so a worker never
 * holds more than one line (at most `lineBytes`), one gunzip chunk and one file part in memory,
 * whatever the archive claims or expands to.
 */
export interface ImportLimits {
  /** Bytes the whole archive may expand to (a gzip bomb stops here, not when memory runs out). */
  expandedBytes: number;
  /** Bytes one line may have: a file chunk's line is about 1 MB, every other record far less. */
  lineBytes: number;
  /** How deeply a record's values may nest (DynamoDB stores at most 32 levels). */
  depth: number;
  /** Bytes one archived file may have: the same limit as any attachment. */
  fileBytes: number;
}

export const importLimits: Readonly<ImportLimits> = {
  expandedBytes: 4 * 1024 ** 3,
  lineBytes: 2 * 1024 ** 2,
  depth: 16,
  fileBytes: MAX_ATTACHMENT_BYTES,
};

/** Bytes as people read them in a refusal: "2 MB", "4096 MB", "512 KB". */
export const sizeInWords = (bytes: number): string =>
  bytes >= 1024 ** 2 ? `${Math.round((bytes / 1024 ** 2) * 10) / 10} MB` : bytes >= 1024 ? `${Math.round(bytes / 1024)} KB` : `${bytes} bytes`;
