'use strict';
// The SQLite driver under the stores: better-sqlite3 where it is built for
// this Node, else Node's own node:sqlite (22.13 and later: an install
// without a compiler). Both answer the same: SQLite's error codes, a
// transaction that throws rolls back, pragmas. `npm run test:node22` runs
// this and the store's tests on Node 22 with node:sqlite.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { sqliteDriver, sqliteDriverName } = require('../../dist/src/store/sqlite-driver');

function betterSqliteLoads() {
  try {
    new (require('better-sqlite3'))(':memory:').close();
    return true;
  } catch {
    return false;
  }
}

describe(`the SQLite driver (Node ${process.versions.node})`, () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-driver-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is better-sqlite3 where it is built for this Node, else node:sqlite', () => {
    const expected = process.env.SMSFLOW_EXPECT_SQLITE_DRIVER || (betterSqliteLoads() ? 'better-sqlite3' : 'node:sqlite');
    assert.equal(sqliteDriverName(), expected);
  });

  it('gives SQLite\'s own codes: a file that is not a database, a write to one opened read only', () => {
    const junk = path.join(dir, 'junk.sqlite');
    fs.writeFileSync(junk, 'this is not a database, it is a text file of some length '.repeat(20));
    assert.throws(() => {
      const db = sqliteDriver().open(junk);
      try {
        db.prepare('SELECT count(*) FROM sqlite_master').get();
      } finally {
        db.close();
      }
    }, (err) => err.code === 'SQLITE_NOTADB');
    const file = path.join(dir, 'ro.sqlite');
    const db = sqliteDriver().open(file);
    db.exec('CREATE TABLE t (a INTEGER)');
    db.close();
    const ro = sqliteDriver().open(file, { readonly: true });
    assert.throws(() => ro.prepare('INSERT INTO t VALUES (1)').run(), (err) => err.code === 'SQLITE_READONLY');
    ro.close();
  });

  it('a transaction gives its result, and one that throws leaves nothing written; pragmas answer', () => {
    const db = sqliteDriver().open(path.join(dir, 'tx.sqlite'));
    try {
      assert.equal(db.pragma('journal_mode = WAL', { simple: true }), 'wal');
      db.exec('CREATE TABLE t (a INTEGER, b TEXT)');
      const insert = db.prepare('INSERT INTO t VALUES (?, ?)');
      assert.equal(db.transaction((n) => { for (let i = 0; i < n; i++) insert.run(i, `row ${i}`); return n; })(3), 3);
      assert.throws(() => db.transaction(() => { insert.run(9, 'lost'); throw new Error('no'); })(), /no/);
      assert.deepEqual(db.prepare('SELECT a, b FROM t ORDER BY a').all().map((r) => [r.a, r.b]), [[0, 'row 0'], [1, 'row 1'], [2, 'row 2']]);
      assert.equal(db.prepare('SELECT count(*) AS n FROM t WHERE a = ?').get(9).n, 0);
      assert.equal(db.pragma('quick_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });

  it('waits for a lock another process holds a moment, as both drivers do, instead of failing at once with SQLITE_BUSY', async () => {
    const file = path.join(dir, 'locked.sqlite');
    const setup = sqliteDriver().open(file);
    setup.exec('CREATE TABLE t (a INTEGER)');
    setup.close();
    // Another process holds the file's lock (what the checkpoint thread does while it closes the file), then lets go.
    const holder = spawn(process.execPath, ['-e', `
      const db = require(${JSON.stringify(path.resolve(__dirname, '../../dist/src/store/sqlite-driver'))}).sqliteDriver().open(process.argv[1]);
      db.exec('BEGIN EXCLUSIVE');
      db.exec('INSERT INTO t VALUES (1)');
      process.stdout.write('locked\\n');
      setTimeout(() => { db.exec('COMMIT'); db.close(); }, 300);
    `, file], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      holder.stdout.once('data', resolve);
      holder.once('exit', (code) => reject(new Error(`the lock holder ended first (${code})`)));
    });
    const db = sqliteDriver().open(file);
    try {
      assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
      assert.equal(db.prepare('SELECT count(*) AS n FROM t').get().n, 1, 'read once the lock was let go');
    } finally {
      db.close();
      await new Promise((resolve) => (holder.exitCode === null ? holder.once('exit', resolve) : resolve()));
    }
  });
});
