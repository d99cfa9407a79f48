/**
 * The names of the built-in tools, without their implementations: role files are checked against this list at load,
 * and loading a project must stay light (the tools pull in the fetch client and the knowledge base).
 * A test keeps it equal to the names in `builtInTools`.
 */
export const BUILT_IN_TOOL_NAMES: readonly string[] = ['search_docs', 'read_source', 'fetch_url', 'web_search'];
