/**
 * An eval suite: a YAML file of questions, each with the facts a correct answer states and the sources it should cite,
 * or marked unanswerable from the knowledge. Read through the same YAML machinery as the config, so a mistake is
 * reported as `suite.yaml:12:7 (at questions[3].facts): ...`, never as a stack trace.
 */
import path from 'node:path';
import { z } from 'zod';
import { readYamlFile } from '../config/yaml.js';
import { ConfigError, GoalError, UsageError, type SourceLocation } from '../errors.js';
import { validateGoal } from '../runtime/goal.js';

/** Most questions one suite holds: a suite runs every question as a full run, so thousands would take hours. */
export const MAX_SUITE_QUESTIONS = 2_000;
/** Most questions run at once: each is a full run, with its own model calls. */
export const MAX_EVAL_CONCURRENCY = 8;
/** A letter or digit: what is left of a fact once case, punctuation and spacing are set aside (see eval/metrics.ts). */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** What a value read from YAML is, in words, for messages. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (an empty value)';
  if (Array.isArray(value)) return 'a list (alternatives cannot be nested)';
  if (typeof value === 'object') return 'a mapping';
  return typeof value;
}

/**
 * One entry of `facts`: a text, or a list of alternative texts of which one must appear. Whole numbers and booleans
 * (`1024`, `true`, which YAML reads as such) are taken as their text; other numbers must be quoted (`"1.50"`). An entry with no letter or digit is refused: facts
 * are compared without case, punctuation or spacing, so it would match nothing, or everything.
 */
export const FactEntry = z.unknown().transform((value, context): string[] => {
  const list = Array.isArray(value);
  const items: unknown[] = list ? value : [value];
  if (list && items.length === 0) {
    context.addIssue({ code: 'custom', message: 'an empty list of alternatives; write at least one text, e.g. ["true", enabled]' });
    return z.NEVER;
  }
  const texts: string[] = [];
  for (const [index, item] of items.entries()) {
    const at = list ? [index] : [];
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      context.addIssue({ code: 'custom', path: at, message: `expected a fact as text${list ? '' : ', or a list of alternative texts'}; got ${describeValue(item)}` });
      continue;
    }
    // YAML reads 1.50 as 1.5 and 0x10 as 16: only a whole number reads back as written; anything else must be quoted.
    if (typeof item === 'number' && !(Number.isSafeInteger(item) && !Object.is(item, -0))) {
      context.addIssue({ code: 'custom', path: at, message: `the number ${String(item)} would be compared as YAML reads it, not as written; quote it, e.g. "1.50"` });
      continue;
    }
    const text = String(item).trim();
    if (!LETTER_OR_DIGIT.test(text)) {
      context.addIssue({ code: 'custom', path: at, message: `the fact "${text}" has no letter or digit; facts are compared without case, punctuation or spacing` });
      continue;
    }
    texts.push(text);
  }
  return texts;
});

/** A question: asked as the goal of a run, so it is held to the same rules as `baton run "<goal>"`. */
const QuestionText = z.string().transform((value, context) => {
  try {
    return validateGoal(value);
  } catch (error) {
    if (!(error instanceof GoalError)) throw error;
    context.addIssue({ code: 'custom', message: error.message.replace(/^the goal/, 'the question') });
    return z.NEVER;
  }
});

export const SuiteQuestion = z
  .object({
    /** Unique within the suite; names the question in reports, `--only` and the run's tags. */
    id: z
      .string()
      .max(100, 'an id of at most 100 characters')
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'an id of letters, digits, ".", "_", ":" or "-", starting with a letter or digit (e.g. trailing-slash)'),
    question: QuestionText,
    /** False when the knowledge cannot answer it: approving any answer is then a failure. */
    answerable: z.boolean().default(true),
    /** Why the question cannot be answered; required when `answerable` is false. */
    why: z.string().trim().min(1, 'say why the question cannot be answered').optional(),
    /** Every entry must appear in the answer; an entry is a text or a list of alternatives. */
    facts: z.array(FactEntry).default([]),
    /** Path suffixes (`Reference/Server.md`); an approved answer must cite a source ending with one of them. */
    sources: z.array(z.string().trim().min(1, 'an empty source; expected a path suffix such as Reference/Server.md')).default([]),
  })
  .strict()
  .superRefine((question, context) => {
    if (question.answerable) {
      if (question.facts.length === 0) context.addIssue({ code: 'custom', path: ['facts'], message: 'an answerable question needs at least one fact its answer must state (or answerable: false with a why)' });
      if (question.sources.length === 0) context.addIssue({ code: 'custom', path: ['sources'], message: 'an answerable question needs at least one source its answer must cite, as a path suffix such as Reference/Server.md' });
      return;
    }
    if (question.why === undefined) context.addIssue({ code: 'custom', path: ['why'], message: 'missing required field: a question with answerable: false needs a why (what the knowledge lacks)' });
    if (question.facts.length > 0) context.addIssue({ code: 'custom', path: ['facts'], message: 'an unanswerable question has no facts; leave facts out or set answerable: true' });
    if (question.sources.length > 0) context.addIssue({ code: 'custom', path: ['sources'], message: 'an unanswerable question has no sources; leave sources out or set answerable: true' });
  });
export type SuiteQuestion = z.infer<typeof SuiteQuestion>;

const Share = z.number({ error: 'expected a share from 0 to 1, e.g. 0.8' }).min(0, 'expected a share from 0 to 1, e.g. 0.8').max(1, 'expected a share from 0 to 1 (0.8, not 80)');

/** Gates beyond the two that always apply (no wrong answer approved, no unanswerable question approved). */
export const SuiteThresholds = z
  .object({
    /** Least share of answerable questions approved with a correct answer. */
    approvedCorrect: Share.optional(),
    /** Least share of precise citations among the citations of approved answers. */
    citationPrecision: Share.optional(),
    /**
     * Runs that may fail (an endpoint refused, a model timed out) before the suite fails. Default 0: a broken key or
     * endpoint must not turn a CI job green.
     */
    maxFailedRuns: z.number({ error: 'expected a whole number of runs, e.g. 0' }).int('expected a whole number of runs, e.g. 0').min(0, 'expected a whole number of runs, e.g. 0').optional(),
  })
  .strict();
export type SuiteThresholds = z.infer<typeof SuiteThresholds>;

/** The suite file as written. */
export const SuiteFile = z
  .object({
    name: z.string().trim().min(1, 'the suite needs a name').max(200, 'a name of at most 200 characters'),
    description: z.string().optional(),
    /** The project config the suite runs on, relative to the suite file; `--config` overrides it. */
    config: z.string().refine((value) => value.trim() !== '', 'the path is empty; expected a baton.config.yaml relative to the suite file').optional(),
    thresholds: SuiteThresholds.default({}),
    questions: z.array(SuiteQuestion).min(1, 'the suite has no questions').max(MAX_SUITE_QUESTIONS, `at most ${MAX_SUITE_QUESTIONS} questions per suite`),
  })
  .strict();
export type SuiteFile = z.infer<typeof SuiteFile>;

/** A loaded suite: the file's content, where it came from and its config path resolved. */
export interface Suite extends Omit<SuiteFile, 'config'> {
  /** The suite file, absolute. */
  file: string;
  /** The config named in the suite, absolute; absent when the suite names none. */
  configFile?: string;
  /** Where the suite names its config, for an error when that file is missing. */
  configLocation?: SourceLocation;
}

/**
 * Reads and checks a suite file. Throws {@link SuiteError} or {@link ConfigError} (exit 78) naming the file, line, column and field path of
 * each problem, and naming both places of a duplicate id.
 */
export function loadSuite(file: string, cwd: string): Suite {
  const absolute = path.resolve(cwd, file);
  const parsed = readYamlFile(absolute);
  if ('problems' in parsed) throw suiteError(parsed.problems);
  const { source } = parsed;
  if (source.isEmpty) throw new ConfigError('the suite file is empty; expected name and questions', [{ file: absolute }], { hint: 'see "baton eval" in the README for the suite format' });
  const validated = source.validate(SuiteFile);
  if ('problems' in validated) throw suiteError(validated.problems);
  const { config, ...suite } = validated.value;
  const firstIndex = new Map<string, number>();
  for (const [index, question] of suite.questions.entries()) {
    const earlier = firstIndex.get(question.id);
    if (earlier === undefined) {
      firstIndex.set(question.id, index);
      continue;
    }
    throw new ConfigError(`duplicate question id "${question.id}"; every id must be unique`, [source.locate(['questions', earlier, 'id']), source.locate(['questions', index, 'id'])]);
  }
  return {
    ...suite,
    file: absolute,
    ...(config !== undefined ? { configFile: path.resolve(path.dirname(absolute), config), configLocation: source.locate(['config']) } : {}),
  };
}

/** `file:line:column (at path)`, as every Baton file error writes a place. */
function formatPlace(location: SourceLocation): string {
  const position = location.line !== undefined ? `:${location.line}${location.column !== undefined ? `:${location.column}` : ''}` : '';
  return `${location.file}${position}${location.path ? ` (at ${location.path})` : ''}`;
}

/**
 * A suite file with problems. A {@link ConfigError} (code CONFIG_INVALID, exit 78) whose message puts each problem on
 * its own line after its own place: a suite often has several at once, and "a, b, c: x; y; z" leaves the reader to pair
 * them up.
 */
export class SuiteError extends ConfigError {
  constructor(problems: ReadonlyArray<{ message: string; location: SourceLocation }>) {
    super(problems.map((problem) => problem.message).join('; '), problems.map((problem) => problem.location), { hint: 'see "baton eval" in the README for the suite format' });
    if (problems.length > 1) this.message = problems.map((problem) => `${formatPlace(problem.location)}: ${problem.message}`).join('\n');
  }
}

function suiteError(problems: ReadonlyArray<{ message: string; location: SourceLocation }>): SuiteError {
  return new SuiteError(problems);
}

/**
 * The questions `--only` names, in suite order; all of them when `only` is absent. An id the suite does not hold is a
 * {@link UsageError} listing the ids it does.
 */
export function selectQuestions(suite: Pick<Suite, 'questions'>, only?: readonly string[]): SuiteQuestion[] {
  if (only === undefined) return suite.questions;
  const known = new Set(suite.questions.map((question) => question.id));
  const unknown = only.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    const listed = [...known].slice(0, 20).join(', ');
    throw new UsageError(`--only names ${unknown.length > 1 ? 'questions' : 'a question'} the suite does not hold: ${unknown.join(', ')}. The suite's ids: ${listed}${known.size > 20 ? ', ...' : ''}`);
  }
  const wanted = new Set(only);
  return suite.questions.filter((question) => wanted.has(question.id));
}
