'use strict';
// The account's queue: whatever is pushed, taken and given back, what comes
// out next is always the waiting record with the lowest id.
const assert = require('node:assert/strict');
const { OrderedQueue } = require('../../dist/src/account/queue');
const { mulberry32, seed } = require('../support/random');

describe('ordered queue', () => {
  const SEED = seed();
  it(`keeps id order through random pushes, takes and requeues (seed ${SEED})`, () => {
    const r = mulberry32(SEED);
    const q = new OrderedQueue();
    const waiting = new Set();
    const taken = [];
    let next = 0;
    for (let step = 0; step < 20000; step++) {
      const what = r();
      if (what < 0.5) {
        const item = { id: next++ };
        q.push(item);
        waiting.add(item.id);
      } else if (what < 0.85) {
        const item = q.shift();
        if (item) {
          assert.equal(item.id, Math.min(...waiting), 'the lowest id comes out first');
          waiting.delete(item.id);
          taken.push(item);
        }
      } else if (taken.length) {
        const back = taken.splice(Math.floor(r() * taken.length), 1 + Math.floor(r() * 3));
        q.requeue(back);
        for (const b of back) waiting.add(b.id);
      }
      assert.equal(q.length, waiting.size);
    }
  });

  it('takes up records one by one after a restart, in order, with records given back among them, and keeps id order', () => {
    const q = new OrderedQueue();
    // What the outbox kept, taken up in id order (each newer than what waits), while the first are taken to be sent.
    for (let id = 10; id < 30; id++) {
      q.requeue([{ id }]);
      if (id % 5 === 0) q.shift();
    }
    q.requeue([{ id: 12 }, { id: 3 }]); // given back: older than what waits
    q.requeue([{ id: 40 }, { id: 35 }]); // newer than all, out of order
    const out = [];
    while (q.length) out.push(q.shift().id);
    assert.deepEqual(out, [3, 12, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 35, 40]);
  });

  it('removes what a test picks and drains in order', () => {
    const q = new OrderedQueue();
    for (let id = 0; id < 10; id++) q.push({ id });
    q.shift();
    assert.deepEqual(q.removeWhere((x) => x.id % 2 === 0).map((x) => x.id), [2, 4, 6, 8]);
    assert.deepEqual(q.drain().map((x) => x.id), [1, 3, 5, 7, 9]);
    assert.equal(q.length, 0);
  });
});
