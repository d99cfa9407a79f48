/**
 * Named parameters in a connector's SQL: `:name`, found by a small scanner that knows what is not a parameter, so a
 * query is never rewritten inside the text it quotes. Skipped: `::` casts (PostgreSQL), `:=` (named function
 * arguments), string literals (`'...'` with `''`, `E'...'` with backslash escapes), quoted identifiers (`"..."` and
 * SQLite's backquotes), comments (`--` and nested `/* *\/`), and dollar-quoted bodies (`$$...$$`, `$tag$...$tag$`).
 *
 * SQLite binds the names itself (better-sqlite3 takes an object); PostgreSQL's protocol only knows `$1..$n`, so the
 * text is rewritten, one number per distinct name (a name used twice is one parameter).
 */

/** The parameter the runtime's idempotency key is bound to: a write referencing it is a keyed upsert. */
export const KEY_PARAM = 'idempotency_key';

export interface ParsedSql {
  /** Distinct parameter names, in the order they first appear. */
  names: string[];
  /** The text with each `:name` replaced by `$n` (n = the name's place in {@link names}, 1-based). */
  positional: string;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;

/** Index just past the end of a quoted run starting at `start` (the opening quote), doubling the quote to escape it. */
function skipQuoted(sql: string, start: number, quote: string, backslashEscapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const char = sql[i];
    if (backslashEscapes && char === '\\') i += 2;
    else if (char === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** Index just past a (possibly nested) block comment starting at `start`. */
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql.startsWith('/*', i)) {
      depth += 1;
      i += 2;
    } else if (sql.startsWith('*/', i)) {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else i += 1;
  }
  return sql.length;
}

export function parseNamedParams(sql: string): ParsedSql {
  const names: string[] = [];
  let positional = '';
  let i = 0;
  let copiedTo = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    const previous = i > 0 ? sql[i - 1]! : '';
    if (char === "'") {
      // E'...' (PostgreSQL escape string) takes backslash escapes; an E that ends an identifier does not start one.
      const escaped = (previous === 'E' || previous === 'e') && (i < 2 || !IDENT_PART.test(sql[i - 2]!));
      i = skipQuoted(sql, i, "'", escaped);
    } else if (char === '"' || char === '`') {
      i = skipQuoted(sql, i, char, false);
    } else if (char === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (char === '/' && sql[i + 1] === '*') {
      i = skipBlockComment(sql, i);
    } else if (char === '$' && !IDENT_PART.test(previous)) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        i = end === -1 ? sql.length : end + tag[0].length;
      } else i += 1;
    } else if (char === ':' && sql[i + 1] === ':') {
      i += 2;
    } else if (char === ':' && IDENT_START.test(sql[i + 1] ?? '')) {
      let end = i + 2;
      while (end < sql.length && IDENT_PART.test(sql[end]!)) end += 1;
      const name = sql.slice(i + 1, end);
      if (!names.includes(name)) names.push(name);
      positional += `${sql.slice(copiedTo, i)}$${names.indexOf(name) + 1}`;
      copiedTo = end;
      i = end;
    } else i += 1;
  }
  positional += sql.slice(copiedTo);
  return { names, positional };
}

/** The query on one line, cut to `max` characters: what a person reads in a target line. */
export function sqlPreview(sql: string, max = 80): string {
  const line = sql.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
