/**
 * Fetching a URL for a model, safely: only http(s), only addresses the policy allows (checked after DNS, and the
 * connection goes to the checked address), redirects followed by hand and re-checked at every hop, one deadline for
 * the whole fetch, a byte cap, and only text content types.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { abortErrorOf } from '../abort.js';
import { BatonError, CancelledError } from '../errors.js';
import { FetchFailedError } from './fetch-errors.js';
import { assertFetchableScheme, compilePolicy, systemLookup, vetUrl, type LookupAll, type VettedTarget } from './guard.js';
import type { FetchPolicy } from './policy.js';

/** What a fetch read. */
export interface SafeFetchResult {
  /** The URL after redirects. */
  finalUrl: string;
  status: number;
  /** The media type without parameters, lower case, e.g. `text/html`. */
  contentType: string;
  /** The body decoded as text (charset from the header or an HTML meta tag, UTF-8 otherwise). */
  body: string;
  /** True when the body was cut off at the policy's `maxBytes`. */
  truncated: boolean;
  /** Every URL a redirect led to, in order. */
  redirects: string[];
}

/** `http.request` and `https.request` share this shape; tests pass a spy to see whether a connection was attempted. */
export type RequestFunction = (url: URL, options: http.RequestOptions, callback: (response: http.IncomingMessage) => void) => http.ClientRequest;

/** Dependencies of {@link safeFetch}, injectable for tests. */
export interface SafeFetchDeps {
  /** Resolves host names; defaults to the system resolver. */
  lookup?: LookupAll;
  /** Opens an HTTP(S) request; defaults to `http.request` / `https.request` by scheme. */
  request?: RequestFunction;
  /** Cancels the fetch. */
  signal?: AbortSignal;
  userAgent?: string;
}

/** Media types Baton reads; anything else is refused with the type named. */
export const readableContentTypes: readonly string[] = ['text/html', 'text/plain', 'application/xhtml+xml', 'text/markdown', 'text/x-markdown', 'application/json'];

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

const defaultRequest: RequestFunction = (url, options, callback) =>
  url.protocol === 'https:' ? https.request(url, options, callback) : http.request(url, options, callback);

/** A `lookup` for `http.request` that answers with the vetted address only, whatever name it is asked about. */
function pinnedLookup(target: VettedTarget): LookupFunction {
  return (_hostname, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason;
}

function send(url: URL, target: VettedTarget, request: RequestFunction, signal: AbortSignal, userAgent: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      {
        method: 'GET',
        agent: false,
        lookup: pinnedLookup(target),
        signal,
        headers: {
          'user-agent': userAgent,
          accept: 'text/html,application/xhtml+xml,text/plain;q=0.9,text/markdown;q=0.9,application/json;q=0.8,*/*;q=0.1',
          'accept-encoding': 'gzip, deflate, br',
        },
      },
      resolve,
    );
    outgoing.on('error', (error) => reject(signal.aborted ? abortReason(signal) : error));
    outgoing.end();
  });
}

function mediaType(header: string | undefined): { type: string; charset: string | undefined } {
  const [type = '', ...parameters] = (header ?? '').split(';');
  const charset = parameters.map((parameter) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(parameter)?.[1]).find(Boolean);
  return { type: type.trim().toLowerCase(), charset };
}

function decodedStream(response: http.IncomingMessage): Readable {
  const encoding = String(response.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') return response.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return response.pipe(zlib.createInflate());
  if (encoding === 'br') return response.pipe(zlib.createBrotliDecompress());
  return response;
}

/** Reads at most `maxBytes` decoded bytes; stops reading (and closes the connection) once the cap is reached. */
function readCapped(response: http.IncomingMessage, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  return new Promise((resolve, reject) => {
    const stream = decodedStream(response);
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (truncated: boolean): void => {
      if (done) return;
      done = true;
      if (truncated) {
        stream.destroy();
        response.destroy();
      }
      resolve({ bytes: Buffer.concat(parts), truncated });
    };
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      const room = maxBytes - size;
      if (chunk.length >= room) {
        parts.push(chunk.subarray(0, room));
        size = maxBytes;
        // Exactly at the cap we cannot tell whether more follows without reading on; a full cap counts as cut off.
        finish(true);
        return;
      }
      parts.push(chunk);
      size += chunk.length;
    });
    stream.on('end', () => finish(false));
    stream.on('error', (error) => {
      if (!done) {
        done = true;
        reject(error);
      }
    });
    response.on('aborted', () => {
      if (!done) {
        done = true;
        reject(new Error('the connection closed before the body was complete'));
      }
    });
  });
}

function decode(bytes: Buffer, charset: string | undefined, type: string): string {
  let label = charset;
  if (!label && (type === 'text/html' || type === 'application/xhtml+xml')) {
    label = /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(bytes.subarray(0, 2048).toString('latin1'))?.[1];
  }
  try {
    return new TextDecoder(label ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch (error) {
    throw new FetchFailedError('invalid-url', text, `"${text}" is not a valid URL`, { cause: error });
  }
}

/** Waits for a promise unless the signal fires first. */
function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

class DeadlineReached extends Error {}

/**
 * Fetches a URL under a {@link FetchPolicy}. Throws `FetchBlockedError` when the scheme or an address is refused
 * (before any connection to it), {@link FetchFailedError} for timeouts, network errors, too many redirects and
 * unsupported content types, and `CancelledError` when `deps.signal` fires. HTTP error statuses are returned, not thrown.
 */
export async function safeFetch(url: string, policy: FetchPolicy, deps: SafeFetchDeps = {}): Promise<SafeFetchResult> {
  const compiled = compilePolicy(policy);
  const lookup = deps.lookup ?? systemLookup;
  const request = deps.request ?? defaultRequest;
  const userAgent = deps.userAgent ?? 'Baton/0.1 (+https://github.com/baton) research fetcher';
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReached()), policy.timeoutMs);
  // The run's deadline stays a deadline: only a person's abort is a cancellation (see src/abort.ts).
  const onCancel = (): void => controller.abort(deps.signal ? abortErrorOf(deps.signal, () => new CancelledError(`fetching ${url} was cancelled`)) : new CancelledError(`fetching ${url} was cancelled`));
  if (deps.signal?.aborted) onCancel();
  deps.signal?.addEventListener('abort', onCancel, { once: true });
  let current = parseUrl(url);
  const redirects: string[] = [];
  try {
    for (;;) {
      const target = await raceSignal(vetUrl(current, compiled, lookup), controller.signal);
      const response = await send(current, target, request, controller.signal, userAgent);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (redirectStatuses.has(status) && location) {
        response.resume();
        response.destroy();
        if (redirects.length >= policy.maxRedirects) {
          throw new FetchFailedError('too-many-redirects', url, `fetching ${url} took more than ${policy.maxRedirects} redirects (last: ${current.href})`);
        }
        let next: URL;
        try {
          next = new URL(location, current);
        } catch (error) {
          throw new FetchFailedError('invalid-url', current.href, `${current.href} redirected to an invalid URL "${location}"`, { cause: error });
        }
        assertFetchableScheme(next);
        redirects.push(next.href);
        current = next;
        continue;
      }
      const { type, charset } = mediaType(response.headers['content-type']);
      if (!readableContentTypes.includes(type)) {
        response.destroy();
        throw new FetchFailedError(
          'content-type',
          current.href,
          `${current.href} is ${type === '' ? 'of no declared content type' : `"${type}"`}; only ${readableContentTypes.join(', ')} can be read`,
        );
      }
      const { bytes, truncated } = await raceSignal(readCapped(response, policy.maxBytes), controller.signal);
      return { finalUrl: current.href, status, contentType: type, body: decode(bytes, charset, type), truncated, redirects };
    }
  } catch (error) {
    const reason = controller.signal.aborted ? abortReason(controller.signal) : undefined;
    if (reason instanceof BatonError) throw reason;
    if (reason instanceof DeadlineReached) {
      throw new FetchFailedError('timeout', current.href, `fetching ${current.href} took longer than ${policy.timeoutMs} ms`, {
        hint: 'raise tools.fetch.timeoutMs in the Baton config if the site is slow',
      });
    }
    if (error instanceof BatonError) throw error;
    throw new FetchFailedError('network', current.href, `fetching ${current.href} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
    deps.signal?.removeEventListener('abort', onCancel);
  }
}
