/**
 * What the obedient model was shown, piece by piece: the passages of its task that its prompt shows (line by line,
 * read through any marking), and the sources inside its tool results (a fetched page, a connector's records, passages,
 * a source read, search hits), each with its source id, so an instruction's "this document" and a claim's citation
 * name the right one.
 */
import { recordText } from '../../src/graph/action.js';
import type { ChatMessage } from '../../src/models/types.js';
import { normaliseForQuote } from '../../src/roles/evidence.js';
import { readThrough } from './instructions.js';

/** A piece of text the model was shown, and where it came from when the messages say so. */
export interface Unit {
  source?: string;
  text: string;
}

/** The lines Baton wraps untrusted text in (the old tag and note, the spotlight's boundaries). */
const WRAPPER_LINE = /^\s*(?:<\/?untrusted-data\b|Note: the block above|[«‹]\/?data\b)/;

/** A message's text (the text parts of a multimodal one). */
export function textOf(message: ChatMessage): string {
  return typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
}

/** A tool's text without the runtime's untrusted-data wrapper lines. */
export function unwrapped(text: string): string {
  return readThrough(text)
    .split('\n')
    .filter((line) => !WRAPPER_LINE.test(line))
    .join('\n')
    .trim();
}

/** A tool result as JSON, read as it is or through its marking. */
export function parsed(content: string): unknown {
  for (const candidate of [content, unwrapped(content)]) {
    try {
      return JSON.parse(candidate) as unknown;
    } catch {
      // the next reading
    }
  }
  return undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The sources a tool result shows: a page, a connector's records, passages, a source read, search hits. */
export function toolUnits(content: string): Unit[] {
  const value = parsed(content);
  if (Array.isArray(value)) {
    return value.filter(isRecord).map((item) => ({
      ...(typeof item['source'] === 'string' ? { source: item['source'] } : typeof item['url'] === 'string' ? { source: item['url'] } : {}),
      text: unwrapped([item['title'], item['text'], item['snippet']].filter((part) => typeof part === 'string').join('\n')),
    }));
  }
  if (!isRecord(value)) return [{ text: content }];
  if (typeof value['url'] === 'string' && typeof value['text'] === 'string') return [{ source: value['url'], text: unwrapped(value['text']) }];
  if (typeof value['source'] === 'string' && Array.isArray(value['records'])) {
    const operation = value['source'];
    const noun = operation.slice(operation.indexOf('.') + 1).replace(/[_-]+/g, ' ');
    const result = value['result'];
    const items = Array.isArray(result) ? result : [result];
    return value['records'].map(String).map((record) => {
      const id = record.slice(record.indexOf('#') + 1);
      const item = items.find((candidate) => isRecord(candidate) && String(candidate['id']) === id) ?? items[0];
      return { source: record, text: `${noun} ${id}\n${recordText(item)}` };
    });
  }
  if (typeof value['source'] === 'string' && typeof value['text'] === 'string') return [{ source: value['source'], text: unwrapped(value['text']) }];
  return [{ text: content }];
}

/** The lines of `text` that `seen` (the normalised messages) shows; empty when none. */
export function visibleLines(text: string, seen: string): string {
  const lines = text.split('\n').filter((line) => {
    const normal = normaliseForQuote(readThrough(line));
    return normal !== '' && ` ${seen} `.includes(` ${normal} `);
  });
  return lines.join('\n');
}

/** Words too common to tell a claim's content from its quotes'. */
const STOP = new Set(['the', 'and', 'for', 'with', 'are', 'has', 'have', 'was', 'were', 'its', 'this', 'that', 'from', 'into', 'can', 'not', 'but', 'all', 'any', 'each', 'per', 'within', 'their', 'they', 'you', 'your', 'our']);
/** The content words of a text, normalised as quotes are compared. */
export function words(text: string): string[] {
  return normaliseForQuote(text)
    .split(' ')
    .filter((word) => (word.length >= 3 || /\d/.test(word)) && !STOP.has(word));
}
