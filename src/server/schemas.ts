/**
 * The shapes of what the API accepts: request bodies and query strings, as strict zod schemas. Everything that comes
 * over HTTP is `safeParse`d through these, and the OpenAPI description is generated from the same schemas.
 */
import { z } from 'zod';
import { RunStatus } from '../graph/state.js';
import { RunLabels } from '../routing/needs.js';
import { MAX_GOAL_LENGTH } from '../runtime/run.js';
import { ApiError } from './errors.js';

/** A file sent with a goal, as base64 (see `attachments.ts` for the media types accepted). */
export const Attachment = z
  .object({
    name: z.string().min(1).max(255).meta({ description: 'A plain file name, e.g. notes.md; documents are cited as attachment:<name>.' }),
    mimeType: z.string().min(1).max(255).meta({ description: 'image/png|jpeg|gif|webp, audio/mpeg|wav|mp4|ogg|flac|webm, text/markdown, text/plain or application/pdf.' }),
    dataBase64: z.string().meta({ description: 'The file, base64-encoded (at most 25 MiB decoded).' }),
  })
  .strict();
export type Attachment = z.infer<typeof Attachment>;

/** `POST /api/runs`. The goal's length and emptiness are checked by `validateGoal`, so the CLI and API agree. */
export const CreateRunBody = z
  .object({
    goal: z.string().meta({ description: 'What you want answered.', minLength: 1, maxLength: MAX_GOAL_LENGTH }),
    attachments: z.array(Attachment).max(16).optional().meta({ description: 'Images for vision models, audio to transcribe, documents to use as sources.' }),
    labels: RunLabels.optional().meta({ description: 'Labels that steer routing: confidential, priority, budgetUsd, deadlineMs.' }),
  })
  .strict();
export type CreateRunBody = z.infer<typeof CreateRunBody>;

/** Status of a run as the API reports it: the recorded statuses, plus `queued` for runs waiting for a slot. */
export const ApiRunStatus = z.enum(['queued', ...RunStatus.options]);
export type ApiRunStatus = z.infer<typeof ApiRunStatus>;

/** An instant given in a query string: any date `Date` can parse, normalised to the ISO form the store compares. */
const Instant = z
  .string()
  .refine((text) => !Number.isNaN(Date.parse(text)), { message: 'expected an ISO date or timestamp, e.g. 2025-01-31 or 2025-01-31T12:00:00Z' })
  .transform((text) => new Date(text).toISOString());

export const ListRunsQuery = z
  .object({
    status: ApiRunStatus.optional(),
    since: Instant.optional(),
    until: Instant.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .strict();
export type ListRunsQuery = z.infer<typeof ListRunsQuery>;

export const StatsQuery = z
  .object({
    since: Instant.optional(),
    until: Instant.optional(),
  })
  .strict();
export type StatsQuery = z.infer<typeof StatsQuery>;

/** `GET /api/runs/:id/events` accepts a resume point, like the `Last-Event-ID` header. */
export const EventsQuery = z
  .object({
    after: z.coerce.number().int().min(0).optional(),
  })
  .strict();

export const RunIdParams = z
  .object({
    id: z.string().min(1).max(200),
  })
  .strict();

/**
 * Parses outside data, or throws a 400 whose message names the field and what was wrong with it, and for unknown
 * fields which ones are accepted.
 */
export function parseRequest<Schema extends z.ZodType>(schema: Schema, value: unknown, where: string): z.infer<Schema> {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const messages = parsed.error.issues.slice(0, 3).map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const accepted = schema instanceof z.ZodObject ? Object.keys(schema.shape as Record<string, unknown>) : [];
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => `"${key}"`).join(', ')} in the ${where}${accepted.length ? ` (accepted: ${accepted.join(', ')})` : ''}`;
    }
    if (issue.code === 'invalid_type' && issue.path.length === 0) return `the ${where} must be a JSON object`;
    const field = issue.path.map(String).join('.');
    if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) return `${field} is required`;
    return `${field ? `${field}: ` : ''}${issue.message}`;
  });
  throw new ApiError(400, 'USAGE', `invalid ${where}: ${messages.join('; ')}`);
}
