/**
 * Attachments sent over HTTP as base64 JSON: checked and turned into the runtime's {@link Attachment}s, the same kind
 * of file `baton run --attach` reads from disk (images, audio, text or PDF documents).
 */
import { createHash } from 'node:crypto';
import { MAX_ATTACHMENT_BYTES, type Attachment, type AttachmentKind } from '../runtime/attachments.js';
import { ApiError } from './errors.js';
import type { Attachment as AttachmentBody } from './schemas.js';

/** Media types accepted, and what the runtime does with each kind. */
const KINDS: Readonly<Record<string, AttachmentKind>> = {
  'image/png': 'image',
  'image/jpeg': 'image',
  'image/gif': 'image',
  'image/webp': 'image',
  'audio/mpeg': 'audio',
  'audio/wav': 'audio',
  'audio/mp4': 'audio',
  'audio/ogg': 'audio',
  'audio/flac': 'audio',
  'audio/webm': 'audio',
  'text/markdown': 'document',
  'text/plain': 'document',
  'application/pdf': 'document',
};

export const ACCEPTED_MEDIA_TYPES = Object.keys(KINDS);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes and checks each attachment; throws a 400 naming the attachment and the problem. */
export function decodeAttachments(items: readonly AttachmentBody[]): Attachment[] {
  return items.map((item, index) => {
    const where = `attachments[${index}] ("${item.name}")`;
    // The name is recorded and cited as a source: a bare file name, nothing that looks like a path or markup.
    if (/[/\\\p{Cc}<>]/u.test(item.name) || item.name === '.' || item.name === '..') {
      throw new ApiError(400, 'USAGE', `${where}: the name must be a plain file name without slashes or control characters`);
    }
    const mimeType = item.mimeType.toLowerCase().split(';')[0]?.trim() ?? '';
    const kind = KINDS[mimeType];
    if (!kind) throw new ApiError(400, 'USAGE', `${where}: unsupported media type "${item.mimeType}"; accepted: ${ACCEPTED_MEDIA_TYPES.join(', ')}`);
    const text = item.dataBase64.replace(/\s+/g, '');
    if (text.length % 4 !== 0 || !BASE64.test(text)) throw new ApiError(400, 'USAGE', `${where}: dataBase64 is not valid base64`);
    const bytes = Buffer.from(text, 'base64');
    if (bytes.length === 0) throw new ApiError(400, 'USAGE', `${where}: the file is empty`);
    if (bytes.length > MAX_ATTACHMENT_BYTES) throw new ApiError(400, 'USAGE', `${where}: ${bytes.length} bytes is over the ${MAX_ATTACHMENT_BYTES}-byte limit`);
    return { name: item.name, kind, mimeType, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
}
