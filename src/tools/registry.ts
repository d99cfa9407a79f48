/**
 * Runs tools: validates input against each tool's schema, times the call and summarises the result for the
 * transcript. An unknown name or bad input is a typed error listing what was expected.
 */
import { ToolInputError, UnknownToolError, errorMessage } from '../errors.js';
import type { ToolCallRequest, ToolSpec } from '../models/types.js';
import { jsonSchemaOf, type ToolRunner } from '../roles/structured.js';
import type { ToolCallRecord } from '../transcript/schema.js';
import type { ToolContext, ToolDefinition, ToolResult } from './types.js';

export class ToolRegistry {
  private readonly tools: Map<string, ToolDefinition>;

  constructor(tools: readonly ToolDefinition[]) {
    this.tools = new Map(tools.map((tool) => [tool.name, tool]));
  }

  get names(): string[] {
    return [...this.tools.keys()];
  }

  get(name: string): ToolDefinition {
    const tool = this.tools.get(name);
    if (!tool) throw new UnknownToolError(name, this.names);
    return tool;
  }

  /** The JSON Schema of a tool's input, as models and error messages show it. */
  inputSchema(name: string): Record<string, unknown> {
    return jsonSchemaOf(this.get(name).input);
  }

  spec(name: string): ToolSpec {
    const tool = this.get(name);
    return { name: tool.name, description: tool.description, parameters: this.inputSchema(name) };
  }

  /** Validates input and runs a tool. */
  async run(name: string, input: unknown, context: ToolContext): Promise<ToolResult> {
    const tool = this.get(name);
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(input)'}: ${issue.message}`).join('; ');
      throw new ToolInputError(`input for tool "${name}" is invalid: ${problems}. Expected input: ${JSON.stringify(this.inputSchema(name))}`);
    }
    return tool.run(parsed.data, context);
  }

  /** A runner for a role's model: the named tools, run with the given context, failures returned to the model. */
  runner(names: readonly string[], context: ToolContext, now: () => number = () => performance.now()): ToolRunner {
    for (const name of names) this.get(name);
    return {
      specs: names.map((name) => this.spec(name)),
      run: async (call: ToolCallRequest): Promise<{ content: string; record: ToolCallRecord }> => {
        const started = now();
        try {
          if (!names.includes(call.name)) throw new UnknownToolError(call.name, [...names]);
          const result = await this.run(call.name, call.arguments, context);
          return {
            content: JSON.stringify(result.output),
            record: { name: call.name, arguments: call.arguments, resultSummary: result.summary, durationMs: now() - started },
          };
        } catch (error) {
          const message = errorMessage(error);
          return {
            content: JSON.stringify({ error: message }),
            record: { name: call.name, arguments: call.arguments, resultSummary: 'failed', durationMs: now() - started, error: message },
          };
        }
      },
    };
  }
}
