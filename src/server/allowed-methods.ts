/**
 * Which methods each route path accepts, so that a wrong method on a real path (`DELETE /api/runs`,
 * `GET /api/runs/x/cancel`) is answered 405 with an `Allow` header rather than 404 "no such endpoint": the path is
 * right, and the client should learn which method is.
 */

interface RoutePath {
  segments: string[];
  methods: Set<string>;
}

/** Route paths as registered (`/api/runs/:id/cancel`), matched against request paths the way the router does. */
export class AllowedMethods {
  private readonly paths = new Map<string, RoutePath>();

  /** Records a route; call it from an `onRoute` hook so every route, HEAD ones included, is seen. */
  add(url: string, method: string | readonly string[]): void {
    const entry = this.paths.get(url) ?? { segments: url.split('/'), methods: new Set<string>() };
    for (const name of typeof method === 'string' ? [method] : method) entry.methods.add(name.toUpperCase());
    this.paths.set(url, entry);
  }

  /** The methods the request path (without its query) accepts, sorted; empty when no route has this path. */
  for(requestPath: string): string[] {
    const segments = requestPath.split('/').map(decodeSegment);
    const allowed = new Set<string>();
    for (const route of this.paths.values()) {
      if (matches(route.segments, segments)) for (const method of route.methods) allowed.add(method);
    }
    return [...allowed].sort();
  }
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function matches(pattern: readonly string[], segments: ReadonlyArray<string | undefined>): boolean {
  if (pattern.length !== segments.length) return false;
  return pattern.every((part, index) => {
    const segment = segments[index];
    if (segment === undefined) return false;
    return part.startsWith(':') ? segment !== '' : part === segment;
  });
}
