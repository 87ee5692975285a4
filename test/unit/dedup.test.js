'use strict';
// The de-duplication of DELIVER / deliver_sm: the last `max` keys, the
// oldest forgotten first, a key set again counting as new.
const assert = require('node:assert/strict');
const { MemoryDedup } = require('../../dist/src/store/memory');

describe('de-duplication of incoming messages', () => {
  it('keeps the last max keys and forgets the oldest first', () => {
    const d = new MemoryDedup(3);
    for (const k of ['a', 'b', 'c', 'd']) d.set(k, 1);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => d.get(k)), [undefined, 1, 1, 1]);
  });

  it('a key set again is the newest: the one set before it goes first', () => {
    const d = new MemoryDedup(3);
    for (const k of ['a', 'b', 'c']) d.set(k, 1);
    d.set('a', 2);
    d.set('d', 1);
    assert.deepEqual(['a', 'b', 'c', 'd'].map((k) => d.get(k)), [2, undefined, 1, 1]);
  });

  it('stays within its bound however often the same keys come back', () => {
    const d = new MemoryDedup(100);
    for (let i = 0; i < 100000; i++) d.set(`k${i % 150}`, i);
    const kept = Array.from({ length: 150 }, (_, i) => d.get(`k${i}`)).filter((v) => v !== undefined);
    assert.equal(kept.length, 100);
    // The hundred set last: values 99900..99999.
    assert.deepEqual(kept.sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => 99900 + i));
    assert.ok(d.seen.queue.length <= 2 * 100 + 1024, `the queue holds ${d.seen.queue.length}`);
  });
});
