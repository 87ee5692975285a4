'use strict';
// The SQLite store when the disk refuses it, over real files: a full disk (a
// 1 MiB tmpfs filled to the last block; a 16 MiB one under a busy store whose
// log a thread of its own checkpoints), a folder that cannot be made, the
// commit an outcome waits for, and a long message stopped with some parts
// answered. Nothing throws out of the store; what cannot be written down is
// refused with STORE_WRITE; the store writes again by itself once it can.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { sqliteDriver } = require('../../dist/src/store/sqlite-driver');
const { cmpp, store } = require('../../dist/src/internal');
const { IsmgSimulator } = require('../../dist/src/testing');
const { until } = require('../support/wait');
const { freePort } = require('../support/node-red-process');

const SP = { spId: '901234', sharedSecret: 'secret' };

function client(port, s, extra = {}) {
  const c = new cmpp.CmppClient({ host: '127.0.0.1', port, ...SP, store: s, reconnect: { initialMs: 20, maxMs: 50 }, ...extra });
  c.on('error', () => undefined);
  return c;
}

/** Mounts a tmpfs of `size` on `dir`; false where the machine does not allow it. */
function mountTmpfs(dir, size) {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** Fills the file system of `dir` to its last block; returns the filler's path. */
function fillDisk(dir) {
  const filler = path.join(dir, 'filler');
  const chunk = Buffer.alloc(4096, 1);
  const fd = fs.openSync(filler, 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if (err.code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  return filler;
}

/** What the file holds, read by a connection of its own (as a restart would read it). */
function rows(file, table) {
  const db = sqliteDriver().open(file, { readonly: true });
  try {
    return db
      .prepare(`SELECT record FROM ${table}`)
      .all()
      .map((r) => JSON.parse(r.record));
  } finally {
    db.close();
  }
}

describe('SQLite store at the edges of the disk', function () {
  this.timeout(40000);
  let dir;
  let sim;
  let port;
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-edges-'));
    sim = new IsmgSimulator({ reportDelayMs: 5 });
    port = await sim.start();
  });
  afterEach(async () => {
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Each test of the describe that calls it runs on a tmpfs of `size` mounted on its folder (root only: CI must, elsewhere skipped). */
  function onTmpfs(size) {
    let mounted = false;
    beforeEach(function () {
      mounted = mountTmpfs(dir, size);
      if (!mounted) {
        if (process.env.CI === 'true') throw new Error('cannot mount a tmpfs here (CI runs as root and must)');
        this.skip();
      }
    });
    afterEach(() => {
      if (mounted) execFileSync('umount', ['-l', dir]);
    });
  }

  describe('a full disk (1 MiB tmpfs)', () => {
    onTmpfs('1m');

    it('refuses what cannot be written down with STORE_WRITE, never throws, says why once, and writes again by itself when space comes back', async () => {
      const file = path.join(dir, 'cmpp.sqlite');
      const s = new store.SqliteStore({ file });
      const health = [];
      s.watchHealth((failure) => health.push(failure));
      const c = client(port, s);
      await c.start();
      for (let i = 0; i < 5; i++) assert.equal((await c.send({ to: '13800138000', payload: `before ${i}` })).ok, true);

      const filler = fillDisk(dir);
      // A gateway slower than the commit interval: the next message's record must reach the file, and cannot.
      // The store says so, and the message is not held back by it.
      sim.faults.responseDelayMs = 50;
      const during = await c.send({ to: '13800138000', payload: 'x'.repeat(120) }).catch((err) => err);
      sim.faults.responseDelayMs = 0;
      await until(() => health.length === 1, { what: 'the store to say it cannot write' });
      assert.equal(health[0].code, 'STORE_WRITE');
      assert.match(health[0].message, /cmpp\.sqlite cannot be written .*disk is full/);
      assert.ok(during.ok === true || during.code === 'STORE_WRITE', 'the message in the way got an outcome');
      const refused = await c.send({ to: '13800138000', payload: 'while full' }).catch((err) => err);
      assert.equal(refused.code, 'STORE_WRITE');
      assert.equal(s.failure.code, 'STORE_WRITE');

      fs.unlinkSync(filler);
      await until(() => health.length === 2, { timeoutMs: 20000, what: 'the store to write again' });
      assert.equal(health[1], undefined, 'it says it writes again');
      assert.equal((await c.send({ to: '13800138000', payload: 'after' })).ok, true);
      await c.close();
      s.close();
      assert.deepEqual(rows(file, 'messages'), [], 'nothing is left in the journal: every message had its outcome');
      assert.deepEqual(rows(file, 'outbox'), []);
    });

    it('parked messages: the disk fills while they wait, and none is lost; once there is room each is sent once, in order, with one outcome', async () => {
      const gateway = await freePort();
      const s = new store.SqliteStore({ file: path.join(dir, 'parked.sqlite') });
      const c = client(gateway, s, { queueInMemory: 5, maxQueue: 1000, queueTimeoutMs: 0 });
      const carried = [];
      c.on('carried', (x) => carried.push(x));
      c.start().catch(() => undefined);
      await c.recovery;
      const give = (n) => {
        const request = { to: '13800138000', payload: `parked ${n}`, correlation: { n }, origin: 'node-1' };
        return c.parking ? c.park(request) : c.send(request);
      };
      const first = [];
      for (let n = 0; n < 30; n++) first.push(give(n));
      await Promise.all(first.slice(5)); // the 25 parked are in the file
      const filler = fillDisk(dir);
      // Parked while the file cannot take them: they wait in memory, gathered, for the disk.
      for (let n = 30; n < 40; n++) first.push(give(n).catch((err) => err));
      await until(() => s.failure, { what: 'the store to find the disk full' });
      const gatewaySim = new IsmgSimulator({ port: gateway });
      await gatewaySim.start();
      try {
        await until(() => gatewaySim.record.submits.length >= 30, { what: 'what the file holds sent' });
        fs.unlinkSync(filler);
        await until(() => carried.length + 5 >= 40 && !s.failure, { timeoutMs: 20000, what: 'every outcome once the disk has room' });
        const texts = gatewaySim.record.submits.map((x) => x.body.msgContent.toString());
        assert.deepEqual(
          texts,
          Array.from({ length: 40 }, (_, n) => `parked ${n}`),
          'each sent once, in order',
        );
        assert.deepEqual(
          carried.map((x) => x.correlation.n),
          Array.from({ length: 35 }, (_, i) => i + 5),
        );
        assert.ok(carried.every((x) => x.result.ok));
      } finally {
        await c.close();
        s.close();
        await gatewaySim.stop();
      }
    });

    it('opens on a disk still full at start without a crash, refuses sends, and opens by itself once there is room', async () => {
      const filler = fillDisk(dir);
      const s = new store.SqliteStore({ file: path.join(dir, 'new.sqlite') });
      assert.equal(s.failure.code, 'STORE_WRITE');
      assert.match(s.failure.message, /cannot be opened for writing/);
      const c = client(port, s);
      await c.start();
      assert.equal((await c.send({ to: '13800138000', payload: 'x' }).catch((err) => err)).code, 'STORE_WRITE');
      fs.unlinkSync(filler);
      await until(() => !s.failure, { timeoutMs: 20000, what: 'the store to open' });
      assert.equal((await c.send({ to: '13800138000', payload: 'y' })).ok, true);
      await c.close();
      s.close();
    });
  });

  describe('a full disk while the log is checkpointed on a thread of its own (16 MiB tmpfs)', () => {
    onTmpfs('16m');

    /** the ids of the threads this process runs besides its own (a diagnostic report lists them) */
    const threads = () => process.report.getReport().workers.map((w) => w.header.threadId);

    it('a busy store: the disk fills and frees while a thread checkpoints its log; each message has one outcome, and none is sent twice', async () => {
      const file = path.join(dir, 'busy.sqlite');
      const s = new store.SqliteStore({ file });
      const health = [];
      s.watchHealth((failure) => health.push(failure));
      const c = client(port, s, { window: 4 });
      await c.start();
      const outcomes = new Map();
      const sends = [];
      let n = 0;
      const send = (count, text = 'busy') => {
        for (let i = 0; i < count; i++) {
          const k = n++;
          sends.push(
            c.send({ to: '13800138000', payload: `${text} ${k}` }).then(
              (r) => outcomes.set(k, r.ok ? 'ok' : String(r.results[0].code)),
              (err) => outcomes.set(k, err.code),
            ),
          );
        }
        return Promise.all(sends);
      };
      // A gateway slower than the commit interval: every message reaches the file, commit after commit, until the store is busy enough for a thread.
      sim.faults.responseDelayMs = 10;
      const before = new Set(threads());
      while (threads().every((id) => before.has(id))) await send(40);
      // The disk full, and the gateway slower still: the queue grows in the file until the file can grow no more.
      const filler = fillDisk(dir);
      sim.faults.responseDelayMs = 200;
      while (!health.length) {
        void send(50, 'x'.repeat(150));
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(health[0].code, 'STORE_WRITE');
      fs.unlinkSync(filler);
      sim.faults.responseDelayMs = 0;
      await until(() => health.length >= 2, { timeoutMs: 20000, what: 'the store to write again' });
      assert.equal(health[1], undefined);
      await send(40);
      await c.close();
      s.close();

      assert.equal(outcomes.size, n, 'each message one outcome');
      const texts = new Set(sim.record.submits.map((x) => x.body.msgContent.toString().split(' ').pop()));
      assert.equal(texts.size, sim.record.submits.length, 'none sent twice');
      for (const [k, outcome] of outcomes) {
        // Refused only as a send the full disk could not write down; else sent.
        if (outcome === 'ok') assert.ok(texts.has(String(k)), `message ${k} had its outcome ok and reached the gateway`);
        else assert.equal(outcome, 'STORE_WRITE', `message ${k}: ${outcome}`);
      }
      assert.deepEqual(rows(file, 'messages'), [], 'nothing is left in the journal');
      assert.deepEqual(rows(file, 'outbox'), []);
    });
  });

  it('one process at a time on a store file: a second refuses sends with STORE_WRITE saying another has it, and once the first is killed takes up what it kept, each sent once', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const internal = path.resolve(__dirname, '../../dist/src/internal');
    // The first process: its gateway is down, so its messages wait in the file.
    const first = spawn(
      process.execPath,
      [
        '-e',
        `
        const { cmpp, store } = require(${JSON.stringify(internal)});
        const s = new store.SqliteStore({ file: process.argv[1] });
        const c = new cmpp.CmppClient({ host: '127.0.0.1', port: Number(process.argv[2]), spId: '901234', sharedSecret: 'secret', store: s, reconnect: { initialMs: 20, maxMs: 50 } });
        c.on('error', () => undefined);
        c.start().catch(() => undefined);
        for (let i = 0; i < 5; i++) c.send({ to: '13800138000', payload: 'kept ' + i }).catch(() => undefined);
        setTimeout(() => { s.flush(); process.stdout.write('kept\\n'); }, 50);
        setInterval(() => undefined, 1000);
      `,
        file,
        String(await freePort()),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((resolve) => first.once('exit', resolve));
    try {
      await new Promise((resolve, reject) => {
        first.stdout.once('data', resolve);
        exited.then(() => reject(new Error('the first process ended before it kept its messages')));
      });
      // The second, on the same file, while the first holds it.
      const s = new store.SqliteStore({ file });
      assert.equal(s.failure?.code, 'STORE_WRITE');
      assert.match(s.failure.message, /another process has it open/);
      assert.ok(s.failure.message.includes(file), 'it names the file');
      const c = client(port, s);
      const carried = [];
      c.on('carried', (x) => carried.push(x));
      await c.start();
      const refused = await c.send({ to: '13800138000', payload: 'refused' }).catch((err) => err);
      assert.equal(refused.code, 'STORE_WRITE');
      assert.equal(sim.record.submits.length, 0, 'nothing the first process keeps is sent by the second');
      // kill -9: the system lets the lock go with the process.
      first.kill('SIGKILL');
      await exited;
      await until(() => !s.failure, { timeoutMs: 20000, what: 'the store to open once the first process is gone' });
      await until(() => carried.length === 5, { timeoutMs: 20000, what: 'the five kept messages taken up and answered' });
      assert.deepEqual(sim.record.submits.map((x) => x.body.msgContent.toString()).sort(), ['kept 0', 'kept 1', 'kept 2', 'kept 3', 'kept 4']);
      assert.equal((await c.send({ to: '13800138000', payload: 'now' })).ok, true);
      await c.close();
      s.close();
    } finally {
      // Never left running when an assertion fails.
      if (first.exitCode === null && first.signalCode === null) first.kill('SIGKILL');
    }
  });

  it('a folder that cannot be made at start: STORE_WRITE for each send, no crash, and the store opens by itself once it can, taking up what it held', async () => {
    const blocker = path.join(dir, 'state');
    fs.writeFileSync(blocker, 'a file where the folder should be');
    const file = path.join(blocker, 'cmpp.sqlite');
    const s = new store.SqliteStore({ file });
    assert.equal(s.failure.code, 'STORE_WRITE');
    assert.ok(s.failure.message.includes(file), 'it names the file');
    const c = client(port, s);
    const carried = [];
    c.on('carried', (x) => carried.push(x));
    await c.start();
    const refused = await Promise.all([1, 2, 3].map((i) => c.send({ to: '13800138000', payload: `m${i}` }).catch((err) => err)));
    assert.deepEqual(
      refused.map((e) => e.code),
      ['STORE_WRITE', 'STORE_WRITE', 'STORE_WRITE'],
    );
    assert.equal(sim.record.submits.length, 0);
    fs.unlinkSync(blocker);
    await until(() => !s.failure, { timeoutMs: 20000, what: 'the store to open' });
    assert.equal((await c.send({ to: '13800138000', payload: 'now' })).ok, true);
    assert.equal(carried.length, 0);
    await c.close();
    s.close();
    assert.ok(fs.existsSync(file));
  });

  it('an outcome is given only once a restart can no longer carry its message over: with the gateway slow, each message is in the file and its removal committed before its outcome', async () => {
    const file = path.join(dir, 'cmpp.sqlite');
    const s = new store.SqliteStore({ file });
    const c = client(port, s);
    await c.start();
    // Answers that take longer than the commit interval: every record reaches the file before its answer.
    sim.faults.responseDelayMs = 40;
    const stillInFile = [];
    const texts = Array.from({ length: 20 }, (_, i) => `valve ${i} open`);
    let inFileWhileWaiting = 0;
    const sends = texts.map((text) =>
      c.send({ to: '13800138000', payload: text, correlation: { text } }).then((r) => {
        assert.equal(r.ok, true);
        // What a kill -9 at this moment would leave for the restart: this message must not be there.
        if (rows(file, 'messages').some((m) => m.correlation.text === text)) stillInFile.push(text);
      }),
    );
    await until(() => (inFileWhileWaiting = rows(file, 'messages').length) === 20, { what: 'the 20 records in the file while the gateway is slow' });
    await Promise.all(sends);
    assert.equal(inFileWhileWaiting, 20);
    assert.deepEqual(stillInFile, [], 'an outcome came while its message was still in the file');
    assert.deepEqual(rows(file, 'messages'), [], 'nothing left in the journal');
    await c.close();
    s.close();
  });

  it('a message answered within the commit interval never reaches the file, and its outcome comes without waiting for a commit', async () => {
    const file = path.join(dir, 'fast.sqlite');
    const s = new store.SqliteStore({ file, commitIntervalMs: 600000 });
    const c = client(port, s);
    await c.start();
    const r = await c.send({ to: '13800138000', payload: 'door 3 closed' });
    assert.equal(r.ok, true);
    s.flush();
    assert.deepEqual(rows(file, 'messages'), []);
    assert.deepEqual(rows(file, 'outbox'), []);
    await c.close();
    s.close();
  });

  it('with a store that commits only when told: a message whose record is in the file gets no outcome before its removal is committed', async () => {
    const file = path.join(dir, 'slow.sqlite');
    const s = new store.SqliteStore({ file, commitIntervalMs: 600000 });
    const c = client(port, s);
    await c.start();
    // The answer comes a second after the SUBMIT: time for the test to commit the record first.
    sim.faults.responseDelayMs = 1000;
    let result;
    c.send({ to: '13800138000', payload: 'valve 7 open' }).then((r) => (result = r));
    await until(() => sim.record.submits.length === 1, { what: 'the SUBMIT' });
    s.flush(); // the record reaches the file, as it does for a message that waits longer than the interval
    assert.equal(rows(file, 'messages').length, 1);
    // Only this test commits from here: the commit that would come at the next turn is kept back.
    const flush = s.flush.bind(s);
    let allow = false;
    s.flush = (...args) => allow && flush(...args);
    await until(() => c.session.depth === 0, { what: 'the answer' });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(result, undefined, 'answered, but its removal is not committed: no outcome yet (a crash now sends it again, once)');
    assert.equal(rows(file, 'messages').length, 1);
    allow = true;
    flush();
    await until(() => result !== undefined, { what: 'the outcome' });
    assert.equal(result.ok, true);
    assert.deepEqual(rows(file, 'messages'), []);
    s.flush = flush;
    await c.close();
    s.close();
  });

  it('a long message stopped with parts 1 and 2 answered sends only part 3 after the restart', async () => {
    const file = path.join(dir, 'cmpp.sqlite');
    const first = new store.SqliteStore({ file });
    const c1 = client(port, first, { queueTimeoutMs: 0 });
    await c1.start();
    let seen = 0;
    // Answers slower than the commit interval: every part is in the file before its answer, so that the
    // answered ones must be deleted from it (a message answered sooner never reaches the file at all).
    sim.faults.responseDelayMs = 50;
    sim.on('submit', () => {
      if (++seen === 3) sim.faults.withholdResponses = true; // part 3 is never answered
    });
    const text = 'The cooling of room 2 failed at 03:12; '.repeat(9); // 351 GSM characters: 3 parts of 153
    c1.send({ to: '13800138000', payload: text, correlation: { alert: 42 } }).catch(() => undefined);
    await until(() => seen === 3 && c1.session.depth === 1, { what: 'parts 1 and 2 answered, part 3 waiting' });
    first.flush();
    const kept = rows(file, 'outbox');
    assert.deepEqual(
      kept.map((e) => e.body.pkNumber),
      [3],
      'only the unanswered part is in the outbox',
    );
    await c1.close();
    first.close();

    sim.faults.withholdResponses = false;
    sim.faults.responseDelayMs = 0;
    const before = sim.record.submits.length;
    const second = new store.SqliteStore({ file });
    const c2 = client(port, second);
    const carried = [];
    c2.on('carried', (x) => carried.push(x));
    await c2.start();
    await until(() => carried.length === 1, { what: 'the message carried over' });
    const after = sim.record.submits.slice(before);
    assert.deepEqual(
      after.map((x) => `${x.body.pkNumber}/${x.body.pkTotal}`),
      ['3/3'],
      'parts 1 and 2 were not sent again',
    );
    assert.equal(carried[0].result.ok, true);
    assert.deepEqual(carried[0].result.results.map((r) => r.part).sort(), [1, 2, 3]);
    assert.deepEqual(carried[0].correlation, { alert: 42 });
    await c2.close();
    second.close();
  });
});
