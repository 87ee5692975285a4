/**
 * One process at a time on a store's file. A second Node-RED on the same
 * user directory (or a second container on one volume) would otherwise take
 * up the same kept messages and send each of them twice. The lock is
 * SQLite's own, on a file beside the store (`<file>.lock`), held by a
 * transaction left open: the system lets it go when the process ends,
 * however it ends (kill -9 too), so a restart never waits for it. The
 * store's own file stays open to readers (a tool, the checkpoint thread).
 */
import { sqliteDriver, SqliteDatabase } from './sqlite-driver';

export class FileLock {
  private constructor(private readonly db: SqliteDatabase) {}

  /** Takes the lock of `file`, or throws SQLITE_BUSY when another process (or another store here) holds it. */
  static take(file: string): FileLock {
    const db = sqliteDriver().open(`${file}.lock`);
    try {
      // Asked once, never waited for: the holder may keep it for days.
      db.pragma('busy_timeout = 0');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') && !code.startsWith('SQLITE_LOCKED')) throw err;
      const inUse = new Error(`${file} is in use by another process`) as Error & { code: string };
      inUse.code = 'SQLITE_BUSY';
      throw inUse;
    }
    return new FileLock(db);
  }

  release(): void {
    this.db.close();
  }
}
