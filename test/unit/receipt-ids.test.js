'use strict';
// The forms a message_id may take between submit_sm_resp and its receipt:
// as given, and read in one base and written in the other, exactly, up to
// 2^64 - 1 (where a double no longer holds every integer).
const assert = require('node:assert/strict');
const { idForms } = require('../../dist/src/smpp/receipt');

describe('SMPP receipt ids in both bases', () => {
  for (const [id, forms] of [
    ['1000', ['1000', '4096', '3e8']],
    ['00FF', ['ff', '255']],
    ['0', ['0']],
    ['1fffffffffffff', ['1fffffffffffff', '9007199254740991']], // 2^53 - 1, 14 hex digits
    ['9007199254740993', ['9007199254740993', '10378291982571407763', '20000000000001']], // 2^53 + 1 as decimal (not a double's), and as 16 hex digits
    ['ffffffffffffffff', ['ffffffffffffffff', '18446744073709551615']],
    ['18446744073709551615', ['18446744073709551615', 'ffffffffffffffff']],
    ['18446744073709551616', ['18446744073709551616']], // 2^64: no hex form
  ]) {
    it(`${id} -> ${forms.join(', ')}`, () => assert.deepEqual(idForms(id), forms));
  }
});
