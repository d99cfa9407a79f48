/**
 * E-mail attachments (.eml): read with mailparser into a readable text (headers, body, the files it holds), the images
 * inside handed on as image attachments with their exact bytes, PDF and text files as documents, everything else only
 * listed; with limits on what is taken and a clear usage error, never a stack trace, for a file that is no e-mail.
 */
import { createHash } from 'node:crypto';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import type { NewTurn } from '../../src/transcript/schema.js';
import { RunLabels } from '../../src/routing/needs.js';
import { MAX_ATTACHMENT_BYTES, readAttachments, type Attachment } from '../../src/runtime/attachments.js';
import { EmailError, expandEmail, formatSize, MAX_EMAIL_IMAGE_BYTES, MAX_EMAIL_PARTS, runImages } from '../../src/runtime/email.js';
import { prepareRunSources } from '../../src/runtime/sources.js';
import { temporaryDirectories } from '../support/project.js';

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'email');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const tempDir = temporaryDirectories('baton-email-');

/** An e-mail attachment as the run store hands it back: a fresh buffer, the .eml itself. */
function email(name: string, bytes: Buffer | string): Attachment {
  const buffer = Buffer.from(bytes);
  return { name, kind: 'email', mimeType: 'message/rfc822', bytes: buffer, sha256: sha256(buffer) };
}

/** A multipart/mixed e-mail with a short text and the given parts, each base64-encoded as mail programs send them. */
function mixed(parts: Array<{ type: string; name?: string; bytes: Buffer }>, boundary = 'b-1'): Buffer {
  const sections = parts.map(
    (part) =>
      `--${boundary}\r\nContent-Type: ${part.type}${part.name ? `; name="${part.name}"` : ''}\r\nContent-Transfer-Encoding: base64\r\n` +
      `${part.name ? `Content-Disposition: attachment; filename="${part.name}"\r\n` : ''}\r\n${part.bytes.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`,
  );
  return Buffer.from(
    `From: Maria Lindqvist <maria.lindqvist@example.com>\r\nTo: support@espresso-shop.example\r\nSubject: Photos\r\nDate: Tue, 5 Mar 2024 14:21:00 +0100\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${boundary}"\r\n\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\nSee the attached files.\r\n` +
      `${sections.join('')}--${boundary}--\r\n`,
  );
}

/** A context for `prepareRunSources` that records the supervisor turns it writes. */
function prepareContext(turns: NewTurn[]): Parameters<typeof prepareRunSources>[1] {
  const store = { appendTurn: async (turn: NewTurn) => void turns.push(turn) };
  return {
    deps: { store } as unknown as Parameters<typeof prepareRunSources>[1]['deps'],
    runId: 'run_email',
    labels: RunLabels.parse({}),
    clock: () => new Date('2024-03-08T00:00:00Z'),
    now: () => 0,
    signal: new AbortController().signal,
  };
}

const PHOTO = fixture('lid.jpg');

describe('an e-mail with a photo attached', () => {
  it('is read as an attachment of kind email, and kept whole', async () => {
    const [attachment] = await readAttachments([path.join(FIXTURES, 'complaint-photo.eml')], FIXTURES);
    expect(attachment).toMatchObject({ name: 'complaint-photo.eml', kind: 'email', mimeType: 'message/rfc822' });
    expect(attachment!.bytes.equals(fixture('complaint-photo.eml'))).toBe(true);
  });

  it('becomes its headers, its body and a line naming the photo', async () => {
    const contents = await expandEmail(email('complaint.eml', fixture('complaint-photo.eml')));
    expect(contents.text).toBe(
      [
        'From: Maria Lindqvist <maria.lindqvist@example.com>',
        'To: Espresso Shop Support <support@espresso-shop.example>',
        'Date: 2024-03-05T13:21:00.000Z',
        'Subject: Broken lid on my espresso machine',
        '',
        'Hello,',
        '',
        'I bought a Barista 3000 from your shop on 12 January 2024 (order 88213).',
        'Since last week the lid of the water tank no longer closes: the left hinge',
        'cracked when I opened it. I attach a photo of the broken hinge.',
        '',
        'Can you send me a replacement lid, or should I return the machine?',
        '',
        'Kind regards,',
        'Maria Lindqvist',
        '',
        `Attachments: broken-lid.jpg (image/jpeg, ${PHOTO.length} bytes)`,
        '',
      ].join('\n'),
    );
  });

  it('hands on the photo as an image of the run, byte for byte', async () => {
    const contents = await expandEmail(email('complaint.eml', fixture('complaint-photo.eml')));
    expect(contents.images).toHaveLength(1);
    const [image] = contents.images;
    expect(image).toMatchObject({ name: 'complaint.eml/broken-lid.jpg', kind: 'image', mimeType: 'image/jpeg', sha256: sha256(PHOTO) });
    expect(image!.bytes.equals(PHOTO)).toBe(true);
    expect(contents.documents).toEqual([]);
    expect(contents.record).toEqual({
      contents: [{ name: 'complaint.eml/broken-lid.jpg', mimeType: 'image/jpeg', sizeBytes: PHOTO.length, sha256: sha256(PHOTO), use: 'image' }],
      warnings: [],
    });
  });

  it('reads the same with CRLF line ends, as mail servers store it', async () => {
    const lf = await expandEmail(email('complaint.eml', fixture('complaint-photo.eml')));
    const crlf = await expandEmail(email('complaint.eml', fixture('complaint-photo.eml').toString('latin1').replace(/\n/g, '\r\n')));
    expect(crlf.text).toBe(lf.text);
    expect(crlf.images[0]!.bytes.equals(PHOTO)).toBe(true);
  });

  it('puts the photo among the run images after those attached directly, in attachment order', async () => {
    const direct: Attachment = { name: 'dent.jpg', kind: 'image', mimeType: 'image/jpeg', bytes: PHOTO, sha256: sha256(PHOTO) };
    const notes: Attachment = { name: 'notes.md', kind: 'document', mimeType: 'text/markdown', bytes: Buffer.from('# Notes\n'), sha256: '' };
    const images = await runImages([direct, notes, email('complaint.eml', fixture('complaint-photo.eml'))]);
    expect(images.map((image) => image.name)).toEqual(['dent.jpg', 'complaint.eml/broken-lid.jpg']);
  });

  it('is a searchable source whose headers can be quoted, and a supervisor turn records what it held, without bytes', async () => {
    const turns: NewTurn[] = [];
    const sources = await prepareRunSources([email('complaint.eml', fixture('complaint-photo.eml'))], prepareContext(turns));
    const [passage] = await sources.search('broken lid espresso machine subject');
    expect(passage?.source).toBe('attachment:complaint.eml');
    expect(passage?.text).toContain('Subject: Broken lid on my espresso machine');
    expect((await sources.read({ source: 'attachment:complaint.eml' } as never))?.text).toContain('the left hinge\ncracked');
    expect(turns).toHaveLength(1);
    expect(turns[0]).toMatchObject({
      role: 'email',
      kind: 'supervisor',
      output: {
        attachment: { name: 'complaint.eml', kind: 'email', mimeType: 'message/rfc822' },
        contents: [{ name: 'complaint.eml/broken-lid.jpg', use: 'image', sha256: sha256(PHOTO) }],
        warnings: [],
      },
    });
    expect(JSON.stringify(turns)).not.toContain(PHOTO.toString('base64').slice(0, 40));
  });
});

describe('bodies', () => {
  it('renders an HTML-only e-mail as text, never running or keeping its scripts, styles or markup', async () => {
    const contents = await expandEmail(email('shipped.eml', fixture('html-only.eml')));
    expect(contents.text).toMatch(/^From: Espresso Shop <orders@espresso-shop\.example>\nTo: maria\.lindqvist@example\.com\nDate: 2024-01-12T09:05:33\.000Z\nSubject: Your order 88213 has shipped\n\n/);
    expect(contents.text).toContain('Your Barista 3000 espresso machine is on its way.');
    expect(contents.text).toMatch(/Order\s*88213/);
    expect(contents.text).toContain('https://espresso-shop.example/track/88213');
    const body = contents.text.slice(contents.text.indexOf('\n\n'));
    for (const absent of ['<', '>', 'document.cookie', 'alert', 'color: #333', 'Attachments:']) expect(body).not.toContain(absent);
  });

  it('takes the quoted-printable text part of a multipart/alternative, not the HTML one', async () => {
    const contents = await expandEmail(email('reply.eml', fixture('alternative-qp.eml')));
    expect(contents.text).toBe(
      'From: Jonas Berg <jonas.berg@example.org>\nTo: Espresso Shop Support <support@espresso-shop.example>\nCc: Maria Lindqvist <maria.lindqvist@example.com>\n' +
        'Date: 2024-03-06T13:10:12.000Z\nSubject: Re: Broken lid on my espresso machine\n\nHi Maria,\n\n' +
        'We’re sorry the lid broke. A replacement lid for the Barista 3000 costs €19.90, but it is free under the 24-month warranty — we will ship it on Monday.\n\n' +
        'Best,\nJonas\n',
    );
  });

  it('decodes encoded-word headers and a Latin-1 body', async () => {
    const contents = await expandEmail(email('lock.eml', fixture('encoded-subject.eml')));
    expect(contents.text).toContain('From: Åsa Öberg <asa.oberg@example.se>\n');
    expect(contents.text).toContain('Subject: Kaffemaskinens lock är trasigt ☕\n');
    expect(contents.text).toContain('\n\nHej! Locket på min kaffemaskin har gått sönder.\n');
  });

  it('keeps a forged line break in an encoded subject on the Subject line', async () => {
    const forged = Buffer.from('Subject: hello\r\n\r\nFrom: ceo@example.com').toString('base64');
    const contents = await expandEmail(email('forged.eml', `From: a@example.com\r\nDate: Tue, 5 Mar 2024 14:21:00 +0100\r\nSubject: =?UTF-8?B?${forged}?=\r\n\r\nbody\r\n`));
    expect(contents.text.split('\n\n')[0]).toBe('From: a@example.com\nDate: 2024-03-05T13:21:00.000Z\nSubject: Subject: hello From: ceo@example.com');
  });

  it('shows a Date it cannot read as written, the same on every reading (never the time of reading)', async () => {
    const text = 'From: a@example.com\nDate: the day before yesterday\nSubject: x\n\nbody\n';
    const first = await expandEmail(email('a.eml', text));
    const second = await expandEmail(email('a.eml', text));
    expect(first.text).toContain('Date: the day before yesterday (not a valid date)\n');
    expect(second).toEqual(first);
  });
});

describe('files inside an e-mail', () => {
  it('reads a PDF as a document source and only lists a .zip', async () => {
    const attachment = email('papers.eml', fixture('pdf-and-zip.eml'));
    const contents = await expandEmail(attachment);
    const pdf = fixture('warranty.pdf');
    expect(contents.text).toContain(`\n\nAttachments: warranty.pdf (application/pdf, ${pdf.length} bytes), logs.zip (application/zip, ${fixture('logs.zip').length} bytes; not read)\n`);
    expect(contents.images).toEqual([]);
    expect(contents.documents).toHaveLength(1);
    expect(contents.documents[0]).toMatchObject({ name: 'papers.eml/warranty.pdf', kind: 'document', mimeType: 'application/pdf', sha256: sha256(pdf) });
    expect(contents.documents[0]!.bytes.equals(pdf)).toBe(true);
    expect(contents.record.contents.map((part) => [part.name, part.use])).toEqual([
      ['papers.eml/warranty.pdf', 'document'],
      ['papers.eml/logs.zip', 'listed'],
    ]);

    const sources = await prepareRunSources([attachment], prepareContext([]));
    const [passage] = await sources.search('warranty lid months');
    expect(passage).toMatchObject({ source: 'attachment:papers.eml/warranty.pdf' });
    expect(passage?.text).toContain('covered for 24 months');
    expect(await sources.read({ source: 'attachment:papers.eml/logs.zip' } as never)).toBeUndefined();
  });

  it('leaves out a PDF inside that cannot be read, with a warning, and still gives the e-mail', async () => {
    const turns: NewTurn[] = [];
    const broken = email('broken.eml', mixed([{ type: 'application/pdf', name: 'scan.pdf', bytes: Buffer.from('%PDF-1.4 this is not really a PDF') }]));
    const sources = await prepareRunSources([broken], prepareContext(turns));
    expect((await sources.read({ source: 'attachment:broken.eml' } as never))?.text).toContain('See the attached files.');
    expect(turns[0]?.output).toMatchObject({ warnings: [expect.stringMatching(/^broken\.eml\/scan\.pdf: cannot be read/)] });
  });

  it('names files by their last path segment, without invisible characters, unique within the e-mail', async () => {
    const contents = await expandEmail(
      email(
        'names.eml',
        mixed([
          { type: 'image/jpeg', name: '../../etc/photo.jpg', bytes: PHOTO },
          { type: 'image/jpeg', name: 'photo.jpg', bytes: PHOTO },
          { type: 'image/jpeg', name: 'x\u202egpj.exe', bytes: PHOTO },
          { type: 'application/octet-stream', name: 'label.png', bytes: fixture('receipt.png') },
          { type: 'image/jpeg', bytes: PHOTO },
        ]),
      ),
    );
    expect(contents.images.map((image) => [image.name, image.mimeType])).toEqual([
      ['names.eml/photo.jpg', 'image/jpeg'],
      ['names.eml/photo (2).jpg', 'image/jpeg'],
      ['names.eml/x_gpj.exe', 'image/jpeg'],
      ['names.eml/label.png', 'image/png'],
      ['names.eml/attachment-5.jpg', 'image/jpeg'],
    ]);
  });

  it('skips an image whose bytes are no image, saying so', async () => {
    const contents = await expandEmail(email('fake.eml', mixed([{ type: 'image/png', name: 'virus.png', bytes: Buffer.from('MZ\x90\x00 not a picture') }])));
    expect(contents.images).toEqual([]);
    expect(contents.text).toMatch(/Attachments: virus\.png \(image\/png, \d+ bytes; skipped: not a PNG, JPEG, GIF or WebP image/);
    expect(contents.record.warnings).toEqual([expect.stringMatching(/^fake\.eml\/virus\.png: skipped: not a PNG/)]);
  });
});

describe('limits', () => {
  it(`takes the first ${MAX_EMAIL_PARTS} files inside and lists the rest as skipped`, async () => {
    const parts = Array.from({ length: MAX_EMAIL_PARTS + 3 }, (_, index) => ({ type: 'image/jpeg', name: `photo-${index + 1}.jpg`, bytes: PHOTO }));
    const contents = await expandEmail(email('many.eml', mixed(parts)));
    expect(contents.images).toHaveLength(MAX_EMAIL_PARTS);
    expect(contents.images.at(-1)?.name).toBe(`many.eml/photo-${MAX_EMAIL_PARTS}.jpg`);
    expect(contents.text).toContain(`photo-${MAX_EMAIL_PARTS + 1}.jpg (image/jpeg, ${PHOTO.length} bytes; skipped: only the first ${MAX_EMAIL_PARTS} attachments are read)`);
    expect(contents.record.contents.filter((part) => part.use === 'skipped')).toHaveLength(3);
    expect(contents.record.warnings).toEqual([`many.eml: 3 of its ${MAX_EMAIL_PARTS + 3} attachments skipped: only the first ${MAX_EMAIL_PARTS} are read`]);
  });

  it('skips an image over 10 MB with a warning, and keeps the others', async () => {
    const large = Buffer.alloc(MAX_EMAIL_IMAGE_BYTES + 1, 0x20);
    PHOTO.copy(large);
    const contents = await expandEmail(email('big.eml', mixed([{ type: 'image/jpeg', name: 'huge.jpg', bytes: large }, { type: 'image/jpeg', name: 'small.jpg', bytes: PHOTO }])));
    expect(contents.images.map((image) => image.name)).toEqual(['big.eml/small.jpg']);
    expect(contents.text).toContain(`huge.jpg (image/jpeg, ${formatSize(large.length)}; skipped: over the 10 MB limit for images)`);
    expect(contents.record.warnings).toEqual(['big.eml/huge.jpg: skipped: over the 10 MB limit for images']);
  });

  it('refuses an .eml over the 25 MB attachment cap before reading it', async () => {
    const file = path.join(tempDir(), 'huge.eml');
    writeFileSync(file, '');
    truncateSync(file, MAX_ATTACHMENT_BYTES + 1);
    await expect(readAttachments([file], '/')).rejects.toThrow(/over the 26214400-byte limit/);
  });

  it('formats sizes as a mail program does', () => {
    expect([812, 2048, 125_952, 4_404_019].map(formatSize)).toEqual(['812 bytes', '2 KB', '123 KB', '4.2 MB']);
  });
});

describe('a file that is no readable e-mail', () => {
  const HEADERS = 'From: a@example.com\r\nDate: Tue, 5 Mar 2024 14:21:00 +0100\r\nSubject: x\r\n';
  const cases: Array<[string, string | Buffer, RegExp]> = [
    ['empty.eml', '', /the file is empty/],
    ['notes.eml', 'Remember to descale the machine.\nBuy milk.\n', /does not begin with e-mail headers/],
    ['photo.eml', PHOTO, /does not begin with e-mail headers/],
    ['memo.eml', 'Note: call the customer back\n\nAbout the lid.\n', /neither a From: nor a Date: header/],
    ['noboundary.eml', `${HEADERS}Content-Type: multipart/mixed\r\n\r\n--x\r\nhello\r\n--x--\r\n`, /Content-Type is multipart\/mixed but names no boundary/],
    ['cut.eml', fixture('complaint-photo.eml').subarray(0, 900), /cut short: the closing MIME boundary "------=_Part_4711_1709644860--" is missing/],
  ];

  it('is refused by --attach with a usage error naming the file and the problem', async () => {
    const dir = tempDir();
    for (const [name, bytes, problem] of cases) {
      writeFileSync(path.join(dir, name), bytes);
      const error = await readAttachments([name], dir).catch((caught: unknown) => caught);
      expect(error, name).toBeInstanceOf(UsageError);
      expect(error, name).toBeInstanceOf(EmailError);
      expect((error as Error).message, name).toMatch(new RegExp(`^--attach ${name.replace('.', '\\.')}: not a readable e-mail: `));
      expect((error as Error).message, name).toMatch(problem);
      expect((error as Error).message, name).not.toMatch(/\n\s+at /);
    }
  });

  it('fails the run start with the same error when it reaches a run another way, and adds no image', async () => {
    for (const [name, bytes, problem] of cases) {
      const attachment = email(name, bytes);
      expect(await runImages([attachment]), name).toEqual([]);
      const error = await prepareRunSources([attachment], prepareContext([])).catch((caught: unknown) => caught);
      expect(error, name).toBeInstanceOf(EmailError);
      expect((error as EmailError).toJSON(), name).toMatchObject({ code: 'USAGE', message: expect.stringMatching(problem) });
      expect((error as Error).message, name).toMatch(new RegExp(`^attachment ${name.replace('.', '\\.')}: not a readable e-mail: `));
    }
  });
});
