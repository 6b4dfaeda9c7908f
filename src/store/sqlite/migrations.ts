/**
 * The SQLite schema, as an append-only list of migrations. A data directory outlives the build that created it,
 * so the schema is never edited in place: a change is a new entry with the next version, applied once per
 * database and recorded in schema_migrations. A database that records a version this build does not know was
 * written by a newer rolecall, and opening it is refused rather than risking a write the newer schema forbids.
 */
import type Database from 'better-sqlite3';
import { StoreError } from '../store.ts';

export interface Migration {
  /** 1, 2, 3, … in array order; never reuse or renumber one that has shipped. */
  readonly version: number;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `CREATE TABLE records (
      kind TEXT NOT NULL,
      account TEXT NOT NULL,
      key TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (kind, account, key)
    ) WITHOUT ROWID`,
  },
];

/** Brings db up to the newest schema this build knows. Safe to run on every open and from several processes. */
export function applyMigrations(db: Database.Database): void {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT)');
  const newest = db.prepare<[], number | null>('SELECT MAX(version) FROM schema_migrations').pluck();
  const isApplied = db.prepare<[number], number>('SELECT 1 FROM schema_migrations WHERE version = ?').pluck();
  const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)');

  const known = migrations.at(-1)?.version ?? 0;
  const found = newest.get() ?? 0;
  if (found > known) {
    throw new StoreError(
      'Corrupt',
      `the data directory was written by a newer rolecall (schema version ${found}; this build knows up to ${known})`,
    );
  }
  for (const migration of migrations) {
    // IMMEDIATE takes the write lock before the check, so two processes opening at once cannot both apply it.
    db.transaction(() => {
      if (isApplied.get(migration.version) !== undefined) return;
      db.exec(migration.sql);
      record.run(migration.version, new Date().toISOString());
    }).immediate();
  }
}
