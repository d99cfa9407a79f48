/**
 * API tokens: where they come from, when they are required, and how a request's bearer token is checked. A server
 * reachable from other machines must not run goals (and spend model money) for anyone who can reach the port, so
 * binding beyond loopback without tokens is refused outright.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { errorMessage } from '../errors.js';
import { ServerConfigError } from './errors.js';

/** The environment variable holding comma-separated API tokens. */
export const API_TOKENS_ENV = 'BATON_API_TOKENS';

/** Tokens shorter than this are refused: they could be guessed. */
export const MIN_TOKEN_LENGTH = 16;

export interface TokenSources {
  /** Tokens given directly (library use and tests). */
  tokens?: readonly string[];
  /** A file with one token per line (blank lines and `#` comments ignored). */
  tokensFile?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** Every configured token, from all sources together, deduplicated. Throws when a token file is unreadable or a token is weak. */
export function resolveApiTokens(sources: TokenSources): string[] {
  const tokens = [...(sources.tokens ?? [])];
  const fromEnv = sources.env?.[API_TOKENS_ENV];
  if (fromEnv) tokens.push(...fromEnv.split(','));
  if (sources.tokensFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(sources.tokensFile, 'utf8');
    } catch (error) {
      throw new ServerConfigError(`cannot read the API token file ${sources.tokensFile}: ${errorMessage(error)}`, { hint: 'give a readable file with one token per line' });
    }
    tokens.push(...text.split(/\r?\n/).filter((line) => !line.trimStart().startsWith('#')));
  }
  const cleaned = [...new Set(tokens.map((token) => token.trim()).filter((token) => token !== ''))];
  const weak = cleaned.filter((token) => token.length < MIN_TOKEN_LENGTH).length;
  if (weak > 0) {
    // Never echo the token itself: it may be a real secret pasted in the wrong place.
    throw new ServerConfigError(`${weak} API token${weak > 1 ? 's are' : ' is'} shorter than ${MIN_TOKEN_LENGTH} characters`, {
      hint: 'generate one with: node -e "console.log(crypto.randomBytes(24).toString(\'base64url\'))"',
    });
  }
  return cleaned;
}

/** Whether a listen address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare.toLowerCase().startsWith('::ffff:127.');
  return false;
}

/** Refuses a non-loopback bind without tokens, with a message that says both ways out. */
export function assertSafeBinding(host: string, tokens: readonly string[]): void {
  if (tokens.length > 0 || isLoopbackHost(host)) return;
  throw new ServerConfigError(`refusing to listen on ${host} without API tokens: anyone who can reach this port could run goals`, {
    hint: `set ${API_TOKENS_ENV}=<token>[,<token>...] (or a token file), or listen on 127.0.0.1`,
  });
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks an `Authorization` header against the tokens in constant time. Both sides are hashed first so the comparison
 * takes the same time whatever the lengths, and every token is compared so the matching position does not leak.
 */
export function createTokenCheck(tokens: readonly string[]): (authorization: string | undefined) => boolean {
  const digests = tokens.map(digest);
  return (authorization) => {
    const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
    const presented = digest(match?.[1] ?? '');
    let accepted = false;
    for (const expected of digests) accepted = timingSafeEqual(presented, expected) || accepted;
    return accepted && match !== null;
  };
}

/**
 * Who a request acts as, for records such as a human decision's `by`: `api:` and the first 8 hex digits of the
 * SHA-256 of the bearer token it presented (tells tokens apart without revealing one), or `api` without a token.
 * (Not `token:…`: the redactor rightly takes that for a secret being assigned.)
 */
export function tokenLabel(authorization: string | undefined): string {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(authorization ?? '');
  return match?.[1] ? `api:${digest(match[1]).toString('hex').slice(0, 8)}` : 'api';
}
