/**
 * The text an e-mail becomes as a run source (`attachment:<name>`): its headers, its body, and a line naming the files
 * attached to it. Headers come first, one per line, as a paragraph of their own, so a search for the subject or the
 * sender finds them and a claim can quote "Subject: …" word for word.
 */
import type { EmailPart, ReadEmail } from './read.js';

/** The attachments line names at most this many files: a mail with hundreds of parts should not bury its own text. */
const MAX_LISTED = 50;

/** `812 bytes`, `123 KB`, `4.2 MB`: sizes as a mail program shows them (1 KB = 1024 bytes). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** `photo.jpg (image/jpeg, 123 KB)`, with why when the file was not read. */
function listing(part: EmailPart): string {
  const note = part.use === 'listed' ? '; not read' : part.use === 'skipped' ? `; skipped: ${part.reason ?? 'not read'}` : '';
  return `${part.fileName} (${part.mimeType}, ${formatSize(part.sizeBytes)}${note})`;
}

/** The readable rendering of an e-mail: headers, a blank line, the body, then the attachments line when it has any. */
export function renderEmail(email: ReadEmail): string {
  const sections = [email.headers.map(([name, value]) => `${name}: ${value}`).join('\n'), email.body];
  if (email.parts.length > 0) {
    const shown = email.parts.slice(0, MAX_LISTED).map(listing);
    if (email.parts.length > MAX_LISTED) shown.push(`and ${email.parts.length - MAX_LISTED} more`);
    sections.push(`Attachments: ${shown.join(', ')}`);
  }
  return `${sections.join('\n\n')}\n`;
}
