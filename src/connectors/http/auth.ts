/**
 * Credentials of the http connector, added in `execute` only (never in a prepared call), and read from the sealed
 * store at call time so a rotated secret takes effect without a restart: bearer, basic, an API key header, or OAuth2
 * client credentials.
 *
 * OAuth2: the access token is fetched from `tokenUrl` (form-encoded `grant_type=client_credentials`, the client id and
 * secret, `scope`/`audience` when set), kept per connector until `expires_in` minus a margin (or, without
 * `expires_in`, until the API answers 401), and shared by concurrent calls (one token request, not one per call).
 */
import { ConnectorError } from '../errors.js';
import { retryAfterMs, Transient } from '../retry.js';
import type { HttpAuth } from '../schema.js';
import type { ConnectorDeps } from '../types.js';
import { connectorError, excerpt, reason } from './failures.js';
import { isJsonType } from './request.js';

/** A token is renewed this long before it expires (at most half its lifetime), so it does not lapse in flight. */
export const TOKEN_MARGIN_MS = 30_000;

/** The credential of one attempt. */
export interface Credential {
  /** Lower-case header name. */
  header: string;
  value: string;
  /** Exact values to scrub from any text quoted back (the secret, an encoded pair, an access token). */
  sensitive: string[];
  /** OAuth2: the access token used, so a 401 drops exactly it and not a newer one. */
  token?: string;
}

export interface AuthProvider {
  /** The header the credential goes in (lower case), kept out of prepared calls; undefined without auth. */
  readonly header: string | undefined;
  credential(signal: AbortSignal): Promise<Credential | undefined>;
  /** After a 401: drops the token the attempt used; true when a fresh credential may help (OAuth2 only). */
  invalidate(credential: Credential): boolean;
  /** Forgets cached tokens. */
  clear(): void;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

export function createAuth(connector: string, auth: HttpAuth | undefined, deps: ConnectorDeps): AuthProvider {
  if (!auth) return { header: undefined, credential: async () => undefined, invalidate: () => false, clear: () => {} };
  switch (auth.type) {
    case 'bearer':
      return staticAuth('authorization', () => {
        const secret = deps.secrets.reveal(auth.secret);
        return { header: 'authorization', value: `Bearer ${secret}`, sensitive: [secret] };
      });
    case 'basic':
      return staticAuth('authorization', () => {
        const secret = deps.secrets.reveal(auth.secret);
        const pair = Buffer.from(`${auth.username}:${secret}`, 'utf8').toString('base64');
        return { header: 'authorization', value: `Basic ${pair}`, sensitive: [secret, pair] };
      });
    case 'header':
      return staticAuth(auth.header.toLowerCase(), () => {
        const secret = deps.secrets.reveal(auth.secret);
        return { header: auth.header.toLowerCase(), value: secret, sensitive: [secret] };
      });
    case 'oauth2':
      return oauth2(connector, auth, deps);
  }
}

function staticAuth(header: string, make: () => Credential): AuthProvider {
  return { header, credential: async () => make(), invalidate: () => false, clear: () => {} };
}

function oauth2(connector: string, auth: Extract<HttpAuth, { type: 'oauth2' }>, deps: ConnectorDeps): AuthProvider {
  const now = deps.now ?? Date.now;
  let cached: CachedToken | undefined;
  let pending: Promise<CachedToken> | undefined;

  async function fetchToken(signal: AbortSignal): Promise<CachedToken> {
    const secret = deps.secrets.reveal(auth.secret);
    const sensitive = [secret];
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: auth.clientId, client_secret: secret });
    if (auth.scope) form.set('scope', auth.scope);
    if (auth.audience) form.set('audience', auth.audience);
    const where = `${connector}: the token endpoint ${auth.tokenUrl}`;
    const started = now();
    let response: Response;
    try {
      response = await (deps.fetch ?? fetch)(auth.tokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        // The client secret is in the body: a redirect must not carry it elsewhere.
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error instanceof Error ? error.message : String(error));
      throw new Transient(connectorError('CONNECTOR_UNAVAILABLE', `${where} could not be reached (${cause})`, { operation: connector, retryable: true }, deps.redact, { sensitive }));
    }
    const text = await response.text();
    const status = response.status;
    if (status === 429 || status >= 500) {
      throw new Transient(connectorError('CONNECTOR_UNAVAILABLE', `${where} answered ${status} ${reason(status)}: ${excerpt(text, deps.redact, sensitive)}`, { operation: connector, status, retryable: true }, deps.redact, { sensitive }), retryAfterMs(response.headers.get('retry-after'), now()));
    }
    if (status < 200 || status >= 300) {
      throw connectorError('CONNECTOR_REJECTED', `${where} refused the client credentials: ${status} ${reason(status)}: ${excerpt(text, deps.redact, sensitive)}`, { operation: connector, status }, deps.redact, { sensitive, hint: `check clientId and the secret stored as ${auth.secret}` });
    }
    // The body holds the access token: it is never quoted.
    let parsed: { access_token?: unknown; expires_in?: unknown } | undefined;
    try {
      parsed = isJsonType(response.headers.get('content-type')) || text.trimStart().startsWith('{') ? (JSON.parse(text) as typeof parsed) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed.access_token !== 'string' || !parsed.access_token) {
      throw new ConnectorError('CONNECTOR_RESPONSE_INVALID', `${where} answered ${status} without an access_token in a JSON body`, { operation: connector, status });
    }
    const lifetime = Number(parsed.expires_in) * 1000;
    const expiresAt = Number.isFinite(lifetime) && lifetime > 0 ? started + lifetime - Math.min(TOKEN_MARGIN_MS, lifetime / 2) : Number.POSITIVE_INFINITY;
    return { token: parsed.access_token, expiresAt };
  }

  return {
    header: 'authorization',
    async credential(signal) {
      if (!cached || now() >= cached.expiresAt) {
        pending ??= fetchToken(signal).finally(() => {
          pending = undefined;
        });
        cached = await pending;
      }
      const token = cached.token;
      return { header: 'authorization', value: `Bearer ${token}`, sensitive: [token, deps.secrets.reveal(auth.secret)], token };
    },
    invalidate(credential) {
      if (cached?.token === credential.token) cached = undefined;
      return true;
    },
    clear() {
      cached = undefined;
    },
  };
}
