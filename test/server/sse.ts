/** A minimal server-sent events reader for tests: reads a fetch body incrementally and yields each event as it arrives. */

export interface SseEvent {
  event: string;
  id?: string;
  data: string;
}

export class SseReader {
  private buffer = '';
  private readonly decoder = new TextDecoder();
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** A read still waiting when `next` timed out: the next call takes its result rather than losing it. */
  private pending: ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']> | undefined;
  /** True once the server closed the stream. */
  ended = false;

  constructor(body: ReadableStream<Uint8Array>) {
    this.reader = body.getReader();
  }

  /** The next event, or undefined when the stream has ended. Rejects after `timeoutMs` without one. */
  async next(timeoutMs = 5000): Promise<SseEvent | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no event within ${timeoutMs} ms`)), timeoutMs)));
    try {
      for (;;) {
        const parsed = this.take();
        if (parsed) return parsed;
        if (this.ended) return undefined;
        this.pending ??= this.reader.read();
        const { value, done } = await Promise.race([this.pending, timeout]);
        this.pending = undefined;
        if (done) this.ended = true;
        else this.buffer += this.decoder.decode(value, { stream: true });
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Every remaining event until the stream ends. */
  async rest(timeoutMs = 10_000): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let event = await this.next(timeoutMs); event; event = await this.next(timeoutMs)) events.push(event);
    return events;
  }

  async cancel(): Promise<void> {
    await this.reader.cancel().catch(() => undefined);
  }

  /** Parses one complete event from the buffer, skipping comments and `retry:` blocks. */
  private take(): SseEvent | undefined {
    for (;;) {
      const boundary = this.buffer.indexOf('\n\n');
      if (boundary < 0) return undefined;
      const block = this.buffer.slice(0, boundary);
      this.buffer = this.buffer.slice(boundary + 2);
      let event = 'message';
      let id: string | undefined;
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('id: ')) id = line.slice(4);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length) return { event, data: data.join('\n'), ...(id === undefined ? {} : { id }) };
    }
  }
}

/** Opens an event stream; fails the test if it is not one. */
export async function openEvents(url: string, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<SseReader> {
  const response = await fetch(url, { headers, ...(signal ? { signal } : {}) });
  if (response.status !== 200 || !response.body) throw new Error(`expected an event stream, got HTTP ${response.status}: ${await response.text()}`);
  if (!response.headers.get('content-type')?.startsWith('text/event-stream')) throw new Error(`wrong content type ${response.headers.get('content-type')}`);
  return new SseReader(response.body);
}
