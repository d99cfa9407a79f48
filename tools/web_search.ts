/** `web_search`: searches the web through the configured provider (a SearxNG-style JSON API); off unless configured. */
import { z } from 'zod';
import { ToolFailedError } from '../src/errors.js';
import { wrapUntrusted } from '../src/net/untrusted.js';
import { webSearch as searchTheWeb } from '../src/net/web-search.js';
import { defineTool } from '../src/tools/types.js';

export const webSearch = defineTool({
  name: 'web_search',
  description: 'Search the web. Returns titles, URLs and snippets; fetch a result with fetch_url to read and cite it.',
  input: z
    .object({
      query: z.string().min(1),
      limit: z.number().int().min(1).max(20).default(8),
    })
    .strict(),
  async run(input, context) {
    if (!context.webSearchUrl) {
      throw new ToolFailedError('web_search is off: set tools.webSearch.url in the config to a SearxNG-style search endpoint');
    }
    const results = await searchTheWeb(input.query, { baseUrl: context.webSearchUrl, limit: input.limit, ...(context.signal ? { signal: context.signal } : {}) });
    return {
      output: results.map((result) => ({ ...result, snippet: (context.wrap ?? wrapUntrusted)(result.url, result.snippet) })),
      summary: `${results.length} result(s) for "${input.query}"`,
    };
  },
});
