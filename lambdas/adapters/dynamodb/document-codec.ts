/**
 * How a JSON document (a plan, a snapshot) is kept in one DynamoDB attribute: as JSON text
 * while it is small, so it stays readable in the console, and gzip-compressed binary once it
 * is large. An item holds at most 400 KB, keys and other attributes included.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { InvalidInputError } from '../../core/errors';

/** Above this many bytes of JSON a document is compressed (it also saves write capacity). */
export const COMPRESS_ABOVE_BYTES = 32 * 1024;
/** The most a stored document may take, leaving room under the 400 KB item limit. */
export const MAX_STORED_DOCUMENT_BYTES = 350 * 1024;

export type StoredDocument =
  | { documentEncoding: 'json'; document: string }
  | { documentEncoding: 'gzip+json'; document: Uint8Array };

export function encodeDocument(value: unknown, what: string): StoredDocument {
  const json = JSON.stringify(value);
  if (json === undefined) throw new InvalidInputError(`${what} is not a JSON document`);
  const size = Buffer.byteLength(json, 'utf8');
  if (size <= COMPRESS_ABOVE_BYTES) return { documentEncoding: 'json', document: json };
  const compressed = gzipSync(json);
  if (compressed.byteLength > MAX_STORED_DOCUMENT_BYTES) {
    throw new InvalidInputError(
      `${what} is ${kib(size)} KiB of JSON, ${kib(compressed.byteLength)} KiB compressed; ` +
        `at most ${kib(MAX_STORED_DOCUMENT_BYTES)} KiB compressed can be stored`,
    );
  }
  return { documentEncoding: 'gzip+json', document: new Uint8Array(compressed) };
}

export function decodeDocument(stored: { documentEncoding?: unknown; document?: unknown }): unknown {
  switch (stored.documentEncoding) {
    case 'json':
      return JSON.parse(String(stored.document));
    case 'gzip+json':
      if (!(stored.document instanceof Uint8Array)) throw new Error('compressed document is not binary');
      return JSON.parse(gunzipSync(stored.document).toString('utf8'));
    default:
      throw new Error(`unknown document encoding ${String(stored.documentEncoding)}`);
  }
}

const kib = (bytes: number) => Math.ceil(bytes / 1024);
