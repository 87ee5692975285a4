/**
 * Who checkpoints a busy SQLite store (copies its write-ahead log into the
 * file): SQLite itself, in the thread that commits, every 1,000 pages of
 * log (a fifth of a burst's time), until the store has committed often
 * enough to be worth a thread; then a worker thread, asked at most every
 * `everyMs` while commits come. The worker's checkpoint never blocks a
 * commit (PASSIVE), but commits go on meanwhile, so the log it copied is
 * never wholly copied when the next commit starts, and SQLite would never
 * start the log over: the committing thread then copies the little that
 * came since, and its next commit writes the log from its start. A worker
 * that fails or ends gives the work back to SQLite's own, so the log never
 * grows without bound.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SqliteDatabase } from './sqlite-driver';

/** commits before a worker is started: a store that writes now and then never has one */
const BUSY_AFTER_COMMITS = 64;
/** SQLite's own checkpoint, in pages of log (its default) */
const AUTO_PAGES = 1000;

export class Checkpointer {
  private commits = 0;
  private worker?: Worker;
  private ready = false;
  private asking = false;
  private askedAt = 0;
  private stopped = false;
  /** resolves once the worker has ended (at once when there is none) */
  private ended: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: SqliteDatabase,
    private readonly file: string,
    private readonly everyMs = 100,
  ) {}

  /** After each commit: the worker is asked when its last checkpoint is old enough. */
  committed(): void {
    if (this.stopped) return;
    if (!this.worker) {
      if (++this.commits >= BUSY_AFTER_COMMITS) this.start();
      return;
    }
    if (!this.ready || this.asking) return;
    const now = Date.now();
    if (now - this.askedAt < this.everyMs) return;
    this.askedAt = now;
    this.asking = true;
    this.worker.postMessage('checkpoint');
  }

  /**
   * Before the store closes: the log is copied and emptied here if the worker
   * is not at it (its connection keeps SQLite from doing so at close); else
   * the worker, the last to close the file, leaves it so. Resolves once the
   * worker has closed the file and ended.
   */
  stop(): Promise<void> {
    if (this.ready && !this.stopped) this.checkpointHere('TRUNCATE');
    this.stopped = true;
    this.worker?.postMessage('close');
    this.worker = undefined;
    return this.ended;
  }

  private checkpointHere(mode: 'PASSIVE' | 'TRUNCATE'): void {
    try {
      this.db.pragma(`wal_checkpoint(${mode})`);
    } catch {
      // A full disk, say: the store's own commits say why, and the next checkpoint tries again.
    }
  }

  private start(): void {
    const worker = new Worker(path.join(__dirname, 'checkpoint-worker.js'), { workerData: { file: this.file } });
    this.worker = worker;
    this.ended = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.unref();
    worker.on('message', (answer: { ready?: boolean }) => {
      if (answer.ready) {
        // From now on SQLite leaves the checkpoints to the worker.
        this.ready = true;
        if (!this.stopped) this.db.pragma('wal_autocheckpoint = 0');
        return;
      }
      this.asking = false;
      if (!this.stopped) this.checkpointHere('PASSIVE');
    });
    const giveBack = (): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.ready = false;
      this.stopped = true;
      try {
        this.db.pragma(`wal_autocheckpoint = ${AUTO_PAGES}`);
      } catch {
        // the store is closed: nothing left to checkpoint
      }
    };
    worker.on('error', giveBack);
    worker.on('exit', giveBack);
  }
}
