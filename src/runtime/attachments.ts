/**
 * Files a run is given with `--attach`: images go to vision-capable models as image content, audio is transcribed by
 * a `transcription` model first, text or PDF documents join the run's sources, and e-mails (.eml) are unpacked into
 * their text, their images and their documents when the run starts (see email.ts). The transcript records each
 * attachment's name, type, size and hash, never its bytes.
 */
import { createHash } from 'node:crypto';
import { lstat, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, UsageError } from '../errors.js';
import { describeFsError, errnoCode } from '../fs-problems.js';
import type { EvidenceSource, Passage, SourceText } from '../knowledge/types.js';
import { readEmail } from './email/read.js';

/** `email`: a MIME message, kept whole (the run store holds the .eml) and unpacked at the run's start. */
export type AttachmentKind = 'image' | 'audio' | 'document' | 'email';

export interface Attachment {
  name: string;
  kind: AttachmentKind;
  mimeType: string;
  bytes: Buffer;
  sha256: string;
}

/** What the transcript keeps of an attachment. */
export interface AttachmentRecord {
  name: string;
  kind: AttachmentKind;
  mimeType: string;
  sizeBytes: number;
  sha256: string;
}

const TYPES: Record<string, { kind: AttachmentKind; mimeType: string }> = {
  '.png': { kind: 'image', mimeType: 'image/png' },
  '.jpg': { kind: 'image', mimeType: 'image/jpeg' },
  '.jpeg': { kind: 'image', mimeType: 'image/jpeg' },
  '.gif': { kind: 'image', mimeType: 'image/gif' },
  '.webp': { kind: 'image', mimeType: 'image/webp' },
  '.mp3': { kind: 'audio', mimeType: 'audio/mpeg' },
  '.wav': { kind: 'audio', mimeType: 'audio/wav' },
  '.m4a': { kind: 'audio', mimeType: 'audio/mp4' },
  '.ogg': { kind: 'audio', mimeType: 'audio/ogg' },
  '.flac': { kind: 'audio', mimeType: 'audio/flac' },
  '.webm': { kind: 'audio', mimeType: 'audio/webm' },
  '.md': { kind: 'document', mimeType: 'text/markdown' },
  '.txt': { kind: 'document', mimeType: 'text/plain' },
  '.pdf': { kind: 'document', mimeType: 'application/pdf' },
  '.eml': { kind: 'email', mimeType: 'message/rfc822' },
};

export const MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024;

/** Why the path of an attachment cannot be read (following symbolic links), in words; `stat` threw `error`. */
async function describeStatFailure(resolved: string, error: unknown): Promise<string> {
  if (errnoCode(error) === 'ENOENT') {
    const link = await lstat(resolved).catch(() => undefined);
    if (link?.isSymbolicLink()) return 'a symbolic link to a file that does not exist';
  }
  return describeFsError(error) ?? `cannot read it (${errorMessage(error)})`;
}

/**
 * Reads attachment files, refusing an empty path, a missing file, a folder, anything but a regular file (a pipe or a
 * device such as /dev/zero would hang or never end), unknown types, files over the size cap and e-mails that cannot be
 * read (checked here, so that the run is not even recorded); each with what is wrong.
 */
export async function readAttachments(files: readonly string[], cwd: string): Promise<Attachment[]> {
  const attachments: Attachment[] = [];
  for (const file of files) {
    if (file.trim() === '') throw new UsageError('--attach was given an empty path; expected a file such as notes.md or photo.png');
    const resolved = path.resolve(cwd, file);
    let info;
    try {
      info = await stat(resolved);
    } catch (error) {
      throw new UsageError(`--attach ${file}: ${await describeStatFailure(resolved, error)}`);
    }
    if (info.isDirectory()) throw new UsageError(`--attach ${file}: it is a folder; attach the files in it one by one`);
    if (!info.isFile()) throw new UsageError(`--attach ${file}: not a regular file (a pipe, device or socket cannot be attached)`);
    const type = TYPES[path.extname(file).toLowerCase()];
    if (!type) throw new UsageError(`--attach ${file}: unsupported file type; supported: ${Object.keys(TYPES).join(' ')}`);
    if (info.size > MAX_ATTACHMENT_BYTES) throw new UsageError(`--attach ${file}: ${info.size} bytes is over the ${MAX_ATTACHMENT_BYTES}-byte limit`);
    // A run's sources are named by file name (`attachment:<name>`): two files of one name would leave one unreadable.
    const twin = attachments.find((attachment) => attachment.name === path.basename(file));
    if (twin) throw new UsageError(`--attach ${file}: another attached file is also named ${twin.name}; the run names its sources by file name, so rename one of them`);
    const bytes = await readFile(resolved);
    if (type.kind === 'email') await readEmail(bytes, path.basename(file), `--attach ${file}`);
    attachments.push({ name: path.basename(file), ...type, bytes, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return attachments;
}

export function attachmentRecord(attachment: Attachment): AttachmentRecord {
  return { name: attachment.name, kind: attachment.kind, mimeType: attachment.mimeType, sizeBytes: attachment.bytes.length, sha256: attachment.sha256 };
}

/** The text of a document attachment (PDF through pdf-parse). */
export async function documentText(attachment: Attachment): Promise<string> {
  if (attachment.mimeType !== 'application/pdf') return attachment.bytes.toString('utf8');
  const { PDFParse } = await import('pdf-parse');
  const parser = new PDFParse({ data: new Uint8Array(attachment.bytes) });
  try {
    return (await parser.getText()).text;
  } finally {
    await parser.destroy();
  }
}

/** Run sources first, then the knowledge base. */
export class CombinedEvidence implements EvidenceSource {
  constructor(private readonly sources: readonly EvidenceSource[]) {}

  async search(query: string, options: { limit?: number; signal?: AbortSignal } = {}): Promise<Passage[]> {
    const limit = options.limit ?? 6;
    const results = await Promise.all(this.sources.map((source) => source.search(query, options)));
    // Interleave so that a strong run source is not crowded out by many knowledge-base passages, or vice versa.
    const merged: Passage[] = [];
    for (let index = 0; merged.length < limit && results.some((list) => index < list.length); index += 1) {
      for (const list of results) if (list[index] && merged.length < limit) merged.push(list[index]!);
    }
    return merged;
  }

  async read(reference: Parameters<EvidenceSource['read']>[0]): Promise<SourceText | undefined> {
    for (const source of this.sources) {
      const text = await source.read(reference);
      if (text) return text;
    }
    return undefined;
  }
}
