/**
 * LangGraph's SQLite checkpointer, loaded in the background. Its package pulls in LangGraph's checkpoint layer and
 * LangChain core (about 0.2 s of start-up), which only a run needs: `baton tool`, `kb` and the other commands that
 * open a runtime without running a graph must not pay for it. The saver starts loading when the runtime opens and a
 * run awaits it before compiling its graph.
 */
import type { BaseCheckpointSaver } from '@langchain/langgraph';
import { assertDataFile, openDataFile, type DataFile } from '../data-files.js';
import type { Redactor } from '../transcript/redact.js';
import { redactCheckpoints } from './checkpoint-serde.js';

/** A checkpointer that is still loading, and how to close it whenever it is ready. */
export interface PendingCheckpointer {
  /** The saver (writing through the redactor) once its package has loaded and its database is open. */
  saver: Promise<BaseCheckpointSaver>;
  /** Closes the database now if it is open, else as soon as it opens. */
  close(): void;
}

/**
 * Starts opening `file` as a LangGraph SQLite checkpoint database whose writes pass through `redact`. A folder or a
 * file that is not an SQLite database throws {@link DataFileError} at once; any other failure to open it rejects
 * `saver` with one, before a run uses it (SqliteSaver alone would only fail at a run's first checkpoint).
 */
export function openSqliteCheckpointer(file: string, redact: Redactor): PendingCheckpointer {
  const dataFile: DataFile = { file, holds: 'the SQLite database of LangGraph checkpoints', format: 'sqlite' };
  assertDataFile(dataFile);
  let closed = false;
  let database: { close(): void; open?: boolean } | undefined;
  const closeDatabase = (): void => {
    if (database?.open) database.close();
  };
  const saver = import('@langchain/langgraph-checkpoint-sqlite').then(({ SqliteSaver }) =>
    openDataFile(dataFile, () => {
      const opened = redactCheckpoints(SqliteSaver.fromConnString(file), redact);
      // SqliteSaver keeps its better-sqlite3 handle in `db` and has no close method of its own; `setup` (protected,
      // and otherwise first run at a run's first checkpoint) creates the tables, so a damaged file fails now.
      const internals = opened as unknown as { db?: { close(): void; open?: boolean }; setup(): void };
      database = internals.db;
      try {
        internals.setup();
      } catch (error) {
        closeDatabase();
        throw error;
      }
      if (closed) closeDatabase();
      return opened;
    }),
  );
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
