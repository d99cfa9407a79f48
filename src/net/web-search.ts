/**
 * Web search through a SearxNG-style JSON API (`GET <base>/search?q=…&format=json`). The provider is one the user
 * configured (often self-hosted on their own network), so it is called with plain `fetch`; the pages it points at are
 * then read with `safeFetch`, which applies the fetch policy.
 */
import { z } from 'zod';
import { ToolFailedError } from '../errors.js';

/** One search hit. */
export interface WebSearchResult {
  title: string;
  url: string;
  snippet: string;
}

/** The part of a SearxNG response Baton reads; other fields are ignored. */
const SearchResponse = z.object({
  results: z.array(
    z.object({
      title: z.string().optional(),
      url: z.string(),
      content: z.string().optional(),
    }),
  ),
});

/** A `fetch`-shaped function, injectable for tests. */
export type FetchFunction = (input: string, init?: { signal?: AbortSignal; headers?: Record<string, string> }) => Promise<Response>;

/** Options of {@link webSearch}. */
export interface WebSearchOptions {
  /** Base URL of the provider, e.g. `http://localhost:8888`. */
  baseUrl: string;
  fetch?: FetchFunction;
  signal?: AbortSignal;
  /** Results returned at most. Default 10. */
  limit?: number;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Searches the web. Results without an http(s) URL are dropped; duplicates (same URL) are kept once. Throws
 * `ToolFailedError` naming the provider when it cannot be reached, answers with an error status or with JSON that is
 * not a search response.
 */
export async function webSearch(query: string, options: WebSearchOptions): Promise<WebSearchResult[]> {
  const fetchFunction: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  const endpoint = new URL('search', options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
  endpoint.searchParams.set('q', query);
  endpoint.searchParams.set('format', 'json');
  const where = `${endpoint.origin}${endpoint.pathname}`;
  let response: Response;
  try {
    response = await fetchFunction(endpoint.href, { signal: options.signal, headers: { accept: 'application/json' } });
  } catch (error) {
    throw new ToolFailedError(`the web search provider at ${where} could not be reached: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
      hint: 'check webSearch.url in the Baton config and that the provider is running',
    });
  }
  if (!response.ok) {
    throw new ToolFailedError(`the web search provider at ${where} answered HTTP ${response.status}`, {
      hint: response.status === 403 ? 'SearxNG needs `json` in search.formats of its settings.yml' : undefined,
    });
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch (error) {
    throw new ToolFailedError(`the web search provider at ${where} did not answer with JSON`, { cause: error });
  }
  const parsed = SearchResponse.safeParse(body);
  if (!parsed.success) {
    throw new ToolFailedError(`the web search provider at ${where} answered with an unexpected shape: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const limit = options.limit ?? 10;
  const seen = new Set<string>();
  const results: WebSearchResult[] = [];
  for (const hit of parsed.data.results) {
    if (results.length >= limit) break;
    if (!isHttpUrl(hit.url) || seen.has(hit.url)) continue;
    seen.add(hit.url);
    results.push({ title: (hit.title ?? hit.url).trim(), url: hit.url, snippet: (hit.content ?? '').replace(/\s+/g, ' ').trim() });
  }
  return results;
}
