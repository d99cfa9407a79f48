/**
 * The embedded transcript store: SQLite under the data directory. Every turn is written (synchronously, in WAL mode)
 * before the next one starts, so whatever ends a run, what was recorded stays readable.
 */
import { ensureDirectory } from '../data-dir.js';
import { dataFileError, openDataFile } from '../data-files.js';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BatonError, errorMessage, RunNotFoundError, TranscriptError } from '../errors.js';
import { redactDeep, type Redactor } from './redact.js';
import { RunRecord, TRANSCRIPT_VERSION, TurnRecord, type NewTurn } from './schema.js';

export interface ListRunsOptions {
  limit?: number;
  offset?: number;
  status?: string;
  /** ISO timestamp: runs started at or after. */
  since?: string;
  until?: string;
  /** Runs whose record cannot be read are skipped and reported here (the list never fails because of one). */
  onDamaged?: DamagedListener;
}

export type TurnListener = (turn: TurnRecord) => void;

/** A stored record that could not be read back: skipped by readers, and named so a person can look at it. */
export interface DamagedRecord {
  runId: string;
  /** The turn's sequence number; absent for a run record. */
  seq?: number;
  reason: string;
}

/** Told about every record a read had to skip. */
export type DamagedListener = (record: DamagedRecord) => void;

/** Opens `file` and reads it once (the pragmas do), closing it again if that fails. */
function openTranscriptDatabase(file: string): Database.Database {
  const database = new Database(file);
  try {
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('busy_timeout = 5000');
    return database;
  } catch (error) {
    database.close();
    throw error;
  }
}

export class TranscriptStore {
  readonly file: string;
  private readonly database: Database.Database;
  /** Removes secrets from text; everything the store writes goes through it, and callers may use it too. */
  readonly redact: Redactor;
  private readonly listeners = new Set<TurnListener>();
  private readonly lastSeq = new Map<string, number>();
  /** One compiled transaction wrapper, reused by every {@link atomically} call. */
  private readonly transaction: (writes: () => unknown) => unknown;
  private readonly statements: {
    insertRun: Database.Statement;
    updateRun: Database.Statement;
    insertTurn: Database.Statement;
    nextSeq: Database.Statement;
    getRun: Database.Statement;
    turnsWithSeq: Database.Statement;
  };

  constructor(options: { dataDir: string; redact: Redactor; file?: string }) {
    ensureDirectory(options.dataDir);
    this.file = options.file ?? path.join(options.dataDir, 'baton.db');
    this.redact = options.redact;
    // A folder, a damaged file or another program's database at baton.db is a DataFileError naming it, not an
    // SqliteError with a stack trace; the schema and statements are part of opening it.
    const dataFile = { file: this.file, holds: "the SQLite database of Baton's run transcripts", format: 'sqlite' as const };
    this.database = openDataFile(dataFile, () => openTranscriptDatabase(this.file));
    try {
      this.database.exec(`
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS runs (
          id TEXT PRIMARY KEY, goal TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, data TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at);
        CREATE TABLE IF NOT EXISTS turns (
          run_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (run_id, seq)
        );
      `);
      const stored = this.database.prepare('SELECT value FROM meta WHERE key = ?').get('transcript_version') as { value: string } | undefined;
      if (!stored) this.database.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('transcript_version', String(TRANSCRIPT_VERSION));
      else if (Number(stored.value) > TRANSCRIPT_VERSION) {
        throw new TranscriptError(`${this.file} was written by a newer Baton (transcript version ${stored.value}; this one reads ${TRANSCRIPT_VERSION})`, {
          hint: 'upgrade Baton, or use another --data-dir',
        });
      }
      this.transaction = this.database.transaction((writes: () => unknown) => writes());
      this.statements = {
        insertRun: this.database.prepare('INSERT INTO runs (id, goal, status, started_at, data) VALUES (@id, @goal, @status, @startedAt, @data)'),
        updateRun: this.database.prepare('UPDATE runs SET status = @status, data = @data WHERE id = @id'),
        insertTurn: this.database.prepare('INSERT INTO turns (run_id, seq, role, data) VALUES (@runId, @seq, @role, @data)'),
        nextSeq: this.database.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM turns WHERE run_id = ?'),
        getRun: this.database.prepare('SELECT data FROM runs WHERE id = ?'),
        turnsWithSeq: this.database.prepare('SELECT seq, data FROM turns WHERE run_id = ? ORDER BY seq'),
      };
    } catch (error) {
      this.database.close();
      throw error instanceof BatonError ? error : dataFileError(dataFile, errorMessage(error), error);
    }
  }

  /** Records a new run. */
  createRun(run: Omit<RunRecord, 'version'>): RunRecord {
    // Redaction works on every string value before serialising, never on the serialised text.
    const record = redactDeep({ version: TRANSCRIPT_VERSION, ...run } as RunRecord, this.redact);
    this.statements.insertRun.run({ id: record.id, goal: record.goal, status: record.status, startedAt: record.startedAt, data: JSON.stringify(record) });
    return record;
  }

  /** Replaces a run's record (status, totals, result). */
  updateRun(run: RunRecord): void {
    if (run.status !== 'running') this.lastSeq.delete(run.id);
    this.statements.updateRun.run({ id: run.id, status: run.status, data: JSON.stringify(redactDeep(run, this.redact)) });
  }

  /** Runs several writes as one commit: all of them are recorded, or none. */
  atomically<T>(writes: () => T): T {
    try {
      return this.transaction(writes) as T;
    } catch (error) {
      // Rolled back: sequence numbers handed out inside were never stored, so read them again from the database.
      this.lastSeq.clear();
      throw error;
    }
  }

  /** Appends a turn, assigning its sequence number, and tells listeners. */
  appendTurn(turn: NewTurn): TurnRecord {
    // A run is written by one process, so its next sequence number is kept in memory after the first read.
    const seq = this.lastSeq.get(turn.runId) ?? (this.statements.nextSeq.get(turn.runId) as { seq: number }).seq - 1;
    // Every string value is redacted before the record is serialised, so a secret can never take JSON syntax with it.
    const record = redactDeep({ version: TRANSCRIPT_VERSION, seq: seq + 1, ...turn } as TurnRecord, this.redact);
    this.statements.insertTurn.run({ runId: turn.runId, seq: seq + 1, role: turn.role, data: JSON.stringify(record) });
    this.lastSeq.set(turn.runId, seq + 1);
    // Listeners get exactly what was stored.
    for (const listener of this.listeners) {
      try {
        listener(record);
      } catch {
        // A listener (a terminal, an event stream) must never break recording.
      }
    }
    return record;
  }

  /** Subscribes to turns as they are written; returns the unsubscribe function. */
  onTurn(listener: TurnListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getRun(runId: string): RunRecord {
    const row = this.statements.getRun.get(runId) as { data: string } | undefined;
    if (!row) throw new RunNotFoundError(runId);
    return parseRecord(RunRecord, row.data, `run ${runId}`);
  }

  /**
   * The run's turns in order. A turn that cannot be read (damaged, or written by a newer Baton) is skipped and reported
   * to `onDamaged`; the others are still returned.
   */
  turns(runId: string, onDamaged?: DamagedListener): TurnRecord[] {
    const rows = this.statements.turnsWithSeq.all(runId) as Array<{ seq: number; data: string }>;
    const turns: TurnRecord[] = [];
    for (const row of rows) {
      try {
        turns.push(parseRecord(TurnRecord, row.data, `turn ${row.seq} of run ${runId}`));
      } catch (error) {
        onDamaged?.({ runId, seq: row.seq, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return turns;
  }

  listRuns(options: ListRunsOptions = {}): RunRecord[] {
    const conditions: string[] = [];
    const parameters: Record<string, unknown> = { limit: options.limit ?? 50, offset: options.offset ?? 0 };
    if (options.status) {
      conditions.push('status = @status');
      parameters['status'] = options.status;
    }
    if (options.since) {
      conditions.push('started_at >= @since');
      parameters['since'] = options.since;
    }
    if (options.until) {
      conditions.push('started_at < @until');
      parameters['until'] = options.until;
    }
    const where = conditions.length ? `WHERE ${conditions.join(' AND ')}` : '';
    const rows = this.database.prepare(`SELECT id, data FROM runs ${where} ORDER BY started_at DESC, rowid DESC LIMIT @limit OFFSET @offset`).all(parameters) as Array<{ id: string; data: string }>;
    const runs: RunRecord[] = [];
    for (const row of rows) {
      try {
        runs.push(parseRecord(RunRecord, row.data, `run ${row.id}`));
      } catch (error) {
        options.onDamaged?.({ runId: row.id, reason: error instanceof Error ? error.message : String(error) });
      }
    }
    return runs;
  }

  /** Marks runs still `running` (a crash or a stopped server) as failed with the given reason; returns their ids. */
  markInterrupted(reason: string, now: Date): string[] {
    const running = this.listRuns({ status: 'running', limit: 10_000 });
    for (const run of running) {
      this.updateRun({ ...run, status: 'failed', endedAt: now.toISOString(), error: { code: 'INTERRUPTED', message: reason } });
    }
    return running.map((run) => run.id);
  }

  close(): void {
    this.listeners.clear();
    if (this.database.open) this.database.close();
  }
}

function parseRecord<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, text: string, what: string): T {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new TranscriptError(`${what} is not valid JSON in the transcript store`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TranscriptError(`${what} does not match transcript version ${TRANSCRIPT_VERSION}: ${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'}`);
  }
  return parsed.data;
}
