/**
 * Attachments sent over HTTP as base64 JSON: checked and turned into the runtime's {@link Attachment}s, the same kind
 * of file `baton run --attach` reads from disk (images, audio, text or PDF documents).
 */
import { createHash } from 'node:crypto';
import { MAX_ATTACHMENT_BYTES, type Attachment, type AttachmentKind } from '../runtime/attachments.js';
import { describeCodePoint, escapeCodePoint, findCharacter, isInvisibleOrFormatCharacter } from '../text/control-characters.js';
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
  'message/rfc822': 'email',
};

export const ACCEPTED_MEDIA_TYPES = Object.keys(KINDS);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The name as it can be quoted in a message: every refused character shown as its `\u` escape (four hex digits). */
function shownName(name: string): string {
  const escaped = Array.from(name, (character) => {
    const codePoint = character.codePointAt(0) ?? 0;
    return isInvisibleOrFormatCharacter(codePoint) ? escapeCodePoint(codePoint) : character;
  }).join('');
  // Quoted, not JSON-encoded: the escapes above are meant to be read once, not doubled.
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

/**
 * Format characters that names in real scripts need: the zero-width non-joiner and joiner (Persian, Indic scripts,
 * emoji sequences) and the left-to-right, right-to-left and Arabic letter marks. Bidi embeddings, overrides and
 * isolates, zero-width spaces and other invisible characters stay refused.
 */
const NAME_FORMAT_CHARACTERS = new Set([0x200c, 0x200d, 0x200e, 0x200f, 0x061c]);

/**
 * Why a name cannot be an attachment's, or undefined when it can. The name is recorded, shown and cited as a source
 * (`attachment:<name>`), so it must look like what it is: a bare file name, nothing that reads as a path or markup,
 * and no character that is invisible or reorders the text (U+202E turns "x\u202egnp.md" into "xdm.png" on screen).
 */
function nameProblem(name: string): string | undefined {
  if (/[/\\]/.test(name)) return 'the name must be a plain file name, without slashes';
  if (/[<>]/.test(name)) return 'the name must not contain < or >';
  const found = findCharacter(name, (codePoint) => isInvisibleOrFormatCharacter(codePoint) && !NAME_FORMAT_CHARACTERS.has(codePoint));
  if (found) {
    return `the name contains ${describeCodePoint(found.codePoint)} at position ${found.position}; names may not contain control, format or bidi characters, line separators or unpaired surrogates (they are invisible or change how the name is shown)`;
  }
  if (/^[.\s]*$/u.test(name)) return 'the name must have a visible character other than dots and spaces';
  if (/^\s|\s$/u.test(name)) return 'the name must not begin or end with a space';
  return undefined;
}

/** Decodes and checks each attachment; throws a 400 naming the attachment and the problem. */
export function decodeAttachments(items: readonly AttachmentBody[]): Attachment[] {
  // Names are compared as shown (NFC): "é" composed and decomposed would be two attachments no citation could tell apart.
  const seen = new Map<string, number>();
  return items.map((item, index) => {
    const where = `attachments[${index}] (${shownName(item.name)})`;
    const problem = nameProblem(item.name);
    if (problem) throw new ApiError(400, 'USAGE', `${where}: ${problem}`);
    const earlier = seen.get(item.name.normalize('NFC'));
    if (earlier !== undefined) {
      throw new ApiError(400, 'USAGE', `${where}: attachments[${earlier}] has the same name; names must differ within a request, since documents are cited as attachment:<name>`);
    }
    seen.set(item.name.normalize('NFC'), index);
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
