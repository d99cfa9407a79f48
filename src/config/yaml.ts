/**
 * Reads a user's YAML file and validates it against a zod schema, so a mistake is reported with the file, the field
 * path, the line and what was expected: never a stack trace.
 */
import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import type { SourceLocation } from '../errors.js';

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

/** A YAML file whose aliases expand too far, or whose conversion failed otherwise, as one problem. */
function expansionProblem(file: string, error: unknown): FileProblem {
  const text = error instanceof Error ? error.message : String(error);
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
      return { problems: [{ message: `invalid YAML: the document cannot be parsed (${error instanceof Error ? error.message : String(error)})`, location: { file } }] };
    }
    if (document.errors.length > 0) {
      return {
        problems: summariseProblems(
          document.errors.map((error) => {
            const position = error.linePos?.[0];
            return {
              message: `invalid YAML: ${error.message.split('\n')[0]}`,
              location: { file, ...(position ? { line: position.line, column: position.col } : {}) },
            };
          }),
        ),
      };
    }
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

/** Reads and parses a YAML file, or returns the problems. */
export function readYamlFile(file: string): { source: YamlSource } | { problems: FileProblem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read file (${(error as Error).message})`;
    return { problems: [{ message: reason, location: { file } }] };
  }
  return YamlSource.parse(file, text);
}
