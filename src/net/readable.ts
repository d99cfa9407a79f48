/**
 * Readable text from HTML: the words a person reads on the page, in order, without scripts, styles and site chrome.
 * Used for fetched pages and for HTML files in the knowledge base. Headings come out as `#` lines and list items as
 * `- ` lines, so the Markdown-aware chunker splits HTML the same way it splits Markdown.
 */
import * as cheerio from 'cheerio';

/** The readable content of a page. */
export interface ReadablePage {
  title: string;
  /** Blocks separated by blank lines. */
  text: string;
  /** Absolute http(s) links on the page, in order, without duplicates or fragments. */
  links: Array<{ text: string; url: string }>;
}

/** The parts of a parsed node this module reads; cheerio's nodes have these fields. */
interface DomNode {
  type: string;
  name?: string;
  data?: string;
  children?: DomNode[];
}

const dropped = new Set(['script', 'style', 'nav', 'aside', 'noscript', 'template', 'svg', 'iframe', 'object', 'canvas', 'head', 'select', 'button']);
/** Page chrome that is dropped unless it sits inside the main content (an article's own header is content). */
const chrome = new Set(['header', 'footer']);
const blocks = new Set([
  'address', 'article', 'blockquote', 'body', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset',
  'figcaption', 'figure', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'footer', 'hr', 'html', 'li', 'main', 'ol',
  'p', 'pre', 'section', 'summary', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul',
]);
const maximumLinks = 500;

/** Accumulates blocks of text while walking the tree. */
class TextCollector {
  readonly blocks: string[] = [];
  private inline = '';
  private prefix = '';

  append(text: string): void {
    this.inline += text;
  }

  /** Ends the current block; the pending prefix goes on the first non-empty block. */
  flush(): void {
    const text = this.inline.replace(/\s+/g, ' ').trim();
    this.inline = '';
    if (text === '') return;
    this.blocks.push(this.prefix + text);
    this.prefix = '';
  }

  startBlock(prefix: string): void {
    this.flush();
    this.prefix = prefix;
  }

  /** Appends preformatted text as its own block, keeping its line breaks. */
  preformatted(text: string): void {
    this.flush();
    const kept = text.replace(/\r\n?/g, '\n').replace(/[ \t]+$/gm, '').replace(/^\n+|\n+$/g, '');
    if (kept !== '') this.blocks.push(kept);
  }

  get hasInline(): boolean {
    return this.inline.trim() !== '';
  }
}

function rawText(node: DomNode): string {
  if (node.type === 'text') return node.data ?? '';
  if (node.type !== 'tag' || dropped.has(node.name ?? '')) return '';
  if (node.name === 'br') return '\n';
  return (node.children ?? []).map(rawText).join('');
}

function walk(node: DomNode, collector: TextCollector, insideContent: boolean): void {
  if (node.type === 'text') {
    collector.append(node.data ?? '');
    return;
  }
  if (node.type !== 'tag' && node.type !== 'root') return;
  const name = node.name ?? '';
  if (dropped.has(name)) return;
  if (chrome.has(name) && !insideContent) return;
  const content = insideContent || name === 'article' || name === 'main';
  if (name === 'br') {
    collector.flush();
    return;
  }
  if (name === 'pre') {
    collector.preformatted(rawText(node));
    return;
  }
  const heading = /^h([1-6])$/.exec(name);
  if (heading) collector.startBlock(`${'#'.repeat(Number(heading[1]))} `);
  else if (name === 'li') collector.startBlock('- ');
  else if (name === 'blockquote') collector.startBlock('> ');
  else if (blocks.has(name)) collector.flush();
  else if ((name === 'td' || name === 'th') && collector.hasInline) collector.append(' | ');
  else if (name === 'img') return;
  for (const child of node.children ?? []) walk(child, collector, content);
  if (blocks.has(name) || heading) collector.flush();
  else if (name === 'td' || name === 'th') collector.append(' ');
}

function collapse(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Extracts the readable text, title and links of an HTML page. `baseUrl` resolves relative links (and `<base href>`
 * when the page has one); without it only absolute links are kept.
 */
export function readableText(html: string, baseUrl?: string): ReadablePage {
  const $ = cheerio.load(html);
  const title = collapse($('title').first().text()) || collapse($('h1').first().text());
  let base = baseUrl;
  const declaredBase = $('base[href]').first().attr('href');
  if (declaredBase) {
    try {
      base = new URL(declaredBase, baseUrl).href;
    } catch {
      // A malformed <base> is ignored, as browsers do.
    }
  }
  const links: ReadablePage['links'] = [];
  const seen = new Set<string>();
  $('a[href]').each((_index, element) => {
    if (links.length >= maximumLinks) return;
    const href = $(element).attr('href') ?? '';
    let url: URL;
    try {
      url = new URL(href, base);
    } catch {
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
    url.hash = '';
    if (seen.has(url.href)) return;
    seen.add(url.href);
    links.push({ text: collapse($(element).text()), url: url.href });
  });
  const collector = new TextCollector();
  const root = $.root()[0] as unknown as DomNode;
  walk(root, collector, false);
  collector.flush();
  return { title, text: collector.blocks.join('\n\n'), links };
}
