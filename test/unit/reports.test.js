'use strict';
const assert = require('node:assert/strict');
const core = require('../../dist/src/internal');
const { ReportTracker } = core;
const { until } = require('../support/wait');

function tracker(options = {}) {
  const t = new ReportTracker({ channel: 'test', ...options });
  const reports = [];
  t.on('report', (r) => reports.push(r));
  return { t, reports };
}

const part = (group, to, p, total, extra = {}) => ({ group, to, part: p, total, submittedAt: '2026-11-22T00:00:00Z', ...extra });

describe('delivery report tracker', () => {
  it('reports a message once every part has a final state, delivered only if all are', () => {
    const { t, reports } = tracker();
    t.expect('a1', part('g1', '111', 1, 2, { correlation: 'x' }));
    t.expect('a2', part('g1', '111', 2, 2));
    assert.equal(t.resolve('a2', { status: 'delivered', detail: 'DELIVRD', doneAt: '2026-11-22T00:01:00+08:00' }), true);
    assert.equal(reports.length, 0, 'waits for the other part');
    assert.equal(t.resolve('a1', { status: 'pending', detail: 'ACCEPTD' }), true);
    assert.equal(reports.length, 0, 'an intermediate state is not final');
    t.resolve('a1', { status: 'delivered', detail: 'DELIVRD', doneAt: '2026-11-22T00:00:30+08:00' });
    assert.deepEqual(reports, [{ channel: 'test', id: 'a1', to: '111', status: 'delivered', detail: 'DELIVRD', submittedAt: '2026-11-22T00:00:00Z', doneAt: '2026-11-22T00:01:00+08:00', correlation: 'x', matched: true, parts: { total: 2, delivered: 2, failed: 0 } }]);
    assert.equal(t.pending, 0);
  });

  it('takes the first failed part\'s state, and shows the carrier id when the key differs', () => {
    const { t, reports } = tracker();
    t.expect('H1|09', part('g', '09', 1, 2, { carrierId: 'H1' }));
    t.expect('H2|09', part('g', '09', 2, 2, { carrierId: 'H2' }));
    t.resolve('H1|09', { status: 'delivered', detail: '0' });
    t.resolve('H2|09', { status: 'undeliverable', detail: '8 SIM card memory full' });
    assert.deepEqual([reports[0].id, reports[0].status, reports[0].detail, reports[0].parts], ['H1', 'undeliverable', '8 SIM card memory full', { total: 2, delivered: 1, failed: 1 }]);
  });

  it('still emits a report nothing waited for, marked unmatched, once it has waited for its expectation', async () => {
    const { t, reports } = tracker({ earlyHoldMs: 30 });
    assert.equal(t.resolve('zzz', { status: 'delivered', detail: 'DELIVRD', to: '222' }), false);
    assert.equal(reports.length, 0, 'held first: its SUBMIT_RESP may still be on the way');
    assert.equal(t.held, 1);
    await until(() => reports.length === 1, { what: 'the hold to end' });
    assert.deepEqual([reports[0].id, reports[0].to, reports[0].matched], ['zzz', '222', false]);
    assert.equal(t.counts.unmatched, 1);
    assert.equal(t.held, 0);
  });

  it('matches a report that arrived before its expectation, whatever the order of the parts', () => {
    const { t, reports } = tracker();
    t.resolve('e2', { status: 'delivered', detail: 'DELIVRD', to: '444' });
    t.expect('e1', part('g', '444', 1, 2, { correlation: 'c' }));
    t.resolve('e1', { status: 'delivered', detail: 'DELIVRD', to: '444' });
    assert.equal(reports.length, 0);
    t.expect('e2', part('g', '444', 2, 2, { correlation: 'c' }));
    assert.deepEqual([reports.length, reports[0].matched, reports[0].correlation, reports[0].parts], [1, true, 'c', { total: 2, delivered: 2, failed: 0 }]);
    assert.deepEqual([t.counts.unmatched, t.counts.early, t.held], [0, 1, 0]);
  });

  it('bounds the reports it holds: past the bound the oldest is reported unmatched', () => {
    const { t, reports } = tracker({ maxEarly: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) t.resolve(id, { status: 'delivered', detail: 'DELIVRD' });
    assert.deepEqual(reports.map((r) => [r.id, r.matched]), [['a', false], ['b', false]]);
    assert.equal(t.held, 3);
    t.close();
    assert.deepEqual(reports.map((r) => r.id), ['a', 'b', 'c', 'd', 'e'], 'close reports what it held');
  });

  it('gives up after the TTL: the message is reported unknown, with what did arrive', async () => {
    const { t, reports } = tracker({ ttlMs: 40 });
    t.expect('b1', part('g', '333', 1, 2));
    t.expect('b2', part('g', '333', 2, 2));
    t.resolve('b1', { status: 'delivered', detail: 'DELIVRD' });
    await until(() => reports.length === 1, { what: 'the expiry' });
    assert.deepEqual([reports[0].status, reports[0].parts], ['unknown', { total: 2, delivered: 1, failed: 0 }]);
    assert.match(reports[0].detail, /no report within 0 s|no report within/);
    assert.equal(t.counts.expired, 1);
    t.close();
  });

  it('keeps at most maxPending messages: the oldest is reported and dropped, counted', () => {
    const { t, reports } = tracker({ maxPending: 2 });
    t.expect('1', part('g1', 'a', 1, 1));
    t.expect('2', part('g2', 'b', 1, 1));
    t.expect('3', part('g3', 'c', 1, 1));
    assert.deepEqual(reports.map((r) => [r.to, r.status]), [['a', 'unknown']]);
    assert.match(reports[0].detail, /too many reports pending/);
    assert.equal(t.counts.dropped, 1);
    assert.equal(t.pending, 2);
    t.close();
  });

  it('at the bound, drops the oldest still waiting, passing over those reported since, in the order they came', () => {
    const { t, reports } = tracker({ maxPending: 3 });
    for (const [id, g] of [['1', 'g1'], ['2', 'g2'], ['3', 'g3']]) t.expect(id, part(g, g, 1, 1));
    t.resolve('1', { status: 'delivered', detail: 'DELIVRD' });
    t.resolve('3', { status: 'delivered', detail: 'DELIVRD' });
    t.expect('4', part('g4', 'g4', 1, 1));
    t.expect('5', part('g5', 'g5', 1, 1));
    t.expect('6', part('g6', 'g6', 1, 1)); // the bound: g2 is the oldest still waiting
    t.expect('7', part('g7', 'g7', 1, 1)); // then g4
    assert.deepEqual(reports.map((r) => [r.to, r.status]), [['g1', 'delivered'], ['g3', 'delivered'], ['g2', 'unknown'], ['g4', 'unknown']]);
    // Many come and go: the first came at the bound and dropped g5; g6 and g7 wait.
    for (let i = 0; i < 5000; i++) {
      t.expect(`x${i}`, part(`x${i}`, 'x', 1, 1));
      t.resolve(`x${i}`, { status: 'delivered', detail: 'DELIVRD' });
    }
    assert.deepEqual(reports.slice(4, 5).map((r) => [r.to, r.status]), [['g5', 'unknown']]);
    assert.equal(t.pending, 2);
    t.close();
  });

  it('an id given again while its first part still waits: each report goes to the oldest waiting, never the later one first', () => {
    const { t, reports } = tracker();
    // A modem's reference 7 to one number, then again 256 sends later, both waiting.
    t.expect('7:111', part('first', '111', 1, 1, { correlation: 'first' }));
    t.expect('7:111', part('later', '111', 1, 1, { correlation: 'later' }));
    assert.equal(t.pending, 2);
    t.resolve('7:111', { status: 'expired', detail: 'validity period expired' });
    assert.deepEqual(reports.map((r) => [r.correlation, r.status]), [['first', 'expired']]);
    assert.equal(t.expects('7:111'), true, 'the later one still waits');
    t.resolve('7:111', { status: 'delivered', detail: 'delivered' });
    assert.deepEqual(reports.map((r) => [r.correlation, r.status]), [['first', 'expired'], ['later', 'delivered']]);
    assert.deepEqual([t.pending, t.expects('7:111'), t.counts.unmatched], [0, false, 0]);
  });

  it('an id given again: the first one reaching its TTL leaves the later one waiting under it', async () => {
    let clock = 0;
    const { t, reports } = tracker({ ttlMs: 1000, now: () => clock });
    t.expect('9:222', part('a', '222', 1, 1, { correlation: 'a' }));
    clock = 500;
    t.expect('9:222', part('b', '222', 1, 1, { correlation: 'b' }));
    clock = 1100; // past the first one's TTL, not the later one's
    await until(() => reports.length === 1, { what: 'the first to reach its TTL' });
    assert.deepEqual(reports.map((r) => [r.correlation, r.status]), [['a', 'unknown']]);
    assert.equal(t.expects('9:222'), true);
    t.resolve('9:222', { status: 'delivered', detail: 'delivered' });
    assert.deepEqual(reports.map((r) => [r.correlation, r.status]), [['a', 'unknown'], ['b', 'delivered']]);
    t.close();
  });
});

describe('delivery report tracker over a shared store', () => {
  it('matches on instance B a report for what instance A sent, with A\'s correlation, and A does not report it again', async () => {
    const shared = new core.store.MemoryStore().reports;
    const a = tracker({ store: shared, ttlMs: 60 });
    const b = tracker({ store: shared, ttlMs: 60 });
    a.t.expect('m1', part('g', '555', 1, 2, { correlation: { ticket: 9 } }));
    a.t.expect('m2', part('g', '555', 2, 2, { correlation: { ticket: 9 } }));
    b.t.resolve('m1', { status: 'delivered', detail: 'DELIVRD' });
    b.t.resolve('m2', { status: 'delivered', detail: 'DELIVRD' });
    assert.deepEqual(b.reports.map((r) => [r.matched, r.correlation, r.parts]), [[true, { ticket: 9 }, { total: 2, delivered: 2, failed: 0 }]]);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(a.reports, [], 'A drops its copy quietly at the TTL: B reported it');
    assert.equal(b.t.counts.unmatched, 0);
  });

  it('takes up what the store kept after a restart, and matches reports that come later', async () => {
    const shared = new core.store.MemoryStore().reports;
    const before = tracker({ store: shared });
    before.t.expect('x1', part('g2', '666', 1, 1, { correlation: 'kept' }));
    before.t.close();
    const after = tracker({ store: shared });
    assert.equal(await after.t.restore(), 1);
    after.t.resolve('x1', { status: 'undeliverable', detail: 'UNDELIV' });
    assert.deepEqual(after.reports.map((r) => [r.matched, r.status, r.correlation]), [[true, 'undeliverable', 'kept']]);
  });

  it('after a restart, two messages kept under one id are matched oldest first', async () => {
    const shared = new core.store.MemoryStore().reports;
    const before = tracker({ store: shared });
    before.t.expect('3:333', part('old', '333', 1, 1, { correlation: 'old' }));
    before.t.expect('3:333', part('new', '333', 1, 1, { correlation: 'new' }));
    before.t.close();
    const after = tracker({ store: shared });
    assert.equal(await after.t.restore(), 2);
    after.t.resolve('3:333', { status: 'delivered', detail: 'delivered' });
    after.t.resolve('3:333', { status: 'undeliverable', detail: 'unknown subscriber' });
    assert.deepEqual(after.reports.map((r) => [r.correlation, r.status]), [['old', 'delivered'], ['new', 'undeliverable']]);
  });
});

describe('what a store keeps of a correlation', () => {
  it('keeps the JSON-safe part: a socket-like object or a cycle is left out, never a throw', () => {
    const cyclic = { ticket: 7 };
    cyclic.self = cyclic;
    const kept = core.store.jsonSafe({ ticket: 7, res: { socket: cyclic }, when: new Date(0), data: Buffer.from('ab') });
    assert.deepEqual(kept, { ticket: 7, when: '1970-01-01T00:00:00.000Z', data: Buffer.from('ab') });
  });
});
