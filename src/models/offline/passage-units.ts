/**
 * Reads a passage (a Markdown chunk) into the units the offline researcher may quote: prose sentences, table rows and
 * code (fenced blocks, code lines, sentences that are only inline code), each with the heading it sits under and its
 * neighbouring sentences. Headings, link lists, table separators, front matter, HTML comments and HTML-only lines are
 * never units. One pass over the lines, so linear in the passage.
 *
 * A unit's `quote` is its text exactly as in the passage, except that line breaks and the markers at the start of a
 * line (`>`, `-`, `1.`) may be gone: the evidence check compares quotes after removing punctuation and collapsing
 * whitespace, and leaving out a leading marker keeps a quote a contiguous part of its source.
 */
import { termsOf } from './terms.js';

/** A heading a unit sits under, or the header row of a table. */
export interface Context {
  /** Verbatim text (a heading without its `#` marks, a header row as written). */
  quote: string;
  /** Markdown removed; the words are those of the quote. */
  display: string;
  terms: Set<string>;
}

/** A quotable unit of a passage. */
export interface Unit {
  kind: 'prose' | 'row' | 'code';
  quote: string;
  display: string;
  terms: Set<string>;
  heading: Context | undefined;
  /** For a table row: the header row, and the cells of both, to pair them up. */
  header?: Context & { cells: string[] };
  cells?: string[];
  /** The prose sentence before this one in the same section; `joined` is the two as one quote when contiguous. */
  previous?: { unit: Unit; joined?: string };
  /** The prose sentence after this one in the same paragraph. */
  next?: Unit;
}

/** What a passage holds: its units and the heading in force at its end (for a passage that follows it). */
export interface ReadPassage {
  units: Unit[];
  trailingHeading: Context | undefined;
}

const ATX_HEADING = /^\s{0,3}(#{1,6})(?:\s+(.*?))?\s*$/;
const SETEXT_UNDERLINE = /^\s{0,3}(?:=+|-+)\s*$/;
const THEMATIC_BREAK = /^\s{0,3}([-*_])(?:\s*\1){2,}\s*$/;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const TABLE_SEPARATOR = /^\s*\|?\s*:?-{1,}:?\s*(?:\|\s*:?-{1,}:?\s*)+\|?\s*$|^\s*\|\s*:?-{2,}:?\s*\|\s*$/;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,9}[.)])\s+/;
/** Admonition fences, reference link definitions, HTML-only lines: structure, not statements. */
const STRUCTURE_LINE = /^\s*(?::::|!!!|\?\?\?)|^\s*\[[^\]]+\]:\s*\S+|^\s*(?:<\/?[A-Za-z][^>]*>\s*)+$/;
/** Lower-case words that start a shell command or a line of code, never a sentence. */
const CODE_START =
  /^(?:import|export|const|let|var|function|def|class|return|package|public|private|async|await|npm|npx|yarn|pnpm|pip|pip3|git|curl|wget|docker|sudo|kubectl|helm|cargo|brew|apt|apt-get|echo|cd|mkdir|\$)\s+\S/;
const ABBREVIATION = /(?:^|\s|\()(?:e\.g|i\.e|etc|vs|cf|approx|incl|fig|no|nr|mr|mrs|ms|dr|st|jr|sr|ca|al|resp|[A-Za-z])\.$/i;
/** A sentence end: `.`, `!` or `?` (with closing marks) before whitespace and a capital, digit or opening mark; or a CJK full stop. */
const SENTENCE_END = /([.!?]+["')\]*_`]*)(\s+)(?=[\p{Lu}\p{N}"'`([*_])|([。！？]+)(\s*)/gu;

/** Words of a text, for the fragment rule; a run of CJK characters counts one word per two characters. */
export function wordCount(text: string): number {
  let count = 0;
  for (const token of text.match(/[\p{L}\p{N}]+/gu) ?? []) {
    const cjk = token.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
    count += cjk > 0 ? Math.ceil(cjk / 2) + (token.length - cjk > 0 ? 1 : 0) : 1;
  }
  return count;
}

/** Inline Markdown removed for display: links to their text, emphasis and code marks, HTML tags. Never adds a word. */
export function stripInline(text: string): string {
  // Links first: their text may hold code (`[`close`](./Server.md#close)`), their target never does.
  const parts = text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]+)\]\[[^\]]*\]/g, '$1')
    .split(/(`+[^`]*?`+)/);
  return parts
    .map((part, index) => {
      if (index % 2 === 1) return part.replace(/^`+|`+$/g, '');
      return part
        .replace(/<\/?[A-Za-z][^>]*>/g, ' ')
        .replace(/\*{1,3}(\S(?:[^*]*?\S)?)\*{1,3}/g, '$1')
        .replace(/(^|[^\p{L}\p{N}_])_{1,3}(\S(?:[^_]*?\S)?)_{1,3}(?![\p{L}\p{N}_])/gu, '$1$2')
        .replace(/\\([\\`*_{}[\]()#+\-.!|>])/g, '$1');
    })
    .join('')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Whether a line or sentence is code rather than prose (a command, a statement, only inline code). */
export function isCodeOnly(text: string): boolean {
  const trimmed = text.trim();
  if (!trimmed) return false;
  // A link counts as the words of its label (a link list is not code), its target as nothing.
  const outsideCode = trimmed.replace(/!?\[([^\]]*)\]\([^)]*\)/g, (_, label: string) => label.replace(/`/g, '')).replace(/`+[^`]*?`+/g, ' ');
  if (trimmed.includes('`') && !/\p{L}/u.test(outsideCode)) return true;
  const proseWords = outsideCode.split(/\s+/).filter((token) => /^[("']?\p{L}[\p{L}'’-]*[.,;:!?)"']*$/u.test(token)).length;
  if (CODE_START.test(trimmed) && proseWords < 6) return true;
  if (/^[}\])]|[{}]\s*$|\);?\s*$/.test(outsideCode.trim()) && proseWords < 4) return true;
  const symbols = outsideCode.match(/[{}()[\];=<>$|&\\"]/g)?.length ?? 0;
  const visible = outsideCode.replace(/\s+/g, '').length;
  return visible > 0 && symbols / visible >= 0.08 && proseWords < 4;
}

/**
 * Whether a line reads as code even inside a paragraph, where a wrapped sentence may continue: a comment, a line
 * opening with an object or array, an object literal's `key: value,`, a line that opens a block. {@link isCodeOnly}
 * judges a line on its own, so it is used only where no sentence is left open.
 */
export function isCodeLine(line: string): boolean {
  const trimmed = line.trim();
  return (
    /^(?:\/\/|\/\*|\*\/|#!|<\?)/.test(trimmed) ||
    /^[{[](?:\s*["'{[\d]|\s*$)/.test(trimmed) ||
    (/^["']?[\w$-]+["']?\s*:\s*(?:["'{[\d`(]|true\b|false\b|null\b|function\b|\w+\()/.test(trimmed) && /[,{[(]\s*$/.test(trimmed)) ||
    (/[{[]\s*$/.test(trimmed) && /[=:(]/.test(trimmed))
  );
}

/**
 * Where a passage that starts inside a fenced block (a chunk cut from the middle of one) has its closing fence: an odd
 * number of fence lines whose first is a bare fence after lines that read as code. -1 when the passage does not.
 */
function openFenceEnd(lines: readonly string[], from: number): number {
  const fences: number[] = [];
  for (let index = from; index < lines.length; index += 1) if (FENCE.test(lines[index]!)) fences.push(index);
  const first = fences[0];
  if (first === undefined || fences.length % 2 === 0 || !/^\s*(?:`{3,}|~{3,})\s*$/.test(lines[first]!)) return -1;
  const before = lines.slice(from, first).filter((line) => line.trim());
  const code = before.filter((line) => isCodeLine(line) || isCodeOnly(line) || /^(?: {2,}|\t)/.test(line) || /[,;{}()[\]]\s*$/.test(line.trim())).length;
  return before.length > 0 && code * 2 >= before.length ? first : -1;
}

/** Whether a sentence is mostly links: fewer than three words of its own outside them. */
function isLinkList(text: string): boolean {
  const links = text.match(/!?\[[^\]]*\]\([^)]*\)|<https?:[^>]+>|https?:\/\/\S+/g);
  if (!links) return false;
  const outside = text.replace(/!?\[[^\]]*\]\([^)]*\)|<https?:[^>]+>|https?:\/\/\S+/g, ' ');
  const own = (outside.match(/\p{L}{2,}/gu) ?? []).filter((word) => !/^(?:see|also|and|or|the|a|an|more|here|docs?|at|in|on|for)$/i.test(word));
  return own.length < 3;
}

function context(quote: string): Context | undefined {
  const trimmed = quote.trim();
  const display = stripInline(trimmed);
  return display ? { quote: trimmed, display, terms: termsOf(display, trimmed) } : undefined;
}

function tableCells(row: string): string[] {
  return row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/)
    .map((cell) => stripInline(cell));
}

/** The lines of front matter at the start of a passage (`---` YAML or `+++` TOML), or 0 when there is none. */
function frontMatterLength(lines: readonly string[]): number {
  const marker = lines[0]?.trim();
  if (marker !== '---' && marker !== '+++') return 0;
  for (let index = 1; index < lines.length && index < 60; index += 1) {
    const line = lines[index]!;
    if (line.trim() === marker) return index + 1;
    if (line.trim() && !/^\s*[\w"'.-]+\s*[:=]|^\s*-\s|^\s+\S/.test(line)) return 0;
  }
  return 0;
}

/** Splits a paragraph's flattened text into sentence spans. */
function sentenceSpans(flat: string): Array<{ start: number; end: number }> {
  const spans: Array<{ start: number; end: number }> = [];
  let start = 0;
  for (const match of flat.matchAll(SENTENCE_END)) {
    const mark = match[1] ?? match[3] ?? '';
    const gap = match[2] ?? match[4] ?? '';
    const end = match.index + mark.length;
    if (mark === '.' && ABBREVIATION.test(flat.slice(Math.max(start, end - 12), end))) continue;
    if (end > start) spans.push({ start, end });
    start = end + gap.length;
  }
  if (start < flat.length) spans.push({ start, end: flat.length });
  return spans;
}

/**
 * Reads a passage. `inherited` is the heading in force where the passage starts when the passage itself opens without
 * one (a paragraph chunk that follows its heading's chunk).
 */
export function readPassage(text: string, inherited?: Context): ReadPassage {
  const lines = text.split(/\r?\n/);
  const units: Unit[] = [];
  let heading = inherited;
  /** The last prose sentence of the current section, for a sentence that opens the next paragraph. */
  let sectionLast: Unit | undefined;
  let prose: string[] = [];
  /** Whether the open paragraph is a list item (a `---` under it is a rule, not a heading underline). */
  let proseIsItem = false;
  let code: string[] = [];
  let table: string[] = [];
  let fence = '';
  let inComment = false;

  const flushProse = (): void => {
    if (prose.length === 0) return;
    const flat = prose.join(' ');
    // A list item that opens with a link is a catalog entry ("[`arecibo`](…) ping responder for Kubernetes …"): it
    // describes what it links to, not the subject of the page, so it answers nothing.
    const catalogEntry = proseIsItem && /^(?:[-*+]|\d+[.)])?\s*!?\[[^\]]*\]\([^)]*\)/.test(flat.trim());
    prose = [];
    proseIsItem = false;
    if (catalogEntry) return;
    let before: { unit: Unit; start: number } | undefined;
    for (const span of sentenceSpans(flat)) {
      const quote = flat.slice(span.start, span.end).trim();
      if (!quote || quote.includes('<!--') || isLinkList(quote)) {
        before = undefined;
        continue;
      }
      const display = stripInline(quote);
      if (!/[\p{L}\p{N}]/u.test(display)) continue;
      const kind = isCodeOnly(quote) ? 'code' : 'prose';
      const unit: Unit = { kind, quote, display, terms: termsOf(display, quote), heading };
      if (kind === 'prose') {
        if (before) {
          unit.previous = { unit: before.unit, joined: flat.slice(before.start, span.end).trim() };
          before.unit.next = unit;
        } else if (sectionLast) unit.previous = { unit: sectionLast };
        before = { unit, start: span.start };
        sectionLast = unit;
      } else before = undefined;
      units.push(unit);
    }
  };
  const flushCode = (): void => {
    if (code.length === 0) return;
    const unit = codeUnit(code, heading);
    if (unit) units.push(unit);
    code = [];
    // "This will output:" after a code block is about the code, not the sentence before it.
    sectionLast = undefined;
  };
  const flushTable = (): void => {
    if (table.length === 0) return;
    const hasHeader = table.length > 1 && TABLE_SEPARATOR.test(table[1]!);
    const headerLine = hasHeader ? table[0]! : undefined;
    const header = headerLine !== undefined ? context(headerLine) : undefined;
    for (const row of table.slice(hasHeader ? 2 : 0)) {
      if (TABLE_SEPARATOR.test(row)) continue;
      const cells = tableCells(row);
      const display = cells.filter(Boolean).join('; ');
      if (!/[\p{L}\p{N}]/u.test(display)) continue;
      units.push({
        kind: 'row',
        quote: row.trim(),
        display,
        terms: termsOf(display, row),
        heading,
        cells,
        ...(header && headerLine !== undefined ? { header: { ...header, cells: tableCells(headerLine) } } : {}),
      });
    }
    table = [];
    sectionLast = undefined;
  };
  const flushAll = (): void => {
    flushProse();
    flushCode();
    flushTable();
  };

  const start = frontMatterLength(lines);
  const fenceEnd = openFenceEnd(lines, start);
  if (fenceEnd >= 0) {
    code = lines.slice(start, fenceEnd);
    flushCode();
  }
  for (let index = fenceEnd >= 0 ? fenceEnd + 1 : start; index < lines.length; index += 1) {
    const line = lines[index]!;
    if (inComment) {
      if (line.includes('-->')) inComment = false;
      continue;
    }
    if (fence) {
      if (FENCE.exec(line)?.[1]?.startsWith(fence[0]!) && line.trim().length >= fence.length && /^[`~]+$/.test(line.trim())) {
        fence = '';
        flushCode();
      } else code.push(line);
      continue;
    }
    const trimmed = line.trim();
    if (!trimmed) {
      flushAll();
      continue;
    }
    if (trimmed.startsWith('<!--')) {
      flushAll();
      if (!trimmed.includes('-->')) inComment = true;
      continue;
    }
    const fenceOpen = FENCE.exec(line);
    if (fenceOpen) {
      flushAll();
      fence = fenceOpen[1]!;
      continue;
    }
    const atx = ATX_HEADING.exec(line);
    if (atx) {
      flushAll();
      heading = context((atx[2] ?? '').replace(/\s+#+$/, ''));
      sectionLast = undefined;
      continue;
    }
    if (SETEXT_UNDERLINE.test(line) && prose.length === 1 && !proseIsItem && code.length === 0) {
      heading = context(prose[0]!);
      prose = [];
      sectionLast = undefined;
      continue;
    }
    const isTableLine = (trimmed.startsWith('|') && trimmed.length > 1) || (table.length > 0 && trimmed.includes('|')) || (trimmed.includes('|') && TABLE_SEPARATOR.test(lines[index + 1] ?? ''));
    if (isTableLine) {
      flushProse();
      flushCode();
      table.push(line);
      continue;
    }
    if (THEMATIC_BREAK.test(line) || STRUCTURE_LINE.test(line) || TABLE_SEPARATOR.test(line)) {
      flushAll();
      continue;
    }
    flushTable();
    const content = trimmed.replace(/^(?:>\s?)+/, '');
    const item = LIST_ITEM.exec(content);
    if (item) flushAll();
    const body = item ? content.slice(item[0].length) : content;
    const indentedCode = /^(?: {4}|\t)/.test(line) && prose.length === 0 && !item && !LIST_ITEM.test(lines[index - 1] ?? '');
    const afterSentence = prose.length === 0 || /[.!?:]$/.test(prose[prose.length - 1]!);
    if (isCodeLine(body) || ((indentedCode || (afterSentence && !/[.!?]$/.test(body))) && isCodeOnly(body))) {
      code.push(line);
      continue;
    }
    flushCode();
    if (item) proseIsItem = true;
    if (body) prose.push(body);
  }
  flushAll();
  return { units, trailingHeading: heading };
}

/** A code unit from consecutive code lines, cut to the first dozen lines so a claim stays readable; none when blank. */
function codeUnit(lines: readonly string[], heading: Context | undefined): Unit | undefined {
  let kept = lines.filter((line, index) => line.trim() || (index > 0 && index < lines.length - 1));
  while (kept.length > 0 && !kept[kept.length - 1]!.trim()) kept = kept.slice(0, -1);
  const shown: string[] = [];
  let length = 0;
  for (const line of kept) {
    if (shown.length >= 12 || (shown.length > 0 && length + line.length > 600)) break;
    shown.push(line);
    length += line.length + 1;
  }
  const quote = shown.join('\n').trim();
  if (!quote) return undefined;
  const display = quote.replace(/\s+/g, ' ');
  return { kind: 'code', quote, display, terms: termsOf(display), heading };
}
