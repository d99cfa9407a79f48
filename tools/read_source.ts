/** `read_source`: the full text around a chunk id, or a line range of a source. */
import { z } from 'zod';
import type { SourceText } from '../src/knowledge/types.js';
import { defineTool, type ToolResult } from '../src/tools/types.js';

/** What the tool returns: the text, or why there is none. */
type ReadSourceOutput = ({ found: true } & SourceText) | { found: false; reason?: string };

/**
 * Whether a source names a file path with a `..` segment. Sources are listed as shown by search_docs (relative to the
 * project, or absolute), never with `..`; a path that climbs is an attempt to read beyond the knowledge folders.
 */
function climbsOut(source: string): boolean {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) return false;
  return source.split(/[\\/]/).includes('..');
}

export const readSource = defineTool({
  name: 'read_source',
  description: 'Read the text around a chunk id returned by search_docs, or lines of a source file.',
  // One object (not a union): OpenAI requires tool parameters to be a JSON Schema of type object.
  input: z
    .object({
      chunkId: z.string().min(1).optional().describe('a chunk id from search_docs'),
      source: z.string().min(1).optional().describe('a source path or URL, to read lines of it'),
      startLine: z.number().int().min(1).optional(),
      endLine: z.number().int().min(1).optional(),
    })
    .strict()
    .refine((input) => (input.chunkId === undefined) !== (input.source === undefined), { message: 'give either chunkId or source' }),
  async run(input, context): Promise<ToolResult<ReadSourceOutput>> {
    if (input.source !== undefined && climbsOut(input.source)) {
      return {
        output: { found: false, reason: 'source paths may not contain ".." segments; use a source or chunk id returned by search_docs' },
        summary: `refused ${input.source}: ".." in the path`,
      };
    }
    const reference = input.chunkId !== undefined ? { chunkId: input.chunkId } : { source: input.source!, ...(input.startLine ? { startLine: input.startLine } : {}), ...(input.endLine ? { endLine: input.endLine } : {}) };
    const text = await context.evidence.read(reference);
    if (!text) return { output: { found: false }, summary: 'not found' };
    context.markRead?.(text.source, text.text);
    return {
      output: { found: true, ...text },
      summary: `${text.source} lines ${text.location.startLine}-${text.location.endLine}`,
    };
  },
});
