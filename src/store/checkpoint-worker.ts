/**
 * A thread of its own that copies a busy store's write-ahead log into its
 * file (SQLite's checkpoint), so that the thread committing the writes never
 * waits for that copy and its syncs. It opens the file with the same driver,
 * checkpoints each time it is asked (PASSIVE: never in a writer's way), and
 * answers with what SQLite says; it closes the file and ends when told.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { sqliteDriver } from './sqlite-driver';

const port = parentPort;
if (port) {
  // Never a file of its own: a store closed (and its folder removed) before this thread opened it is left so.
  const db = sqliteDriver().open((workerData as { file: string }).file, { mustExist: true });
  port.on('message', (ask: 'checkpoint' | 'close') => {
    if (ask === 'close') {
      db.close();
      port.close();
      return;
    }
    try {
      db.pragma('wal_checkpoint(PASSIVE)');
      port.postMessage({ ok: true });
    } catch (err) {
      // A full disk, say: the writer's own commits say why; the next ask tries again.
      port.postMessage({ ok: false, error: (err as Error).message });
    }
  });
  port.postMessage({ ready: true });
}
