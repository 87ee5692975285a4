'use strict';
// The writes a store gathers for its next commit: a parked row's key is not
// kept once stored (a million parked cost no memory), and is known again
// when the row is read back, so that its removal reaches the store.
const assert = require('node:assert/strict');
const { GatheredWrites } = require('../../dist/src/store/gathered');

function commitAll(g) {
  const { batch, left } = g.take('all');
  g.committed(batch, left);
  return batch;
}

describe('gathered writes', () => {
  it('forgets the key of a row written to be forgotten once it is stored, and knows it again once found', () => {
    const g = new GatheredWrites(['outbox'], 5);
    g.write('outbox', 1, { id: 1 }, true);
    g.write('outbox', 2, { id: 2 });
    assert.deepEqual(commitAll(g).map(([, key, , forget]) => [key, forget === true]), [[1, true], [2, false]]);
    assert.equal(g.holds('outbox', 1), false, 'parked: not kept in memory');
    assert.equal(g.holds('outbox', 2), true);
    g.found('outbox', 1); // read back
    g.write('outbox', 1, undefined);
    assert.deepEqual(commitAll(g), [['outbox', 1, undefined]], 'its removal reaches the store');
  });

  it('keeps knowing a stored row written again to be forgotten', () => {
    const g = new GatheredWrites(['outbox'], 5);
    g.found('outbox', 7);
    g.write('outbox', 7, { id: 7 }, true);
    commitAll(g);
    assert.equal(g.holds('outbox', 7), true);
  });

  it('drops a row made and removed before any commit, whether or not it was to be forgotten', () => {
    const g = new GatheredWrites(['outbox'], 5);
    g.write('outbox', 3, { id: 3 }, true);
    g.write('outbox', 3, undefined);
    assert.equal(g.count, 0);
    assert.deepEqual(commitAll(g), []);
  });

  it('a commit of the known rows takes the writes of rows the store holds and leaves every new row gathered, in the order made', () => {
    const g = new GatheredWrites(['outbox', 'messages'], 5);
    g.write('outbox', 1, { id: 1 });
    g.write('messages', 'a', { key: 'a' });
    commitAll(g);
    g.write('outbox', 2, { id: 2 });
    g.write('outbox', 1, undefined);
    g.write('outbox', 3, { id: 3 });
    g.write('messages', 'a', { key: 'a', results: [1] });
    const { batch, left } = g.take('known');
    assert.deepEqual(batch, [['outbox', 1, undefined], ['messages', 'a', { key: 'a', results: [1] }]]);
    assert.equal(left, 2);
    g.committed(batch, left);
    assert.equal(g.count, 2);
    assert.equal(g.holds('outbox', 1), false);
    assert.deepEqual(commitAll(g).map(([table, key]) => [table, key]), [['outbox', 2], ['outbox', 3]]);
    assert.equal(g.count, 0);
  });

  it("a commit of the interval takes new rows once they have waited it, and none before (a row found in the store meanwhile is the store's)", () => {
    const waiting = new GatheredWrites(['outbox'], 1e9);
    waiting.write('outbox', 1, { id: 1 });
    waiting.write('outbox', 2, { id: 2 });
    assert.deepEqual(waiting.take('aged'), { batch: [], left: 2 });
    waiting.found('outbox', 2);
    assert.deepEqual(waiting.take('aged'), { batch: [['outbox', 2, { id: 2 }]], left: 1 });
    const aged = new GatheredWrites(['outbox'], 0);
    aged.write('outbox', 1, { id: 1 });
    aged.write('outbox', 2, { id: 2 });
    aged.write('outbox', 1, { id: 1, tries: 1 });
    assert.deepEqual(aged.take('aged'), { batch: [['outbox', 1, { id: 1, tries: 1 }], ['outbox', 2, { id: 2 }]], left: 0 });
  });
});
