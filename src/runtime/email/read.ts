/**
 * Reads an e-mail file (.eml: a MIME message, RFC 5322 and 2045) with mailparser into plain data a run can use: the
 * headers as text, the body as plain text (HTML only ever converted to text, never rendered or run), and the files
 * attached inside it, each classified as an image for vision models, a document to search, or a file only listed.
 *
 * The result depends on the bytes alone (no clock, no locale), so a run resumed in another process, which reads the
 * stored .eml again, sees the same text, the same names and the same images. mailparser is lenient (it turns almost
 * any bytes into some message), so the checks that make a file "not an e-mail" are made here.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { AddressObject, Attachment as MailPart, EmailAddress, ParsedMail, StructuredHeader } from 'mailparser';
import { errorMessage, UsageError } from '../../errors.js';
import { isControlCharacter, isInvisibleOrFormatCharacter } from '../../text/control-characters.js';

/** At most this many files inside one e-mail are read; the rest are listed as skipped (a bulk mail is not evidence). */
export const MAX_EMAIL_PARTS = 20;
/** Images inside an e-mail above this size are skipped: vision APIs refuse or bill heavily for larger ones. */
export const MAX_EMAIL_IMAGE_BYTES = 10 * 1024 * 1024;
/** HTML bodies longer than this (characters) are not converted to text: the conversion would stall the run's start. */
const MAX_HTML_CHARACTERS = 2_000_000;

/** An e-mail that cannot be read, naming the file and what is wrong; a usage error, since the file is the user's. */
export class EmailError extends UsageError {
  /** What is wrong, without the file name. */
  readonly problem: string;
  constructor(where: string, problem: string) {
    super(`${where}: not a readable e-mail: ${problem}`, { hint: 'attach the message as your mail program saves it (Save As… .eml), whole and unchanged' });
    this.problem = problem;
  }
}

/** A file attached inside an e-mail, and what the run does with it. */
export interface EmailPart {
  /** The name in the run, in citations and in the transcript: `<e-mail name>/<file name>`. */
  name: string;
  /** The file name as listed in the e-mail's text: a plain name (no folders, no invisible characters), unique in it. */
  fileName: string;
  mimeType: string;
  sizeBytes: number;
  /**
   * `image`: given to vision models; `document`: searchable as `attachment:<name>`; `listed`: a type the run cannot
   * read, only named; `skipped`: one it could read, left out for `reason`.
   */
  use: 'image' | 'document' | 'listed' | 'skipped';
  reason?: string;
  /** The decoded content (of images and documents; empty for the others, which are never read). */
  bytes: Buffer;
  /** Of `bytes`, for images and documents. */
  sha256?: string;
}

/** An e-mail as the run sees it. */
export interface ReadEmail {
  /** From, To, Cc, Date (ISO 8601 when it parses) and Subject, each present only when the e-mail has it. */
  headers: Array<[string, string]>;
  /** The plain-text body: the text part, or the text rendering of the HTML part when there is no text part. */
  body: string;
  parts: EmailPart[];
  /** What was left out, for the transcript. */
  warnings: string[];
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
const DOCUMENT_TYPES = new Set(['application/pdf', 'text/plain', 'text/markdown']);
/** Types some mail programs send under another name. */
const TYPE_ALIASES: Readonly<Record<string, string>> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/x-png': 'image/png', 'text/x-markdown': 'text/markdown' };
/** For parts sent as `application/octet-stream`, whose type only the file name tells. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.pdf': 'application/pdf',
  '.txt': 'text/plain',
  '.md': 'text/markdown',
};

/** Parses and checks an e-mail; `where` names it in errors (`--attach mail.eml`, `attachment mail.eml`). */
export async function readEmail(bytes: Buffer, emailName: string, where = emailName): Promise<ReadEmail> {
  if (bytes.length === 0) throw new EmailError(where, 'the file is empty');
  // Loaded on first use: mailparser and its HTML converter are large, and most commands never read an e-mail.
  const { simpleParser } = await import('mailparser');
  let mail: ParsedMail;
  try {
    mail = await simpleParser(bytes, {
      // Text only: no HTML is produced from the text, no links rewritten, no cid: images inlined, no checksums.
      skipTextToHtml: true,
      skipTextLinks: true,
      skipImageLinks: true,
      keepCidLinks: true,
      checksumAlgo: false,
      maxHtmlLengthToParse: MAX_HTML_CHARACTERS,
    });
  } catch (error) {
    throw new EmailError(where, `its MIME structure cannot be parsed (${errorMessage(error)})`);
  }
  checkStructure(mail, bytes, where);
  const warnings: string[] = [];
  const parts = readParts(mail.attachments, emailName, warnings);
  return { headers: headerLines(mail), body: bodyText(mail, warnings, emailName), parts, warnings };
}

/** The checks mailparser does not make: without them a photo or a note renamed .eml would "parse" as an empty e-mail. */
function checkStructure(mail: ParsedMail, bytes: Buffer, where: string): void {
  const named = mail.headerLines.filter((line) => line.key !== '');
  if (named.length === 0 || mail.headerLines[0]?.key === '') {
    throw new EmailError(where, 'it does not begin with e-mail headers (lines such as "From: …" and "Subject: …")');
  }
  if (!mail.headers.has('from') && !mail.headers.has('date')) {
    throw new EmailError(where, 'it has neither a From: nor a Date: header (every e-mail has both)');
  }
  const type = mail.headers.get('content-type') as StructuredHeader | undefined;
  if (type?.value.toLowerCase().startsWith('multipart/')) {
    const boundary = type.params['boundary'];
    if (!boundary) throw new EmailError(where, `its Content-Type is ${type.value} but names no boundary, so its parts cannot be told apart`);
    // A download or copy cut short loses the closing boundary first; what is left would read as a whole e-mail.
    if (!bytes.includes(`--${boundary}--`, 0, 'latin1')) {
      throw new EmailError(where, `it is cut short: the closing MIME boundary "--${boundary}--" is missing (was the file truncated?)`);
    }
  }
}

/**
 * Header values are shown one per line: line breaks and controls (an encoded word can hold any) become spaces, so a
 * subject cannot start a line that reads as another header.
 */
function oneLine(value: string): string {
  let flat = '';
  let broken = false;
  for (const character of value) {
    const codePoint = character.codePointAt(0) ?? 0;
    const isBreak = isControlCharacter(codePoint) || codePoint === 0x2028 || codePoint === 0x2029;
    if (!isBreak) flat += character;
    else if (!broken) flat += ' ';
    broken = isBreak;
  }
  return flat.trim();
}

function formatAddress(entry: EmailAddress): string {
  if (entry.group) return `${entry.name}: ${entry.group.map(formatAddress).join(', ')};`;
  if (!entry.address) return entry.name;
  return entry.name ? `${entry.name} <${entry.address}>` : entry.address;
}

function formatAddresses(header: AddressObject | AddressObject[] | undefined): string | undefined {
  const entries = (header === undefined ? [] : Array.isArray(header) ? header : [header]).flatMap((object) => object.value);
  const shown = oneLine(entries.map(formatAddress).filter((text) => text !== '').join(', '));
  return shown === '' ? undefined : shown;
}

/**
 * The Date header read from its raw line: mailparser puts the current time in place of a date it cannot parse, which
 * would make the text differ between a run and its resumption.
 */
function dateHeader(mail: ParsedMail): string | undefined {
  const line = mail.headerLines.find((entry) => entry.key === 'date')?.line;
  if (line === undefined) return undefined;
  const raw = oneLine(line.slice(line.indexOf(':') + 1));
  const date = new Date(raw);
  return Number.isNaN(date.getTime()) ? `${raw} (not a valid date)` : date.toISOString();
}

function headerLines(mail: ParsedMail): Array<[string, string]> {
  const headers: Array<[string, string | undefined]> = [
    ['From', formatAddresses(mail.from)],
    ['To', formatAddresses(mail.to)],
    ['Cc', formatAddresses(mail.cc)],
    ['Date', dateHeader(mail)],
    ['Subject', mail.subject === undefined ? undefined : oneLine(mail.subject)],
  ];
  return headers.filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
}

function bodyText(mail: ParsedMail, warnings: string[], emailName: string): string {
  const text = (mail.text ?? '').replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (mail.textConversionError) {
    const note = `the HTML body could not be turned into text (${errorMessage(mail.textConversionError)})`;
    warnings.push(`${emailName}: ${note}`);
    return text === '' ? `(${note})` : text;
  }
  return text === '' ? '(no text)' : text;
}

/** The media type of a part, by its Content-Type, or by its file name when it was sent as an unnamed byte stream. */
function partType(part: MailPart): string {
  const declared = part.contentType.toLowerCase();
  const type = TYPE_ALIASES[declared] ?? declared;
  if (type === 'application/octet-stream' && part.filename) return BY_EXTENSION[path.extname(part.filename).toLowerCase()] ?? type;
  return type;
}

/** The type the bytes of an image really have: a mislabelled image would make a vision API refuse the whole call. */
function sniffImage(bytes: Buffer): string | undefined {
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (/^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

/**
 * A name the part can be cited and shown by: the last segment of what the e-mail says (a sender may write
 * "../../x.pdf"), without invisible or reordering characters, and unique within the e-mail.
 */
function fileNameFor(part: MailPart, index: number, mimeType: string, taken: Set<string>): string {
  const last = (part.filename ?? '').split(/[/\\]/).pop() ?? '';
  const visible = Array.from(last, (character) => (isInvisibleOrFormatCharacter(character.codePointAt(0) ?? 0) || character === '<' || character === '>' ? '_' : character))
    .slice(0, 200)
    .join('')
    .trim()
    .normalize('NFC');
  const extension = Object.entries(BY_EXTENSION).find(([, type]) => type === mimeType)?.[0] ?? '';
  const base = /^[.\s_]*$/u.test(visible) ? `attachment-${index + 1}${extension}` : visible;
  const stem = base.slice(0, base.length - path.extname(base).length);
  let name = base;
  for (let copy = 2; taken.has(name.toLowerCase()); copy += 1) name = `${stem} (${copy})${path.extname(base)}`;
  taken.add(name.toLowerCase());
  return name;
}

/** Text parts in another character set are stored as UTF-8, the encoding documents are read in. */
function asUtf8(part: MailPart, mimeType: string): Buffer {
  if (!mimeType.startsWith('text/')) return part.content;
  const charset = (part.headers.get('content-type') as StructuredHeader | undefined)?.params['charset']?.toLowerCase();
  if (!charset || charset === 'utf-8' || charset === 'us-ascii') return part.content;
  try {
    return Buffer.from(new TextDecoder(charset).decode(part.content), 'utf8');
  } catch {
    return part.content;
  }
}

function readParts(attachments: readonly MailPart[], emailName: string, warnings: string[]): EmailPart[] {
  const taken = new Set<string>();
  const parts = attachments.map((part, index): EmailPart => {
    let mimeType = partType(part);
    const fileName = fileNameFor(part, index, mimeType, taken);
    const listed = { name: `${emailName}/${fileName}`, fileName, mimeType, sizeBytes: part.content.length, bytes: Buffer.alloc(0) };
    const skip = (reason: string): EmailPart => ({ ...listed, use: 'skipped', reason });
    if (index >= MAX_EMAIL_PARTS) return skip(`only the first ${MAX_EMAIL_PARTS} attachments are read`);
    const readable = IMAGE_TYPES.has(mimeType) || DOCUMENT_TYPES.has(mimeType);
    if (!readable) return { ...listed, use: 'listed', reason: 'not read (only images, PDF and text files are)' };
    if (part.content.length === 0) return skip('it is empty');
    if (IMAGE_TYPES.has(mimeType)) {
      if (part.content.length > MAX_EMAIL_IMAGE_BYTES) return skip(`over the ${MAX_EMAIL_IMAGE_BYTES / (1024 * 1024)} MB limit for images`);
      const actual = sniffImage(part.content);
      if (!actual) return skip('not a PNG, JPEG, GIF or WebP image (its content does not match its type)');
      mimeType = actual;
    }
    const bytes = asUtf8(part, mimeType);
    const use = IMAGE_TYPES.has(mimeType) ? 'image' : 'document';
    return { ...listed, mimeType, use, bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
  });
  for (const part of parts.slice(0, MAX_EMAIL_PARTS)) if (part.use === 'skipped') warnings.push(`${part.name}: skipped: ${part.reason}`);
  if (parts.length > MAX_EMAIL_PARTS) warnings.push(`${emailName}: ${parts.length - MAX_EMAIL_PARTS} of its ${parts.length} attachments skipped: only the first ${MAX_EMAIL_PARTS} are read`);
  return parts;
}
