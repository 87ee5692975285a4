'use strict';
// The SQLite store under a CMPP client, over a real file: what waited behind
// an absent gateway is sent after a restart and each message gets its
// outcome, with its correlation; reports that come later are matched.
const { sqliteDriver } = require('../../dist/src/store/sqlite-driver');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { cmpp, imsp, modem, store } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until } = require('../support/wait');
const { freePort } = require('../support/node-red-process');
const { sendsAtStart } = require('../support/sends-at-start');

const SP = { spId: '901234', sharedSecret: 'secret' };

/** The rows a query reads from the file, as another process reads it while the store writes (WAL lets it in). */
function read(file, sql) {
  const db = sqliteDriver().open(file, { readonly: true });
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}


describe('SQLite store under the CMPP client', function () {
  this.timeout(30000);
  let dir;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smsflow-store-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function client(port, file, extra = {}) {
    const s = new store.SqliteStore({ file });
    const c = new cmpp.CmppClient({ host: '127.0.0.1', port, ...SP, store: s, reconnect: { initialMs: 20, maxMs: 50 }, queueTimeoutMs: 0, ...extra });
    c.on('error', () => undefined);
    return { c, s };
  }

  it('sends after a restart what waited behind an absent gateway, one outcome each, reports matched', async () => {
    const port = await freePort();
    const file = path.join(dir, 'cmpp.sqlite');
    const first = client(port, file);
    first.c.start().catch(() => undefined);
    const outcomes = [];
    for (let i = 0; i < 200; i++) first.c.send({ to: '13800138000', payload: `queued ${i}`, registeredDelivery: true, correlation: { n: i }, origin: 'node-1' }).then((r) => outcomes.push(r));
    await until(() => first.c.session.depth === 200);
    await first.c.close();
    first.s.close();
    assert.equal(outcomes.length, 0, 'nothing was failed: it waits in the store');

    const sim = new testing.IsmgSimulator({ port, reportDelayMs: 20 });
    await sim.start();
    const second = client(port, file);
    const carried = [];
    const reports = [];
    second.c.on('carried', (c) => carried.push(c));
    second.c.on('report', (r) => reports.push(r));
    await second.c.start();
    await until(() => carried.length === 200, { timeoutMs: 10000, what: '200 carried-over outcomes' });
    assert.deepEqual(carried.map((c) => c.correlation.n).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
    for (const c of carried) {
      assert.equal(c.origin, 'node-1');
      assert.equal(c.result.carriedOver, true);
      assert.equal(c.result.ok, true);
    }
    assert.equal(sim.record.submits.length, 200, 'each sent once');
    await until(() => reports.length === 200, { timeoutMs: 10000, what: '200 reports' });
    assert.equal(reports.filter((r) => !r.matched).length, 0);
    assert.deepEqual(reports.map((r) => r.correlation.n).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
    await second.c.close();
    second.s.close();
    await sim.stop();
  });

  it('messages sent the moment a client starts, before it has read the file, take no kept message\'s place: each sent once, the kept ones first', async () => {
    const file = path.join(dir, 'start.sqlite');
    await sendsAtStart(() => new store.SqliteStore({ file }));
  });

  /** An at-most-once client started on `file`, once the `count` messages it carried over have their outcomes. */
  async function restartAtMostOnce(port, file, window, count) {
    const second = client(port, file, { delivery: 'at-most-once', window });
    const carried = [];
    second.c.on('carried', (c) => carried.push(c));
    await second.c.start();
    await until(() => carried.length === count, { what: `${count} outcomes after the restart` });
    return { second, carried };
  }

  it('at-most-once: what had left before a restart ends uncertain after it and is not sent again; what had not left is sent', async () => {
    const sim = new testing.IsmgSimulator();
    const port = await sim.start();
    const file = path.join(dir, 'cmpp.sqlite');
    const first = client(port, file, { delivery: 'at-most-once', window: 2 });
    await first.c.start();
    sim.faults.withholdResponses = true;
    for (let i = 0; i < 4; i++) first.c.send({ to: '13800138000', payload: `m${i}`, correlation: { n: i } });
    await until(() => sim.record.submits.length === 2, { what: 'two in flight, two queued' });
    await first.c.close();
    first.s.close();
    sim.faults.withholdResponses = false;
    const { second, carried } = await restartAtMostOnce(port, file, 2, 4);
    const byN = Object.fromEntries(carried.map((c) => [c.correlation.n, c.result.results[0].code]));
    assert.deepEqual(byN, { 0: 'CMPP_UNCERTAIN', 1: 'CMPP_UNCERTAIN', 2: 0, 3: 0 });
    assert.equal(sim.record.submits.length, 4, 'the two that had left were not sent again');
    await second.c.close();
    second.s.close();
    await sim.stop();
  });

  it('at-most-once across a crash: messages that waited in the file and left just before a kill -9 are not sent again after it', async () => {
    const port = await freePort();
    const file = path.join(dir, 'crash.sqlite');
    const image = path.join(dir, 'crash-image.sqlite');
    const inFile = (f) => read(f, 'SELECT record FROM outbox');
    // The gateway is down: all 20 wait, and reach the file.
    const first = client(port, file, { delivery: 'at-most-once', window: 8 });
    first.c.start().catch(() => undefined);
    for (let i = 0; i < 20; i++) first.c.send({ to: '13800138000', payload: `m${i}`, correlation: { n: i } }).catch(() => undefined);
    await until(() => fs.existsSync(file) && inFile(file).length === 20, { what: 'the 20 in the file' });
    // It comes up and answers nothing; the moment the first SUBMIT arrives, the files are what a kill -9 would leave.
    const sim = new testing.IsmgSimulator({ port });
    sim.faults.withholdResponses = true;
    let imaged = false;
    sim.once('submit', () => {
      for (const suffix of ['', '-wal']) if (fs.existsSync(file + suffix)) fs.copyFileSync(file + suffix, image + suffix);
      imaged = true;
    });
    await sim.start();
    await until(() => imaged && sim.record.submits.length === 8, { what: 'the first 8 sent' });
    const leftBeforeCrash = sim.record.submits.length;
    await first.c.close();
    first.s.close();
    // The restart, from the crash's files.
    sim.faults.withholdResponses = false;
    const { second, carried } = await restartAtMostOnce(port, image, 8, 20);
    const texts = sim.record.submits.map((s) => String(s.body.msgContent));
    const twice = texts.filter((t, i) => texts.indexOf(t) !== i);
    assert.deepEqual(twice, [], 'sent again after the crash');
    const uncertain = carried.filter((c) => c.result.results[0].code === 'CMPP_UNCERTAIN').length;
    assert.ok(uncertain >= leftBeforeCrash, `${uncertain} uncertain, ${leftBeforeCrash} had left`);
    assert.equal(texts.length, 20);
    await second.c.close();
    second.s.close();
    await sim.stop();
  });

  it('matches after a restart the reports of messages sent before it', async () => {
    const sim = new testing.IsmgSimulator({ reportDelayMs: 100000 });
    const port = await sim.start();
    const file = path.join(dir, 'cmpp.sqlite');
    const first = client(port, file);
    await first.c.start();
    const sent = await first.c.send({ to: ['13800138000', '13900139000'], payload: 'x'.repeat(300), registeredDelivery: true, correlation: { ticket: 'T-1' } });
    assert.equal(sent.parts, 3);
    await first.c.close();
    first.s.close();
    const second = client(port, file);
    const reports = [];
    second.c.on('report', (r) => reports.push(r));
    await second.c.start();
    await sim.flushReports();
    await until(() => reports.length === 2, { what: 'both reports' });
    for (const r of reports) assert.deepEqual([r.matched, r.status, r.correlation, r.parts], [true, 'delivered', { ticket: 'T-1' }, { total: 3, delivered: 3, failed: 0 }]);
    await second.c.close();
    second.s.close();
    await sim.stop();
  });

  it('joins a long incoming message whose parts came on both sides of a restart, once', async () => {
    const sim = new testing.IsmgSimulator();
    const port = await sim.start();
    const file = path.join(dir, 'cmpp.sqlite');
    const text = '機房溫度過高，請立即檢查冷氣。'.repeat(12); // 180 characters: 3 parts of 67
    const first = client(port, file);
    const before = [];
    first.c.on('message', (m) => before.push(m));
    await first.c.start();
    await sim.injectMo({ from: '13800138000', to: '1069001', text, reference: 77, order: [0, 1] });
    await first.c.close();
    first.s.close();
    assert.equal(before.length, 0, 'not handed on incomplete: the store keeps its parts');
    const second = client(port, file);
    const after = [];
    second.c.on('message', (m) => after.push(m));
    await second.c.start();
    await sim.injectMo({ from: '13800138000', to: '1069001', text, reference: 77, order: [2] });
    await until(() => after.length === 1, { what: 'the joined message' });
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(after.length, 1);
    assert.deepEqual([after[0].payload, after[0].sms.parts, after[0].sms.incomplete], [text, 3, false]);
    await second.c.close();
    second.s.close();
    await sim.stop();
  });

  it('modem: a status report that comes after a restart is matched with the correlation from before it', async () => {
    const network = new testing.VirtualNetwork({ reportDelayMs: 300 });
    const a = network.modem('+886911111111');
    network.phone('+886922222222');
    const port = await a.listen();
    const file = path.join(dir, 'modem.sqlite');
    const open = () => {
      const s = new store.SqliteStore({ file });
      const m = new modem.Modem({ port: `tcp://127.0.0.1:${port}`, signalIntervalMs: 0, store: s });
      m.on('error', () => undefined);
      return { s, m };
    };
    const first = open();
    await first.m.start();
    const sent = await first.m.send({ to: '+886922222222', payload: 'Pump 3 stopped.', statusReport: true, correlation: { ticket: 'P-3' } });
    assert.equal(sent.ok, true);
    await first.m.close();
    first.s.close();
    const second = open();
    const reports = [];
    second.m.on('report', (r) => reports.push(r));
    await second.m.start();
    await until(() => reports.length === 1, { what: 'the report after the restart' });
    assert.deepEqual([reports[0].matched, reports[0].status, reports[0].correlation], [true, 'delivered', { ticket: 'P-3' }]);
    await second.m.close();
    second.s.close();
    network.stop();
  });

  it('IMSP: the delivery polling resumes after a restart and reports with the correlation from before it', async () => {
    const sim = new testing.ImspSimulator({ deliverAfterMs: 200 });
    await sim.start();
    const file = path.join(dir, 'imsp.sqlite');
    const open = () => {
      const s = new store.SqliteStore({ file });
      const c = new imsp.ImspClient({ account: 'demo0001', password: 'pass1234', baseUrl: sim.baseUrl, ca: sim.certificate.cert, polling: { initialMs: 50, maxMs: 100 }, store: s });
      c.on('error', () => undefined);
      return { s, c };
    };
    const first = open();
    assert.equal((await first.c.send({ to: '0912345678', payload: 'x', track: true, correlation: { ticket: 'I-1' } })).ok, true);
    first.c.close();
    first.s.close();
    const second = open();
    const reports = [];
    second.c.on('report', (r) => reports.push(r));
    assert.equal(await second.c.resume(), 1, 'one message to poll for');
    await until(() => reports.length === 1, { what: 'the report' });
    assert.deepEqual([reports[0].matched, reports[0].status, reports[0].correlation], [true, 'delivered', { ticket: 'I-1' }]);
    second.c.close();
    second.s.close();
    await sim.stop();
  });

  it('finds an expectation by its carrier id before it is committed, and a removed one not at all, without committing', () => {
    const file = path.join(dir, 'lookups.sqlite');
    const s = new store.SqliteStore({ file, commitIntervalMs: 60000 });
    const expectation = (key, id) => ({ key, to: '13800138000', total: 1, ids: { 1: id }, shown: {}, outcomes: {}, submittedAt: '2026-11-26T00:00:00Z', expiresAt: Date.now() + 60000 });
    s.reports.save(expectation('m-1:13800138000', '111'));
    s.flush();
    s.reports.save(expectation('m-2:13800138000', '222'));
    s.reports.remove('m-1:13800138000');
    const committed = () => read(file, 'SELECT key FROM reports ORDER BY key').map((r) => r.key);
    assert.equal(s.reports.findById('222')?.key, 'm-2:13800138000', 'saved, not yet committed');
    assert.equal(s.reports.has('m-2:13800138000'), true);
    assert.equal(s.reports.findById('111'), undefined, 'in the file, removed since');
    assert.equal(s.reports.has('m-1:13800138000'), false);
    assert.deepEqual(committed(), ['m-1:13800138000'], 'the lookups committed nothing');
    s.flush();
    assert.deepEqual(committed(), ['m-2:13800138000']);
    assert.equal(s.reports.findById('222')?.key, 'm-2:13800138000', 'read back from the file');
    assert.equal(s.reports.findById('111'), undefined);
    s.close();
  });

  it('writes to the file by itself again after a commit found nothing left to write (a row made and removed within the interval)', async () => {
    const file = path.join(dir, 'again.sqlite');
    const s = new store.SqliteStore({ file, commitIntervalMs: 5 });
    const entry = (id) => ({ id, command: 'SUBMIT', body: { msgContent: Buffer.from(`alert ${id}`) }, enqueuedAt: Date.now(), tries: 0, sent: false, flowRetries: 0 });
    const inFile = () => read(file, 'SELECT id FROM outbox ORDER BY id').map((r) => r.id);
    s.outbox.add(entry(1));
    s.outbox.remove(1); // answered at once: the interval's commit finds nothing
    await new Promise((r) => setTimeout(r, 30));
    s.outbox.add(entry(2)); // waits: it must reach the file by the store's own timer
    await until(() => inFile().includes(2), { timeoutMs: 5000, what: 'entry 2 in the file' });
    assert.deepEqual(inFile(), [2]);
    s.close();
  });

  it('moves a damaged file aside and starts afresh, saying so', () => {
    const file = path.join(dir, 'broken.sqlite');
    fs.writeFileSync(file, 'this is not a database, just text that is long enough to have a header'.repeat(20));
    const moved = [];
    const s = new store.SqliteStore({ file, onMovedAside: (from, to, why) => moved.push({ from, to, why }) });
    s.outbox.add({ id: 1, command: 'SUBMIT', body: {}, enqueuedAt: 0, tries: 0, sent: false, flowRetries: 0 });
    s.flush();
    assert.equal(s.outbox.load().length, 1);
    s.close();
    assert.equal(moved.length, 1);
    assert.match(moved[0].to, /broken\.sqlite\.corrupt-/);
    assert.ok(fs.existsSync(moved[0].to), 'the damaged file is kept for whoever wants to look');
  });
});
