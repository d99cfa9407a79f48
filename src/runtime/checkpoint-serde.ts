/**
 * Keeps secrets out of LangGraph checkpoints. Baton redacts state before it enters the graph (the goal, every role's
 * output); this serializer is the second line: every string value of every checkpoint and pending write is passed
 * through the redactor after LangGraph's own serializer has turned it into JSON, and before it is written. Resuming
 * reads back the redacted state, which is the state the run had anyway, so no key is needed to resume.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { redactDeep, type Redactor } from '../transcript/redact.js';

type Serializer = BaseCheckpointSaver['serde'];

/** Wraps a checkpoint serializer so that what it writes holds no detected secret. Reading is unchanged. */
export function redactingSerializer(inner: Serializer, redact: Redactor): Serializer {
  return {
    async dumpsTyped(data: unknown): Promise<[string, Uint8Array]> {
      const [type, bytes] = await inner.dumpsTyped(data);
      if (type !== 'json') return [type, bytes];
      // Parse the serialised form back into plain values so that every string leaf (class instances included, which
      // LangGraph serialises as plain constructor records) is redacted, then serialise again: valid JSON by construction.
      const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
      const redacted = redactDeep(value, redact);
      return redacted === value ? [type, bytes] : [type, new TextEncoder().encode(JSON.stringify(redacted))];
    },
    loadsTyped: (type: string, data: Uint8Array | string): Promise<unknown> => inner.loadsTyped(type, data),
  };
}

/** Makes a checkpoint saver redact everything it writes; returns the same saver. */
export function redactCheckpoints<Saver extends BaseCheckpointSaver>(saver: Saver, redact: Redactor): Saver {
  saver.serde = redactingSerializer(saver.serde, redact);
  return saver;
}
