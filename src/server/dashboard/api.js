/* global fetch, sessionStorage, EventSource, TextDecoder, AbortController, setTimeout */
/**
 * Talking to the Baton API: JSON requests with the API token when one is set, errors as readable messages, and run
 * events as server-sent events. EventSource cannot send an Authorization header, so with a token the stream is read
 * through fetch instead; both paths hand the same events to the same callbacks.
 */

const TOKEN_KEY = 'baton.apiToken';

export function getToken() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(token) {
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

/** An API error with its HTTP status and Baton error code. */
export class ApiProblem extends Error {
  constructor(status, code, message, hint) {
    super(message);
    this.status = status;
    this.code = code;
    this.hint = hint;
  }
}

function headers(extra = {}) {
  const token = getToken();
  return token ? { ...extra, authorization: `Bearer ${token}` } : extra;
}

/** Calls the API; resolves with the parsed body, or rejects with an {@link ApiProblem}. */
export async function api(path, options = {}) {
  const init = { method: options.method || 'GET', headers: headers(options.body === undefined ? {} : { 'content-type': 'application/json' }) };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  let response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiProblem(0, 'NETWORK', 'the Baton server cannot be reached');
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    throw new ApiProblem(response.status, error.code || 'HTTP', error.message || `HTTP ${response.status}`, error.hint);
  }
  return body;
}

/**
 * Follows a run's events. `handlers.turn(turn)` for each turn (replayed, then live), `handlers.status(info)` while it
 * waits in the queue, `handlers.end(info)` once with the final status, `handlers.error(message)` if the stream fails.
 * Returns a function that stops following.
 */
export function followRun(runId, handlers) {
  const url = `/api/runs/${encodeURIComponent(runId)}/events`;
  let stopped = false;
  const dispatch = (type, data) => {
    if (stopped) return;
    let payload;
    try {
      payload = JSON.parse(data);
    } catch {
      return;
    }
    if (type === 'turn') handlers.turn(payload);
    else if (type === 'status') handlers.status?.(payload);
    else if (type === 'end') {
      stopped = true;
      handlers.end(payload);
    }
  };

  if (!getToken()) {
    const source = new EventSource(url);
    for (const type of ['turn', 'status', 'end']) {
      source.addEventListener(type, (event) => {
        dispatch(type, event.data);
        // Closing on `end` stops EventSource from reconnecting to a finished stream.
        if (type === 'end') source.close();
      });
    }
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED && !stopped) handlers.error?.('the live stream closed; reload to try again');
    };
    return () => {
      stopped = true;
      source.close();
    };
  }

  const controller = new AbortController();
  let lastSeq = 0;
  const read = async () => {
    const response = await fetch(`${url}?after=${lastSeq}`, { headers: headers(), signal: controller.signal });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary;
      while ((boundary = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let type = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) type = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
          else if (line.startsWith('id: ')) lastSeq = Number(line.slice(4)) || lastSeq;
        }
        if (data.length) dispatch(type, data.join('\n'));
      }
    }
  };
  const loop = async () => {
    while (!stopped) {
      try {
        await read();
      } catch (error) {
        if (stopped || error.name === 'AbortError') return;
        handlers.error?.('the live stream was interrupted; retrying');
      }
      if (!stopped) await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  };
  void loop();
  return () => {
    stopped = true;
    controller.abort();
  };
}
