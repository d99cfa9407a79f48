/** The built-in tools, by name. */
import type { ToolDefinition } from '../src/tools/types.js';
import { fetchUrl } from './fetch_url.js';
import { readSource } from './read_source.js';
import { searchDocs } from './search_docs.js';
import { webSearch } from './web_search.js';

export const builtInTools: readonly ToolDefinition[] = [searchDocs, readSource, fetchUrl, webSearch] as readonly ToolDefinition[];
