/**
 * Connector operations as tools a role's model may call (`tools: [crm.purchase_history]` in the role file). The model
 * sees each as `connector__operation` with the operation's JSON Schema; its call goes through `invokeOperation`, so a
 * side effect a model asks for is as exactly-once and as approval-bound as an action stage's. A failure goes back to
 * the model as a tool error it can act on; a person's decision the call waits for (LangGraph's interrupt) is not a
 * failure and propagates.
 */
import { isGraphInterrupt } from '@langchain/langgraph';
import { BatonError, RunLeaseLostError, StoreUnavailableError, UnknownToolError, errorMessage } from '../errors.js';
import type { ToolCallRequest, ToolSpec } from '../models/types.js';
import type { ToolRunner } from '../roles/structured.js';
import type { ToolCallRecord } from '../transcript/schema.js';
import { CallCounter, invokeOperation, type CallSite, type Invocation } from './invoke.js';
import { operationIdOf, toolNameOf, type ConnectorSet } from './set.js';

/** Longest result text handed back to a model; longer results are cut (the whole result stays a source). */
export const MAX_TOOL_RESULT_CHARS = 20_000;

export interface OperationToolsOptions {
  /** Told of each result's sources (`op` and `op#id` → text), to join the run's sources. */
  onResult: (invocation: Invocation) => void;
  now: () => number;
}

/** The tool specs and runner of the given operations, for one turn (one call counter, so keys repeat on replay). */
export async function operationTools(set: ConnectorSet, ids: readonly string[], site: CallSite, options: OperationToolsOptions): Promise<ToolRunner> {
  const operations = await Promise.all(ids.map((id) => set.operation(id)));
  const counter = new CallCounter();
  const specs: ToolSpec[] = operations.map((operation) => ({
    name: toolNameOf(operation.id),
    description: `${operation.description || operation.id}${operation.sideEffect ? ' (changes something outside; may need a person\'s approval)' : ''}. Cite its records as ${operation.id}#<id>.`,
    parameters: operation.inputSchema,
  }));
  return {
    specs,
    async run(call: ToolCallRequest): Promise<{ content: string; record: ToolCallRecord }> {
      const started = options.now();
      const id = operationIdOf(call.name, ids);
      try {
        const operation = operations.find((candidate) => candidate.id === id);
        if (!operation) throw new UnknownToolError(call.name, specs.map((spec) => spec.name));
        const invocation = await invokeOperation(operation, call.arguments, site, counter);
        options.onResult(invocation);
        const content = JSON.stringify({ source: operation.id, records: invocation.result.records.map((record) => `${operation.id}#${record.id}`), result: invocation.result.output });
        return {
          content: content.length > MAX_TOOL_RESULT_CHARS ? `${content.slice(0, MAX_TOOL_RESULT_CHARS)}… (cut; cite the records listed)` : content,
          record: { name: operation.id, arguments: call.arguments, resultSummary: `${invocation.result.summary}${invocation.replayed ? ' (recorded earlier; not sent again)' : ''}`, durationMs: options.now() - started },
        };
      } catch (error) {
        if (isGraphInterrupt(error)) throw error;
        // The store went away or another process holds the run: the turn stops here and is resumed, not answered.
        if (error instanceof StoreUnavailableError || error instanceof RunLeaseLostError) throw error;
        if (site.signal?.aborted) throw error;
        const message = errorMessage(error);
        const code = error instanceof BatonError ? error.code : 'TOOL_FAILED';
        return {
          content: JSON.stringify({ error: message, code }),
          record: { name: id ?? call.name, arguments: call.arguments, resultSummary: 'failed', durationMs: options.now() - started, error: message },
        };
      }
    },
  };
}
