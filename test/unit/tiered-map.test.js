'use strict';
// TieredMap keeps many long-lived entries among many short-lived ones in two
// Maps; to its users it must be a Map: the same answers and the same order
// as a plain Map given the same operations, across its moves from the newer
// map to the older, and with the filter that tells the keys the older map
// does not hold (made anew as the map grows and shrinks).
const assert = require('node:assert/strict');
const { TieredMap } = require('../../dist/src/bounded');
const { mulberry32, seed } = require('../support/random');

describe('TieredMap answers as a Map does', () => {
  const SEED = seed();
  it(`20,000 generated sets, updates, deletes and reads: the same values, sizes and order as a plain Map (seed ${SEED})`, () => {
    const rnd = mulberry32(SEED);
    const tiered = new TieredMap(16, 32);
    const plain = new Map();
    let next = 0;
    for (let i = 0; i < 20000; i++) {
      const r = rnd();
      const existing = plain.size ? [...plain.keys()][Math.floor(rnd() * plain.size)] : undefined;
      if (r < 0.45) {
        const key = `k${next++}`;
        tiered.set(key, i);
        plain.set(key, i);
      } else if (r < 0.6 && existing) {
        tiered.set(existing, -i); // an update keeps the entry's place
        plain.set(existing, -i);
      } else if (r < 0.9 && existing) {
        assert.equal(tiered.delete(existing), plain.delete(existing));
      } else {
        const key = existing ?? 'absent';
        assert.equal(tiered.get(key), plain.get(key));
        assert.equal(tiered.has(key), plain.has(key));
        assert.equal(tiered.delete('never set'), false);
        assert.equal(tiered.get(`k${next + 1}`), undefined);
      }
      assert.equal(tiered.size, plain.size);
      if (i % 500 === 0) assert.deepEqual([...tiered.values()], [...plain.values()], `order after ${i} operations`);
    }
    assert.deepEqual([...tiered.values()], [...plain.values()]);
    assert.ok(next > 5000);
  });

  it('keeps a value of undefined as a value', () => {
    const tiered = new TieredMap(2);
    tiered.set('a', undefined);
    assert.equal(tiered.has('a'), true);
    for (const k of ['b', 'c', 'd']) tiered.set(k, 1);
    assert.equal(tiered.has('a'), true);
    assert.equal(tiered.size, 4);
  });
});
