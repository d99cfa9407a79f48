/**
 * E-mails given to a run (`--attach complaint.eml`). The run store keeps the .eml itself while a run waits; the e-mail
 * is unpacked when the run starts (and again, identically, when it resumes elsewhere): its text becomes the source
 * `attachment:<name>`, the images inside it go to vision models like attached photos, and the PDF and text files
 * inside it become sources `attachment:<name>/<file>`. Everything else in it is listed, never read or opened.
 */
import type { Attachment } from './attachments.js';
import { readEmail, type EmailPart, type ReadEmail } from './email/read.js';
import { renderEmail } from './email/render.js';

export { EmailError, MAX_EMAIL_IMAGE_BYTES, MAX_EMAIL_PARTS } from './email/read.js';
export { formatSize, renderEmail } from './email/render.js';

/** What the transcript keeps of a file inside an e-mail: never its bytes. */
export interface EmailPartRecord {
  name: string;
  mimeType: string;
  sizeBytes: number;
  sha256?: string;
  use: EmailPart['use'];
  reason?: string;
}

/** An e-mail attachment unpacked. */
export interface EmailContents {
  /** Its readable rendering: the text of the source `attachment:<name>`. */
  text: string;
  /** Images inside it, as image attachments named `<e-mail>/<file>`. */
  images: Attachment[];
  /** PDF and text files inside it, as document attachments named `<e-mail>/<file>`. */
  documents: Attachment[];
  /** Every file inside it and what was done with it; what was left out. */
  record: { contents: EmailPartRecord[]; warnings: string[] };
}

/**
 * Parsed e-mails by the buffer that holds them: the run's start unpacks each e-mail twice (its images, its sources)
 * from the same attachments, and parsing 25 MB of MIME once is enough.
 */
const parsed = new WeakMap<Buffer, Promise<ReadEmail>>();

function read(attachment: Attachment): Promise<ReadEmail> {
  let email = parsed.get(attachment.bytes);
  if (!email) parsed.set(attachment.bytes, (email = readEmail(attachment.bytes, attachment.name, `attachment ${attachment.name}`)));
  return email;
}

function asAttachment(part: EmailPart, kind: 'image' | 'document'): Attachment {
  return { name: part.name, kind, mimeType: part.mimeType, bytes: part.bytes, sha256: part.sha256 ?? '' };
}

/** Unpacks an e-mail attachment; throws {@link EmailError} (a usage error naming the file) when it is not one. */
export async function expandEmail(attachment: Attachment): Promise<EmailContents> {
  const email = await read(attachment);
  return {
    text: renderEmail(email),
    images: email.parts.filter((part) => part.use === 'image').map((part) => asAttachment(part, 'image')),
    documents: email.parts.filter((part) => part.use === 'document').map((part) => asAttachment(part, 'document')),
    record: {
      contents: email.parts.map((part) => ({
        name: part.name,
        mimeType: part.mimeType,
        sizeBytes: part.sizeBytes,
        ...(part.sha256 ? { sha256: part.sha256 } : {}),
        use: part.use,
        ...(part.reason ? { reason: part.reason } : {}),
      })),
      warnings: email.warnings,
    },
  };
}

/**
 * The images a run shows vision models: those attached, and after each e-mail the images inside it. It never throws:
 * an e-mail that cannot be read adds no image, and `prepareRunSources`, which reads it too, fails the run with the
 * reason (here a failure would look like the run store's).
 */
export async function runImages(attachments: readonly Attachment[]): Promise<Attachment[]> {
  const images: Attachment[] = [];
  for (const attachment of attachments) {
    if (attachment.kind === 'image') images.push(attachment);
    if (attachment.kind === 'email') images.push(...(await expandEmail(attachment).then((email) => email.images, () => [])));
  }
  return images;
}
