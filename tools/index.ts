/** The built-in tools, by name. */
import type { ToolDefinition } from '../src/tools/types.js';
import { readSource } from './read_source.js';
import { searchDocs } from './search_docs.js';

export const builtInTools: readonly ToolDefinition[] = [searchDocs, readSource] as readonly ToolDefinition[];
