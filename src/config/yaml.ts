/**
 * Reads a user's YAML file and validates it against a zod schema, so a mistake is reported with the file, the field
 * path, the line and what was expected: never a stack trace.
 */
import { isCollection, isNode, LineCounter, parseDocument, visit, type Document } from 'yaml';
import type { z } from 'zod';
import type { SourceLocation } from '../errors.js';
import { MAX_USER_FILE_BYTES, readUserFile } from './user-file.js';

/** A problem found in a file, with its location. */
export interface FileProblem {
  message: string;
  location: SourceLocation;
}

/** Formats a zod issue path as `flow[1].role`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text ? `.${String(key)}` : String(key);
  }
  return text;
}

/**
 * How many alias expansions (`*name`) one file may make. A handful of nested aliases can otherwise expand into
 * billions of nodes (the "billion laughs" file); no real config, role or prompt needs more than a few.
 */
export const MAX_ALIAS_COUNT = 100;

/** What a document nested deeper than the parser's stack is told, instead of "Maximum call stack size exceeded". */
const TOO_DEEP = 'invalid YAML: nested too deeply (lists or mappings inside one another beyond what Baton reads); expected a config of a few levels';

/**
 * Why a tag could not be read: a standard tag whose value does not fit it (`!!float 1`, which YAML 1.2 reads as an
 * integer), or a tag Baton does not read at all (`!!js/function`, `!custom`).
 */
function tagProblem(message: string): string {
  const unresolved = message.replace(/ at line \d+, column \d+:?$/, '');
  const standard = /tag:yaml\.org,2002:(str|int|float|bool|null|seq|map|binary|timestamp)\b/.exec(unresolved);
  if (standard) return `invalid YAML: the value does not fit its tag !!${standard[1]}; write the value without the tag (e.g. 1.5, true, "text")`;
  return `invalid YAML: ${unresolved}; Baton reads plain values only, without tags such as !!js/function or !custom`;
}

function isStackOverflow(text: string): boolean {
  return /maximum call stack/i.test(text);
}

/** A YAML file whose aliases expand too far, or whose conversion failed otherwise, as one problem. */
function expansionProblem(file: string, error: unknown): FileProblem {
  const text = error instanceof Error ? error.message : String(error);
  if (isStackOverflow(text)) return { message: TOO_DEEP, location: { file } };
  const message = /alias/i.test(text)
    ? `invalid YAML: its aliases (*name) expand beyond ${MAX_ALIAS_COUNT} copies, as in a "billion laughs" file; expected plain values, or a few aliases of small anchors`
    : `invalid YAML: the document cannot be read as data (${text})`;
  return { message, location: { file } };
}

/** How many distinct problems of one file are reported; the rest are counted. Later ones often follow from the first. */
export const MAX_REPORTED_PROBLEMS = 3;
/** Longest message of one problem, in characters; longer ones are cut (a YAML error quotes the source line). */
const MAX_PROBLEM_LENGTH = 300;

function cut(text: string): string {
  return text.length > MAX_PROBLEM_LENGTH ? `${text.slice(0, MAX_PROBLEM_LENGTH - 1)}…` : text;
}

/**
 * The problems worth printing: duplicates (same message at the same place) dropped, the first
 * {@link MAX_REPORTED_PROBLEMS} kept with their messages cut to a bounded length, and the number left out added to the
 * last. A file of 5000 unclosed `[` otherwise produced a 124 KB error repeating one location and message.
 */
export function summariseProblems(problems: readonly FileProblem[]): FileProblem[] {
  const seen = new Set<string>();
  const distinct: FileProblem[] = [];
  for (const problem of problems) {
    const key = JSON.stringify([problem.message, problem.location.line, problem.location.column, problem.location.path]);
    if (seen.has(key)) continue;
    seen.add(key);
    distinct.push(problem);
  }
  const kept = distinct.slice(0, MAX_REPORTED_PROBLEMS).map((problem) => ({ ...problem, message: cut(problem.message) }));
  const left = distinct.length - kept.length;
  const last = kept[kept.length - 1];
  if (left > 0 && last) kept[kept.length - 1] = { ...last, message: `${last.message} (and ${left} more problem${left > 1 ? 's' : ''} in this file; fix these first)` };
  return kept;
}

/**
 * `url: ${NAME}` inside `{ ... }` reads as a new map to YAML: when the first broken line holds `${`, the first problem
 * says to quote the value.
 */
function withReferenceHint(text: string, line: number | undefined, problems: FileProblem[]): FileProblem[] {
  const first = problems[0];
  if (!first || line === undefined || !text.split('\n')[line - 1]?.includes('${')) return problems;
  return [{ ...first, message: `${first.message} (a value holding \${NAME} must be quoted, e.g. url: "\${BATON_DATABASE_URL}")` }, ...problems.slice(1)];
}

/** A parsed YAML document that can say on which line a field path stands. */
export class YamlSource {
  readonly file: string;
  readonly value: unknown;
  private readonly document: Document;
  private readonly lines: LineCounter;

  private constructor(file: string, document: Document, lines: LineCounter) {
    this.file = file;
    this.document = document;
    this.lines = lines;
    this.value = document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  }

  /** Parses text; YAML syntax errors come back as problems with their line. */
  static parse(file: string, text: string): { source: YamlSource } | { problems: FileProblem[] } {
    const lines = new LineCounter();
    let document: Document;
    try {
      document = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    } catch (error) {
      // Nesting deep enough to exhaust the parser's stack: refused like any other broken YAML.
      const text = error instanceof Error ? error.message : String(error);
      return { problems: [{ message: isStackOverflow(text) ? TOO_DEEP : `invalid YAML: the document cannot be parsed (${text})`, location: { file } }] };
    }
    // An unknown tag (`!!js/function`, `!custom`) is only a warning to the parser, which then keeps the plain value:
    // a file meaning something Baton cannot read is refused instead of half-read.
    const refused = [...document.errors, ...document.warnings.filter((warning) => warning.code === 'TAG_RESOLVE_FAILED')];
    if (refused.length > 0) {
      return {
        problems: withReferenceHint(text, refused[0]?.linePos?.[0]?.line, summariseProblems(
          refused.map((error) => {
            const position = error.linePos?.[0];
            const first = error.message.split('\n')[0] ?? '';
            const message = isStackOverflow(first)
              ? TOO_DEEP
              : error.code === 'TAG_RESOLVE_FAILED'
                ? tagProblem(first)
                : `invalid YAML: ${first}`;
            return { message, location: { file, ...(position ? { line: position.line, column: position.col } : {}) } };
          }),
        )),
      };
    }
    const complexKey = findComplexKey(document, lines);
    if (complexKey) return { problems: [{ message: 'invalid YAML: a key that is a list or a mapping (`? [a, b]`); expected plain text keys such as `name:`', location: { file, ...complexKey } }] };
    try {
      return { source: new YamlSource(file, document, lines) };
    } catch (error) {
      return { problems: [expansionProblem(file, error)] };
    }
  }

  /** True when the file holds no value at all: empty, or only comments and blank lines. */
  get isEmpty(): boolean {
    return this.value === null || this.value === undefined;
  }

  /** The location of a field path, or of its nearest existing parent. */
  locate(path: ReadonlyArray<PropertyKey>): SourceLocation {
    const keys = path.filter((key): key is string | number => typeof key === 'string' || typeof key === 'number');
    for (let length = keys.length; length >= 0; length -= 1) {
      const node = length === 0 ? this.document.contents : this.document.getIn(keys.slice(0, length), true);
      if (isNode(node) && node.range) {
        const position = this.lines.linePos(node.range[0]);
        return { file: this.file, path: formatPath(path) || undefined, line: position.line, column: position.col };
      }
    }
    return { file: this.file, ...(path.length ? { path: formatPath(path) } : {}) };
  }

  /** Validates the document against a schema; problems name the field path and line. */
  validate<Schema extends z.ZodType>(schema: Schema): { value: z.infer<Schema> } | { problems: FileProblem[] } {
    const result = schema.safeParse(this.value ?? {}, { reportInput: true });
    if (result.success) return { value: result.data };
    return {
      problems: summariseProblems(
        result.error.issues.map((issue) => ({
          message: describeIssue(issue),
          // An unknown key is best pointed at where it stands, not at its parent.
          location: this.locate(issue.code === 'unrecognized_keys' && issue.keys[0] !== undefined ? [...issue.path, issue.keys[0]] : issue.path),
        })),
      ),
    };
  }
}

/**
 * The line and column of the first key that is a list or mapping. The parser would turn it into a string and print a
 * warning of its own on the terminal; no Baton file has such keys.
 */
function findComplexKey(document: Document, lines: LineCounter): { line: number; column: number } | undefined {
  let found: { line: number; column: number } | undefined;
  try {
    visit(document, {
      Pair(_key, pair) {
        if (!isCollection(pair.key)) return undefined;
        const position = pair.key.range ? lines.linePos(pair.key.range[0]) : undefined;
        found = position ? { line: position.line, column: position.col } : { line: 1, column: 1 };
        return visit.BREAK;
      },
    });
  } catch {
    // Too deep to walk: the conversion that follows reports it.
  }
  return found;
}

/** A zod issue in words a person can act on. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    case 'invalid_type':
      return issue.input === undefined ? `missing required field: expected ${issue.expected}` : `${issue.message}`;
    default:
      return issue.message;
  }
}

/**
 * Reads and parses a YAML file, or returns the problems. The file must be a regular file of at most `maxBytes` bytes:
 * a pipe or a device is refused before it is opened (see {@link readUserFile}).
 */
export function readYamlFile(file: string, maxBytes: number = MAX_USER_FILE_BYTES): { source: YamlSource } | { problems: FileProblem[] } {
  const read = readUserFile(file, maxBytes);
  if ('problem' in read) return { problems: [{ message: read.problem, location: { file } }] };
  return YamlSource.parse(file, read.text);
}
