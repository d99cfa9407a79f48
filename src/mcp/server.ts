/**
 * Baton as an MCP server: the tools an MCP client (an IDE, a desktop assistant, another agent) uses to hand Baton a
 * goal and read the verified answer back. They are thin: `start_run` queues the run through the same dispatcher as
 * `POST /api/runs` (recorded `queued` before the answer, so nothing accepted is lost), and `run_status` and
 * `run_transcript` read the run store like `GET /api/runs/:id` and `baton show`. What they return is what the store
 * holds, redacted as it was written; error messages pass through the store's redactor too.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { BatonError } from '../errors.js';
import { isEndStatus } from '../graph/status.js';
import type { RunDispatcher } from '../runtime/dispatcher.js';
import { MAX_GOAL_LENGTH, validateGoal } from '../runtime/goal.js';
import type { RunStore } from '../stores/port.js';
import type { RunRecord, TurnRecord } from '../transcript/schema.js';

/** Turns `run_transcript` returns by default, and at most. */
export const DEFAULT_TRANSCRIPT_TURNS = 50;
export const MAX_TRANSCRIPT_TURNS = 500;

export interface BatonMcpServerOptions {
  store: RunStore;
  dispatcher: Pick<RunDispatcher, 'submit' | 'queuePositions'>;
  version: string;
}

/** What `run_status` says of a run: its state, whether it was verified, the answer once there is one, and totals. */
export interface RunStatusView {
  runId: string;
  goal: string;
  status: RunRecord['status'];
  /** Whether the run has reached an end state (nothing more will change). */
  finished: boolean;
  /** Whether the checker approved the answer. */
  verified: boolean;
  answer: string | null;
  citations: Array<{ marker: number; source: string; quote: string }>;
  /** The gates' last objections, when the run ended without approval. */
  objections: string[];
  error: RunRecord['error'];
  /** 1 for the next queued run to start. */
  position?: number;
  totals: { rounds: number; inputTokens: number; outputTokens: number; costUsd: number; costEstimated: boolean; durationMs: number | null };
  startedAt: string;
  endedAt: string | null;
}

export function runStatusView(record: RunRecord, position?: number): RunStatusView {
  const verification = record.result?.verification;
  return {
    runId: record.id,
    goal: record.goal,
    status: record.status,
    finished: isEndStatus(record.status),
    verified: record.status === 'approved',
    answer: record.result?.answer ?? null,
    citations: (record.result?.citations ?? []).map(({ marker, source, quote }) => ({ marker, source, quote })),
    objections: verification && !verification.verified ? verification.verdicts.flatMap((verdict) => verdict.objections) : [],
    error: record.error,
    ...(position === undefined ? {} : { position }),
    totals: { rounds: record.rounds, inputTokens: record.inputTokens, outputTokens: record.outputTokens, costUsd: record.costUsd, costEstimated: record.costEstimated, durationMs: record.durationMs },
    startedAt: record.startedAt,
    endedAt: record.endedAt,
  };
}

/** A JSON answer: as text (every client reads it) and as structured content (clients that parse it). */
function answer(value: object): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value as Record<string, unknown> };
}

/**
 * Baton's own errors become a tool error the calling model can read (`RUN_NOT_FOUND: no run with id ...`); anything
 * else is rethrown, and the SDK reports it as a failed call without Baton's internals.
 */
async function guarded(redact: (text: string) => string, work: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof BatonError)) throw error;
    const text = `${error.code}: ${error.message}${error.hint ? `\nhint: ${error.hint}` : ''}`;
    return { isError: true, content: [{ type: 'text', text: redact(text) }] };
  }
}

const RunId = z.string().min(1).max(200).describe('a run id returned by start_run');

export function createBatonMcpServer(options: BatonMcpServerOptions): McpServer {
  const { store, dispatcher } = options;
  const server = new McpServer(
    { name: 'baton', version: options.version },
    { instructions: 'Baton answers goals with a Planner, Researcher and Checker and verifies the answer. start_run queues a goal; poll run_status until finished is true; run_transcript shows how the answer was reached.' },
  );

  server.registerTool(
    'start_run',
    {
      title: 'Start a Baton run',
      description: 'Queues a goal for Baton to answer; returns the run id at once. The run executes in the background: poll run_status with the id until finished is true.',
      inputSchema: {
        goal: z.string().min(1).max(MAX_GOAL_LENGTH).describe('what you want answered, in plain words'),
        priority: z.enum(['urgent', 'normal', 'batch']).optional().describe('urgent prefers the fastest models, normal and batch the cheapest'),
      },
      // It spends model calls and records a run, but changes nothing outside Baton.
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    ({ goal, priority }) =>
      guarded(store.redact, async () => {
        const submitted = await dispatcher.submit({ goal: validateGoal(goal), ...(priority ? { labels: { priority } } : {}) });
        if ('refused' in submitted) {
          const why = submitted.refused === 'closing' ? 'Baton is stopping and accepts no new runs' : 'too many runs are waiting in the queue; try again when some have started';
          return { isError: true, content: [{ type: 'text', text: `UNAVAILABLE: ${why}` }] };
        }
        return answer({ runId: submitted.id, status: submitted.status });
      }),
  );

  server.registerTool(
    'run_status',
    {
      title: 'Status of a Baton run',
      description: 'Where a run stands: its status, whether it has finished and was verified (approved by the checker), the answer with its citations once there is one, and its totals (rounds, tokens, cost, duration).',
      inputSchema: { runId: RunId },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ runId }) =>
      guarded(store.redact, async () => {
        const record = await store.getRun(runId);
        const position = record.status === 'queued' ? (await dispatcher.queuePositions()).get(runId) : undefined;
        return answer(runStatusView(record, position));
      }),
  );

  server.registerTool(
    'run_transcript',
    {
      title: 'Transcript of a Baton run',
      description: `The turns of a run (who spoke, what they were asked and answered, their tool calls and cost), oldest first, redacted as stored. Returns the latest \`limit\` turns (default ${DEFAULT_TRANSCRIPT_TURNS}).`,
      inputSchema: { runId: RunId, limit: z.number().int().min(1).max(MAX_TRANSCRIPT_TURNS).optional().describe(`how many of the latest turns (1 to ${MAX_TRANSCRIPT_TURNS})`) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    ({ runId, limit }) =>
      guarded(store.redact, async () => {
        const record = await store.getRun(runId);
        let damaged = 0;
        const turns: TurnRecord[] = await store.turns(runId, () => (damaged += 1));
        const kept = turns.slice(-(limit ?? DEFAULT_TRANSCRIPT_TURNS));
        return answer({ runId, status: record.status, total: turns.length, omitted: turns.length - kept.length, damaged, turns: kept });
      }),
  );
  return server;
}
