/**
 * The shapes of what the API accepts: request bodies and query strings, as strict zod schemas. Everything that comes
 * over HTTP is `safeParse`d through these, and the OpenAPI description is generated from the same schemas.
 */
import { z } from 'zod';
import { RunStatus } from '../graph/status.js';
import { RunLabels } from '../routing/needs.js';
import { MAX_GOAL_LENGTH } from '../runtime/goal.js';
import { describeCodePoint, findCharacter, isControlCharacter, isInvisibleOrFormatCharacter } from '../text/control-characters.js';
import { ApiError, MAX_PATH_PARAMETER_LENGTH } from './errors.js';
import { describeRequestIssue, findForbiddenKey, forbiddenKeyMessage, schemaAt } from './request-issues.js';

/** A file sent with a goal, as base64 (see `attachments.ts` for the media types accepted). */
export const Attachment = z
  .object({
    name: z.string().min(1).max(255).meta({ description: 'A plain file name, e.g. notes.md; documents are cited as attachment:<name>.' }),
    mimeType: z.string().min(1).max(255).meta({ description: 'image/png|jpeg|gif|webp, audio/mpeg|wav|mp4|ogg|flac|webm, text/markdown, text/plain or application/pdf.' }),
    dataBase64: z.string().meta({ description: 'The file, base64-encoded (at most 25 MiB decoded).' }),
  })
  .strict();
export type Attachment = z.infer<typeof Attachment>;

/**
 * Labels as the API accepts them: the routing labels, with a budget that must be positive (as `baton run --budget`
 * requires) and a deadline after the epoch; that the deadline is still ahead is checked against the server's clock
 * by {@link checkDeadline}.
 */
export const ApiRunLabels = RunLabels.extend({
  budgetUsd: z.number().positive().optional().meta({ description: 'Dollars the whole run may spend; more than 0.' }),
  deadlineMs: z.number().int().positive().optional().meta({ description: 'Absolute deadline in epoch milliseconds (e.g. Date.now() + 60000); must be in the future.' }),
}).strict();

/** Refuses a deadline that has already passed: the run would end `budget_exceeded` before doing anything. */
export function checkDeadline(labels: { deadlineMs?: number | undefined } | undefined, now: Date): void {
  const deadline = labels?.deadlineMs;
  if (deadline === undefined || deadline > now.getTime()) return;
  throw new ApiError(400, 'USAGE', `invalid request body: labels.deadlineMs: ${new Date(deadline).toISOString()} is already past (the server's time is ${now.toISOString()})`, {
    hint: 'deadlineMs is an absolute time in epoch milliseconds, e.g. Date.now() + 60000 for one minute from now',
  });
}

/** `POST /api/runs`. The goal's length and emptiness are checked by `validateGoal`, so the CLI and API agree. */
export const CreateRunBody = z
  .object({
    goal: z.string().meta({ description: 'What you want answered.', minLength: 1, maxLength: MAX_GOAL_LENGTH }),
    attachments: z.array(Attachment).max(16).optional().meta({ description: 'Images for vision models, audio to transcribe, documents to use as sources.' }),
    labels: ApiRunLabels.optional().meta({ description: 'Labels that steer routing: confidential, priority, budgetUsd, deadlineMs.' }),
  })
  .strict();
export type CreateRunBody = z.infer<typeof CreateRunBody>;

/** Status of a run as the API reports it: the recorded statuses (queued runs are recorded too). */
export const ApiRunStatus = RunStatus;
export type ApiRunStatus = z.infer<typeof ApiRunStatus>;

/** The longest note or reason a decision may carry. */
export const MAX_DECISION_TEXT = 4000;

/** A refinement refusing the first character `refuse` matches, naming it and where it stands. */
function refuseCharacters(refuse: (codePoint: number) => boolean, what: string) {
  return (text: string, context: z.RefinementCtx): void => {
    const found = findCharacter(text, refuse);
    if (found) context.addIssue({ code: 'custom', message: `${describeCodePoint(found.codePoint)} at character ${found.position} is not allowed (${what})` });
  };
}

/** Text a person writes with a decision: anything but control characters other than newlines and tabs. */
const DecisionText = z
  .string()
  .max(MAX_DECISION_TEXT)
  .superRefine(refuseCharacters((codePoint) => isControlCharacter(codePoint) && codePoint !== 0x0a && codePoint !== 0x0d && codePoint !== 0x09, 'no control characters; newlines and tabs are fine'));

/**
 * `POST /api/runs/:id/decision`: a person's decision at the human gate a run waits at. A rejection must say why (the
 * reason goes back to the planner as an objection); an approval may carry a note.
 */
export const DecisionBody = z
  .object({
    decision: z.enum(['approve', 'reject']).meta({ description: 'Approve the plan or draft shown, or reject it (the run goes back to the planner).' }),
    note: DecisionText.optional().meta({ description: 'An approval\'s note, recorded with the decision.' }),
    reason: DecisionText.optional().meta({ description: 'Why the plan or draft is rejected; required with "reject". The planner sees it as an objection.' }),
    by: z
      .string()
      .trim()
      .min(1, 'is blank: expected who decides, e.g. "ana"')
      .max(200)
      .superRefine(refuseCharacters(isInvisibleOrFormatCharacter, 'a name holds no control, format or invisible characters'))
      .optional()
      .meta({ description: 'Who decides; default the API token\'s label (api:<8 hex digits of its SHA-256>) or "api".' }),
    round: z
      .number()
      .int()
      .min(1)
      .optional()
      .meta({
        description:
          'The round of the request the person saw (`round` in GET /api/decisions). When given and the run now waits at another round (the plan was rejected and re-planned meanwhile), the decision is refused with 409 DECISION_STALE instead of landing on a request nobody saw.',
      }),
  })
  .strict()
  .superRefine((body, context) => {
    if (body.decision === 'reject') {
      if (body.reason === undefined || body.reason.trim() === '') {
        const inNote = body.note !== undefined && body.note.trim() !== '';
        context.addIssue({
          code: 'custom',
          path: ['reason'],
          message: inNote ? 'a rejection takes its reason in "reason", not in "note"' : 'a rejection needs a reason: say what is wrong, e.g. "the plan misses pricing"',
        });
      } else if (body.note !== undefined) {
        context.addIssue({ code: 'custom', path: ['note'], message: 'a rejection carries its text in "reason" only; leave "note" out' });
      }
    } else if (body.reason !== undefined) {
      context.addIssue({ code: 'custom', path: ['reason'], message: '"reason" is for rejections; an approval may carry a "note"' });
    }
  });
export type DecisionBody = z.infer<typeof DecisionBody>;

/** An instant given in a query string: any date `Date` can parse, normalised to the ISO form the store compares. */
const Instant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO date or timestamp, e.g. 2025-01-31 or 2025-01-31T12:00:00Z' })
  .transform((text) => new Date(text).toISOString());

/** An `until` before `since` is a mistake (the window is empty), not a question whose answer is "no runs". */
function windowInOrder(query: { since?: string | undefined; until?: string | undefined }): boolean {
  return query.since === undefined || query.until === undefined || query.since <= query.until;
}
const WINDOW_ORDER = { path: ['until'], message: 'must not be before since (the window would be empty)' };

export const ListRunsQuery = z
  .object({
    status: ApiRunStatus.optional(),
    since: Instant.optional(),
    until: Instant.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict()
  .refine(windowInOrder, WINDOW_ORDER);
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

export const StatsQuery = z
  .object({
    since: Instant.optional(),
    until: Instant.optional(),
  })
  .strict()
  .refine(windowInOrder, WINDOW_ORDER);
export type StatsQuery = z.infer<typeof StatsQuery>;

/** `GET /api/runs/:id/events` accepts a resume point, like the `Last-Event-ID` header. */
export const EventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export const RunIdParams = z
  .object({
    id: z.string().min(1).max(MAX_PATH_PARAMETER_LENGTH),
  })
  .strict();

/**
 * Parses outside data, or throws a 400 whose message names each wrong field by its full path (`labels.deadline`),
 * what was expected and what was received; an unknown field lists the names accepted at its level, and a key that
 * could reach a prototype (`__proto__`, `constructor`, `prototype`) is refused by name.
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown, where: string): z.infer<Schema> {
  const forbidden = findForbiddenKey(value);
  if (forbidden) throw new ApiError(400, 'USAGE', `invalid ${where}: ${forbiddenKeyMessage(forbidden, where)}`);
  const parsed = schema.safeParse(value ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const messages = issues.slice(0, 3).map((issue) => describeRequestIssue(issue, schema, where));
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more problem${issues.length > 4 ? 's' : ''})` : '';
  throw new ApiError(400, 'USAGE', `invalid ${where}: ${messages.join('; ')}${more}`);
}

/**
 * Parses a query string like {@link parseRequest}, after refusing what a schema would misread: a parameter given twice
 * (`?limit=1&limit=2` arrives as an array) and one given empty (`?limit=` would be coerced to 0).
 */
export function parseQuery<Schema extends z.ZodType>(schema: Schema, query: unknown): z.infer<Schema> {
  if (typeof query === 'object' && query !== null && !Array.isArray(query)) {
    for (const [name, value] of Object.entries(query)) {
      // Unknown and forbidden names are left to parseRequest, which lists the accepted ones.
      if (schemaAt(schema, [name]) === undefined) continue;
      if (Array.isArray(value)) throw new ApiError(400, 'USAGE', `invalid query string: the parameter "${name}" is given ${value.length} times; give it once`);
      if (value === '') throw new ApiError(400, 'USAGE', `invalid query string: the parameter "${name}" is empty; give it a value or leave it out`);
    }
  }
  return parseRequest(schema, query, 'query string');
}
