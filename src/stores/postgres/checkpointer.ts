/**
 * LangGraph's PostgreSQL checkpointer, loaded in the background like the SQLite one (src/runtime/checkpointer.ts):
 * commands that never run a graph do not pay for loading it. Checkpoints live in the schema `baton_checkpoints` of the
 * store's database, and every write passes through the redactor.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type pg from 'pg';
import { redactCheckpoints } from '../../runtime/checkpoint-serde.js';
import type { Redactor } from '../../transcript/redact.js';
import { createPool, mapConnectionError, parsePostgresUrl, type PostgresTarget } from './connection.js';

export const CHECKPOINT_SCHEMA = 'baton_checkpoints';

/** Any constant shared by every Baton process: serialises the checkpointer's table setup across processes. */
const SETUP_LOCK = 0x6261746f6e02;

export interface PendingPostgresCheckpointer {
  /** The saver, once its package has loaded and its tables exist; rejects with StoreUnavailableError when unreachable. */
  saver: Promise<BaseCheckpointSaver>;
  /** Ends its connections (waiting for it to finish opening first). */
  close(): Promise<void>;
}

/** PostgresSaver.setup() is not safe to run from two processes at once: hold a session lock around it. */
async function setupOnce(pool: pg.Pool, target: PostgresTarget, setup: () => Promise<void>): Promise<void> {
  const client = await pool.connect().catch((error: unknown) => {
    throw mapConnectionError(target, error);
  });
  let broken = false;
  try {
    await client.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK]);
    try {
      await setup();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [SETUP_LOCK]).catch(() => {
        broken = true;
      });
    }
  } catch (error) {
    throw mapConnectionError(target, error);
  } finally {
    client.release(broken);
  }
}

/**
 * The saver with its connection failures as StoreUnavailableError, like every other query of the store: a database
 * outage while a run writes a checkpoint leaves the run to its lease (it is resumed), not failed.
 */
function mappingConnectionErrors(saver: BaseCheckpointSaver, target: PostgresTarget): BaseCheckpointSaver {
  const mapped = (error: unknown): never => {
    throw mapConnectionError(target, error);
  };
  const getTuple = saver.getTuple.bind(saver);
  const put = saver.put.bind(saver);
  const putWrites = saver.putWrites.bind(saver);
  const list = saver.list.bind(saver);
  const deleteThread = saver.deleteThread.bind(saver);
  saver.getTuple = (config) => getTuple(config).catch(mapped);
  saver.put = (config, checkpoint, metadata, versions) => put(config, checkpoint, metadata, versions).catch(mapped);
  saver.putWrites = (config, writes, taskId) => putWrites(config, writes, taskId).catch(mapped);
  saver.deleteThread = (threadId) => deleteThread(threadId).catch(mapped);
  saver.list = async function* (config, options) {
    try {
      yield* list(config, options);
    } catch (error) {
      mapped(error);
    }
  };
  return saver;
}

/**
 * Starts opening the checkpointer on the database at `url`. Its own small pool (with an error handler, so an idle
 * connection the server drops cannot crash the process; `PostgresSaver.fromConnString` would install none).
 */
export function openPostgresCheckpointer(url: string, redact: Redactor, options: { onError?: (error: unknown) => void } = {}): PendingPostgresCheckpointer {
  const target = parsePostgresUrl(url);
  let pool: pg.Pool | undefined;
  const saver = import('@langchain/langgraph-checkpoint-postgres').then(async ({ PostgresSaver }) => {
    pool = createPool(target, { max: 5, ...(options.onError ? { onError: options.onError } : {}) });
    const opened = redactCheckpoints(new PostgresSaver(pool, undefined, { schema: CHECKPOINT_SCHEMA }), redact);
    await setupOnce(pool, target, () => opened.setup());
    return mappingConnectionErrors(opened as BaseCheckpointSaver, target);
  });
  // A failure is reported to the run that awaits the saver, not as an unhandled rejection.
  saver.catch(() => undefined);
  let closing: Promise<void> | undefined;
  return {
    saver,
    close: () =>
      (closing ??= (async () => {
        await saver.catch(() => undefined);
        await pool?.end().catch(() => undefined);
      })()),
  };
}
