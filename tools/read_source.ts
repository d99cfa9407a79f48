/** `read_source`: the full text around a chunk id, or a line range of a source. */
import { z } from 'zod';
import { defineTool } from '../src/tools/types.js';

export const readSource = defineTool({
  name: 'read_source',
  description: 'Read the text around a chunk id returned by search_docs, or lines of a source file.',
  input: z.union([
    z.object({ chunkId: z.string().min(1) }).strict(),
    z
      .object({
        source: z.string().min(1),
        startLine: z.number().int().min(1).optional(),
        endLine: z.number().int().min(1).optional(),
      })
      .strict(),
  ]),
  async run(input, context) {
    const text = await context.evidence.read(input);
    if (!text) return { output: { found: false }, summary: 'not found' };
    context.markRead?.(text.source, text.text);
    return {
      output: { found: true, ...text },
      summary: `${text.source} lines ${text.location.startLine}-${text.location.endLine}`,
    };
  },
});
