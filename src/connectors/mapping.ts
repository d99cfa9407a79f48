/**
 * Data mapping with JSONata: an operation's request is built from its input, and its response mapped back, by JSONata
 * expressions written in the connector file. Every expression is compiled when the file loads, so a typo is a load
 * error showing the expression and the position of the mistake, never a failure in the middle of a run.
 *
 * Evaluation is bounded by JSONata's own guardrails (`timeout`, `stack`, `sequence` options), so a recursive or
 * exploding expression cannot hang a run.
 */
import { createRequire } from 'node:module';
import type jsonataType from 'jsonata';

// Loaded when the first expression is compiled: a project without connectors or actions (and `baton --version`)
// never loads JSONata. The package is CommonJS, so a synchronous require serves the synchronous project loader.
const require = createRequire(import.meta.url);
let loaded: typeof jsonataType | undefined;
function jsonata(...args: Parameters<typeof jsonataType>): ReturnType<typeof jsonataType> {
  loaded ??= require('jsonata') as typeof jsonataType;
  return loaded(...args);
}

/** A compiled expression and its source text. */
export interface Mapping {
  readonly source: string;
  evaluate(input: unknown, bindings?: Record<string, unknown>): Promise<unknown>;
}

/** Why an expression does not compile: the message, the position (1-based character) and the expression with a caret. */
export interface MappingProblem {
  message: string;
  position: number | undefined;
}

/** Longest a mapping may run, in milliseconds, and how deep it may recurse. */
export const MAPPING_TIMEOUT_MS = 1000;
export const MAPPING_MAX_DEPTH = 200;
/** Longest sequence a mapping may build (a runaway `[1..1e9]` is stopped). */
export const MAPPING_MAX_SEQUENCE = 100_000;

interface JsonataError {
  message?: string;
  position?: number;
  token?: string;
  code?: string;
}

/**
 * Shows the expression on a line of its own with a caret under the position (JSONata's 1-based character index), so
 * the mistake can be seen in a terminal: `\n    $sum(orders.total\n                     ^ at character 18`.
 */
export function pointAt(source: string, position: number | undefined): string {
  if (position === undefined || position < 1) return `"${source}"`;
  let offset = position;
  for (const line of source.split('\n')) {
    if (offset <= line.length + 1) return `\n    ${line}\n    ${' '.repeat(Math.max(0, offset - 1))}^ at character ${position}`;
    offset -= line.length + 1;
  }
  return `"${source}" (at character ${position})`;
}

/** Compiles an expression, or returns the problem. */
export function compileMapping(source: string): Mapping | MappingProblem {
  let expression: ReturnType<typeof jsonataType>;
  try {
    expression = jsonata(source, { timeout: MAPPING_TIMEOUT_MS, stack: MAPPING_MAX_DEPTH, sequence: MAPPING_MAX_SEQUENCE });
  } catch (error) {
    const failure = error as JsonataError;
    return { message: failure.message ?? String(error), position: typeof failure.position === 'number' ? failure.position : undefined };
  }
  const unsafe = unsafeConstruct(expression.ast());
  if (unsafe) return unsafe;
  return {
    source,
    async evaluate(input, bindings) {
      try {
        return await expression.evaluate(input, bindings);
      } catch (error) {
        const failure = error as JsonataError;
        const where = typeof failure.position === 'number' && failure.position > 0 ? ` in ${pointAt(source, failure.position)}` : ` in "${source}"`;
        throw new MappingFailure(`${failure.message ?? String(error)}${where}`, { cause: error });
      }
    },
  };
}

/**
 * A quantified group that itself holds a quantifier (`(a+)+`, `(\\w*)*`, `(a|aa)+`) can take exponential time on a
 * crafted string, and JSONata's time guard cannot interrupt a built-in that is running: the process would hang.
 */
const NESTED_QUANTIFIER = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\}|\|)(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

interface AstNode {
  type?: string;
  value?: unknown;
  position?: number;
  [key: string]: unknown;
}

/**
 * What a mapping may not do, found in its syntax tree: `$eval` (it would run text from the input, such as a model's
 * words, as an expression) and a regular expression that can backtrack exponentially.
 */
function unsafeConstruct(ast: unknown): MappingProblem | undefined {
  const seen = new Set<unknown>();
  const visit = (node: unknown): MappingProblem | undefined => {
    if (!node || typeof node !== 'object' || seen.has(node)) return undefined;
    seen.add(node);
    const current = node as AstNode;
    if (current.type === 'variable' && current.value === 'eval') return { message: '$eval runs text as an expression, so data (a model\'s words, a system\'s answer) could run as code; write the expression itself', position: current.position };
    if (current.type === 'regex' && current.value instanceof RegExp && NESTED_QUANTIFIER.test(current.value.source)) {
      return { message: `the regular expression /${current.value.source}/ repeats a group that itself repeats, which can take exponential time on some input; write it without the nested repetition`, position: current.position };
    }
    for (const child of Object.values(current)) {
      const found = Array.isArray(child) ? child.map(visit).find(Boolean) : visit(child);
      if (found) return found;
    }
    return undefined;
  };
  return visit(ast);
}

export function isMappingProblem(value: Mapping | MappingProblem): value is MappingProblem {
  return !('evaluate' in value);
}

/** A mapping that compiled but failed on its data; callers wrap it into a ConnectorError of the right code. */
export class MappingFailure extends Error {}

/**
 * The JSONata functions whose value changes from one evaluation to the next. A side effect's idempotency key is
 * derived from its mapped request, so a request built with one of them would get a new key each time the same call is
 * made again (a resume, a failover) and be sent twice: such mappings are refused for side effects.
 */
const NONDETERMINISTIC = /\$(now|millis|random)\s*\(/;

/** The first function of {@link NONDETERMINISTIC} an expression calls, or undefined. */
export function nondeterministicCall(source: string): string | undefined {
  const match = NONDETERMINISTIC.exec(source);
  return match ? `$${match[1]}()` : undefined;
}
