/** `search_docs`: searches the knowledge base for passages that answer a query. */
import { z } from 'zod';
import { defineTool } from '../src/tools/types.js';

export const searchDocs = defineTool({
  name: 'search_docs',
  description: 'Search the knowledge base. Returns passages with their source path, line range and chunk id, best first.',
  input: z
    .object({
      query: z.string().min(1).describe('what to look for, in words'),
      limit: z.number().int().min(1).max(20).default(6).describe('how many passages at most'),
    })
    .strict(),
  async run(input, context) {
    const passages = await context.evidence.search(input.query, { limit: input.limit, ...(context.signal ? { signal: context.signal } : {}) });
    for (const passage of passages) context.markRead?.(passage.source, passage.text);
    return {
      output: passages,
      summary: `${passages.length} passage(s)${passages.length ? ` from ${[...new Set(passages.map((passage) => passage.source))].join(', ')}` : ''}`,
    };
  },
});
