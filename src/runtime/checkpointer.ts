/**
 * LangGraph's SQLite checkpointer, loaded in the background. Its package pulls in LangGraph's checkpoint layer and
 * LangChain core (about 0.2 s of start-up), which only a run needs: `baton tool`, `kb` and the other commands that
 * open a runtime without running a graph must not pay for it. The saver starts loading when the runtime opens and a
 * run awaits it before compiling its graph.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import type { Redactor } from '../transcript/redact.js';
import { redactCheckpoints } from './checkpoint-serde.js';

/** A checkpointer that is still loading, and how to close it whenever it is ready. */
export interface PendingCheckpointer {
  /** The saver (writing through the redactor) once its package has loaded and its database is open. */
  saver: Promise<BaseCheckpointSaver>;
  /** Closes the database now if it is open, else as soon as it opens. */
  close(): void;
}

/** Starts opening `file` as a LangGraph SQLite checkpoint database whose writes pass through `redact`. */
export function openSqliteCheckpointer(file: string, redact: Redactor): PendingCheckpointer {
  let closed = false;
  let database: { close(): void; open?: boolean } | undefined;
  const closeDatabase = (): void => {
    if (database?.open) database.close();
  };
  const saver = import('@langchain/langgraph-checkpoint-sqlite').then(({ SqliteSaver }) => {
    const opened = redactCheckpoints(SqliteSaver.fromConnString(file), redact);
    // SqliteSaver keeps its better-sqlite3 handle in `db` and has no close method of its own.
    database = (opened as unknown as { db?: { close(): void; open?: boolean } }).db;
    if (closed) closeDatabase();
    return opened;
  });
  // A failure to load or open is reported to the run that awaits the saver, not as an unhandled rejection.
  saver.catch(() => undefined);
  return {
    saver,
    close: () => {
      closed = true;
      closeDatabase();
    },
  };
}
