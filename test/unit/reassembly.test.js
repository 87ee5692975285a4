'use strict';
const assert = require('node:assert/strict');
const core = require('../../dist/src/internal');

function collect(reassembler) {
  const out = [];
  reassembler.on('message', (m) => out.push(m));
  return out;
}

const partsOf = (text, from, reference) =>
  core.segment(text, { target: 'pdu', reference }).parts.map((p) => ({
    from, reference, total: p.total, sequence: p.number, text: p.text,
  }));

describe('reassembly of incoming parts', () => {
  const long = 'The quick brown fox jumps over the lazy dog. '.repeat(12);

  it('joins parts that come in any order, duplicates ignored', () => {
    const r = new core.Reassembler();
    const out = collect(r);
    const parts = partsOf(long, '+886912345678', 7);
    assert.equal(parts.length, 4);
    for (const i of [2, 0, 2, 3, 0, 1]) r.push(parts[i]);
    assert.equal(out.length, 1);
    assert.equal(out[0].text, long);
    assert.equal(out[0].incomplete, false);
    assert.deepEqual(out[0].missing, []);
    assert.equal(r.stats.duplicates, 2);
    assert.equal(r.stats.pending, 0);
  });

  it('keeps messages from different senders, references or sizes apart', () => {
    const r = new core.Reassembler();
    const out = collect(r);
    const a = partsOf(long, 'A', 1);
    const b = partsOf(long.toUpperCase(), 'B', 1);
    const c = partsOf(long.slice(0, 200), 'A', 1); // same sender and reference, 2 parts
    for (let i = 0; i < 4; i++) { r.push(a[i]); r.push(b[i]); if (c[i]) r.push(c[i]); }
    assert.deepEqual(out.map((m) => m.text).sort(), [long, long.toUpperCase(), long.slice(0, 200)].sort());
  });

  it('hands on a single-part message at once, and a part with impossible numbering as its own', () => {
    const r = new core.Reassembler();
    const out = collect(r);
    r.push({ from: 'A', reference: 0, total: 1, sequence: 1, text: 'hi' });
    r.push({ from: 'A', reference: 3, total: 2, sequence: 5, text: 'odd' });
    assert.deepEqual(out.map((m) => [m.text, m.incomplete]), [['hi', false], ['odd', false]]);
  });

  it('emits what arrived, marked incomplete, after the timeout', async () => {
    const r = new core.Reassembler({ timeoutMs: 30 });
    const out = collect(r);
    const parts = partsOf(long, 'A', 9);
    r.push(parts[0]);
    r.push(parts[2]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    assert.equal(out.length, 1);
    assert.equal(out[0].incomplete, true);
    assert.equal(out[0].reason, 'timeout');
    assert.deepEqual(out[0].missing, [2, 4]);
    assert.equal(out[0].text, parts[0].text + parts[2].text);
    assert.equal(r.stats.timedOut, 1);
  });

  it('bounds memory: past maxPending the oldest goes out incomplete, counted', () => {
    const r = new core.Reassembler({ maxPending: 2 });
    const out = collect(r);
    r.push({ from: 'A', reference: 1, total: 2, sequence: 1, text: 'a' });
    r.push({ from: 'B', reference: 1, total: 2, sequence: 1, text: 'b' });
    r.push({ from: 'C', reference: 1, total: 2, sequence: 1, text: 'c' });
    assert.deepEqual(out.map((m) => [m.from, m.reason]), [['A', 'overflow']]);
    assert.equal(r.stats.dropped, 1);
    assert.equal(r.stats.pending, 2);
    r.flush();
    assert.deepEqual(out.map((m) => m.from), ['A', 'B', 'C']);
    assert.equal(r.stats.pending, 0);
  });

  it('joins binary parts', () => {
    const r = new core.Reassembler();
    const out = collect(r);
    r.push({ from: 'A', reference: 1, total: 2, sequence: 2, data: Buffer.from([3, 4]) });
    r.push({ from: 'A', reference: 1, total: 2, sequence: 1, data: Buffer.from([1, 2]) });
    assert.deepEqual([...out[0].data], [1, 2, 3, 4]);
    assert.equal(out[0].text, undefined);
  });
});

describe('reassembly: parts counted as the wire counts them', () => {
  for (const total of [1e9, 256, 2.5, NaN]) {
    it(`refuses a part whose total is ${total} with a typed error, and holds nothing for it`, () => {
      const r = new core.Reassembler({ timeoutMs: 1000 });
      assert.throws(() => r.push({ from: 'A', reference: 1, total, sequence: 1, text: 'x' }), (e) => e.code === 'SMS_FIELD' && e.field === 'total');
      assert.equal(r.stats.pending, 0);
      r.flush();
    });
  }
});
