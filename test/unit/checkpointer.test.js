'use strict';
// A busy SQLite store's checkpoints in a thread of their own: the log is
// copied into the file by a worker, started once the store is busy, and
// started over by the committing thread; it stays bounded however much is
// written, and nothing written is lost.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { sqliteDriver } = require('../../dist/src/store/sqlite-driver');
const { Checkpointer } = require('../../dist/src/store/checkpointer');

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('the checkpoints of a busy SQLite store', function () {
  this.timeout(60000);
  let dir;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-checkpoint-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('move to a worker thread once the store is busy; the log stays bounded, and every row is kept', async () => {
    const file = path.join(dir, 'store.sqlite');
    const db = sqliteDriver().open(file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, record TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO t (id, record) VALUES (?, ?)');
    const checkpoints = new Checkpointer(db, file, 0);
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000, 'SQLite checkpoints by itself while the store is quiet');
    const record = 'x'.repeat(1000);
    const ROWS = 50;
    // Until the worker has the checkpoints, then as many commits again while it keeps them (however fast the machine).
    const AFTER_THREADED = 500;
    let largestLog = 0;
    let threadedAt;
    let c = 0;
    for (; threadedAt === undefined ? c < 3000 : c < threadedAt + AFTER_THREADED; c++) {
      db.transaction(() => {
        for (let r = 0; r < ROWS; r++) insert.run(c * ROWS + r, record);
      })();
      checkpoints.committed();
      await turn();
      if (threadedAt === undefined && db.pragma('wal_autocheckpoint', { simple: true }) === 0) threadedAt = c;
      if (threadedAt !== undefined) largestLog = Math.max(largestLog, fs.statSync(`${file}-wal`).size);
    }
    const written = AFTER_THREADED * ROWS * record.length;
    assert.ok(threadedAt !== undefined, 'the worker took the checkpoints over');
    assert.ok(largestLog < written / 2, `the log was started over (${largestLog} octets at most, ${written} written while the worker checkpointed)`);
    const COMMITS = c;
    checkpoints.stop();
    db.close();
    const again = sqliteDriver().open(file);
    assert.equal(again.prepare('SELECT count(*) AS n FROM t').get().n, COMMITS * ROWS);
    again.close();
  });

  it('never makes a file: a store closed and removed before its worker opened the file is left removed', async () => {
    const file = path.join(dir, 'gone.sqlite');
    const db = sqliteDriver().open(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    const checkpoints = new Checkpointer(db, file, 0);
    // Busy enough for a worker: it starts now, and opens the file on a thread of its own.
    for (let c = 0; c < 64; c++) checkpoints.committed();
    const ended = checkpoints.stop();
    db.close();
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(file + suffix, { force: true });
    await ended;
    assert.deepEqual(fs.readdirSync(dir), [], 'nothing made again where the store was');
  });

  it('leaves the checkpoints to SQLite when its thread cannot do them (a file the thread cannot open)', async () => {
    const file = path.join(dir, 'store.sqlite');
    const db = sqliteDriver().open(file);
    db.pragma('journal_mode = WAL');
    // The thread is told of a file that is not there: it ends without ever taking the checkpoints over.
    const checkpoints = new Checkpointer(db, path.join(dir, 'elsewhere.sqlite'), 0);
    for (let c = 0; c < 64; c++) checkpoints.committed();
    await checkpoints.stop();
    assert.equal(db.pragma('wal_autocheckpoint', { simple: true }), 1000, 'SQLite still checkpoints by itself');
    assert.equal(fs.existsSync(path.join(dir, 'elsewhere.sqlite')), false);
    db.close();
  });
});

