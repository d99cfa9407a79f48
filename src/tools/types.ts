/**
 * The declaration of a tool: its name, what it is for, its input schema and the function that runs it. Declarations
 * live under the top-level `tools/` folder, one module per tool; `src/tools/registry.ts` validates input and runs them.
 */
import type { z } from 'zod';
import type { EvidenceSource } from '../knowledge/types.js';
import type { FetchPolicy } from '../net/policy.js';

/** What a tool may use while it runs. Injected by the runtime; tools reach for no globals. */
export interface ToolContext {
  /** Where `search_docs` and `read_source` read from. */
  evidence: EvidenceSource;
  /** Network policy for tools that fetch URLs. */
  fetchPolicy: FetchPolicy;
  /** Base URL of a web search provider (SearxNG-style JSON API), when configured. */
  webSearchUrl?: string;
  signal?: AbortSignal;
  /** Records a source the run read (a file path, chunk's source or URL) so the Checker can require citations of it. */
  markRead?: (source: string, text: string) => void;
  /**
   * Marks outside text (a page, a search snippet) as data. Default: the `<untrusted-data>` wrapper; when the run's guard
   * is on, the text is returned as it is and the guard spotlights the whole result instead.
   */
  wrap?: (source: string, text: string) => string;
}

/** A tool's result: data for the model, plus a one-line summary for the transcript. */
export interface ToolResult<Output = unknown> {
  output: Output;
  summary: string;
}

export interface ToolDefinition<Input extends z.ZodType = z.ZodType, Output = unknown> {
  name: string;
  description: string;
  input: Input;
  run(input: z.infer<Input>, context: ToolContext): Promise<ToolResult<Output>>;
}

/** Declares a tool; a typed identity function, so declarations read the same everywhere. */
export function defineTool<Input extends z.ZodType, Output>(definition: ToolDefinition<Input, Output>): ToolDefinition<Input, Output> {
  return definition;
}
