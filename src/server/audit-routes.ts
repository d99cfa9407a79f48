/**
 * `GET /api/audit` and `GET /api/audit/summary`: the audit trail across runs (guard decisions, call approvals, gate
 * decisions) with the filters of `baton audit`, as JSON or JSON lines, and its counts over time for the dashboard.
 * Both need the API token like every other `/api` route (the app's request hook checks it before these run).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AuditAction, AuditKind, AuditSurface, type AuditEntry } from '../audit/entry.js';
import { describeSkipped } from '../audit/extract.js';
import { listAudit, type AuditFilter } from '../audit/list.js';
import { summariseAudit } from '../audit/summary.js';
import { INSTANT_EXPECTED, readInstant } from '../audit/window.js';
import type { DamagedRecord, RunStore } from '../stores/port.js';
import { ApiError, MAX_PATH_PARAMETER_LENGTH } from './errors.js';
import { describeReceived } from './request-issues.js';
import { parseQuery } from './schemas.js';

export interface AuditRouteContext {
  store: RunStore;
  /** The server's clock: `since=24h` is 24 hours before it. */
  clock: () => Date;
}

/** Entries one request answers with at most. */
export const MAX_AUDIT_LIMIT = 100_000;
export const DEFAULT_AUDIT_LIMIT = 1000;
const NDJSON = 'application/x-ndjson';

/** An instant as the query string gives it: checked here, read against the server's clock in the handler. */
const InstantText = z.string().refine((text) => readInstant(text, new Date()) !== undefined, { error: (issue) => `expected ${INSTANT_EXPECTED}; received ${describeReceived(issue.input)}` });

const AuditFilterFields = {
  run: z.string().min(1).max(MAX_PATH_PARAMETER_LENGTH).optional().meta({ description: 'Only this run.' }),
  kind: AuditKind.optional().meta({ description: 'guard (a guard decision), approval (a person on a connector call) or gate (a decision at a human gate).' }),
  action: AuditAction.optional().meta({ description: "A guard's action, or a person's decision (approve, reject)." }),
  surface: AuditSurface.optional().meta({ description: 'Only guard decisions on this surface.' }),
  since: InstantText.optional().meta({ description: `Entries at or after this instant: ${INSTANT_EXPECTED}.` }),
  until: InstantText.optional().meta({ description: 'Entries before this instant, written like since.' }),
};

/** `GET /api/audit`. */
export const AuditQuery = z
  .object({
    ...AuditFilterFields,
    limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).default(DEFAULT_AUDIT_LIMIT).meta({ description: 'The newest entries listed at most (still oldest first).' }),
    format: z.enum(['json', 'jsonl']).optional().meta({ description: `jsonl answers with one entry per line (${NDJSON}), as does the header Accept: ${NDJSON}.` }),
  })
  .strict();

/** `GET /api/audit/summary`. */
export const AuditSummaryQuery = z
  .object({
    ...AuditFilterFields,
    bucket: z.enum(['hour', 'day']).default('day').meta({ description: 'The width of a time bucket (UTC).' }),
  })
  .strict();

/** The filter a query describes, its instants read against `now`; a 400 when the window is empty by construction. */
function filterOf(query: z.infer<typeof AuditSummaryQuery> | z.infer<typeof AuditQuery>, now: Date): AuditFilter {
  const since = query.since !== undefined ? readInstant(query.since, now) : undefined;
  const until = query.until !== undefined ? readInstant(query.until, now) : undefined;
  if (since && until && until < since) throw new ApiError(400, 'USAGE', 'invalid query string: until: must not be before since (the window would be empty)');
  return {
    ...(query.run !== undefined ? { runId: query.run } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.surface ? { surface: query.surface } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
  };
}

/** Whether the client asked for JSON lines in its Accept header. */
function acceptsNdjson(request: FastifyRequest): boolean {
  const accept = request.headers.accept ?? '';
  return accept.split(',').some((part) => part.split(';')[0]?.trim().toLowerCase() === NDJSON);
}

async function readAudit(store: RunStore, filter: AuditFilter): Promise<{ entries: AuditEntry[]; damaged: DamagedRecord[] }> {
  const damaged: DamagedRecord[] = [];
  const entries = await listAudit(store, filter, {
    onDamaged: (record) => damaged.push(record),
    onSkipped: (skipped) => damaged.push({ runId: skipped.runId, seq: skipped.seq, reason: `${describeSkipped(skipped)} is malformed (${skipped.reason})` }),
  });
  return { entries, damaged };
}

export function registerAuditRoutes(app: FastifyInstance, context: AuditRouteContext): void {
  const { store } = context;

  app.get('/api/audit', async (request, reply) => {
    const query = parseQuery(AuditQuery, request.query);
    const filter = filterOf(query, context.clock());
    // One more than asked tells whether older entries were left out.
    const { entries, damaged } = await readAudit(store, { ...filter, limit: query.limit + 1 });
    const truncated = entries.length > query.limit;
    const page = truncated ? entries.slice(1) : entries;
    void reply.header('vary', 'accept');
    if (query.format === 'jsonl' || (query.format === undefined && acceptsNdjson(request))) {
      // JSON lines carry no envelope: whether older entries were left out (raise `limit`, or page with `until`) and how
      // many damaged records were skipped travel as headers.
      void reply.header('x-baton-truncated', String(truncated)).header('x-baton-damaged', String(damaged.length));
      return reply.type(`${NDJSON}; charset=utf-8`).send(page.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    }
    return { entries: page, truncated, damaged };
  });

  app.get('/api/audit/summary', async (request) => {
    const query = parseQuery(AuditSummaryQuery, request.query);
    const now = context.clock();
    const filter = filterOf(query, now);
    const { entries, damaged } = await readAudit(store, filter);
    const window = { ...(filter.since ? { since: filter.since } : {}), until: filter.until ?? now };
    return { ...summariseAudit(entries, query.bucket, window), since: filter.since?.toISOString() ?? null, until: window.until.toISOString(), damaged };
  });
}
