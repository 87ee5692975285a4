'use strict';
// CMPP frames octet by octet against fixtures laid out from the document's
// field sizes (test/fixtures/cmpp-frames.json, made by
// scripts/make-cmpp-fixtures.py independently of the codec's tables).
const assert = require('node:assert/strict');
const { cmpp } = require('../../dist/src/internal');
const { frames } = require('../fixtures/cmpp-frames.json');
const { frameFixtureTests } = require('../support/frame-fixtures');

describe('CMPP frames, field by field (document layouts)', () => {
  frameFixtureTests(frames, {
    encode: (message, fixture) => cmpp.encode(message, fixture.version),
    decode: (bytes, fixture) => cmpp.decode(bytes, fixture.version),
    extra: (pdu, fixture) => {
      if (fixture.report) assert.deepEqual(cmpp.decodeReport(pdu.body.msgContent), fixture.report);
    },
  });

  it('the report fixture quotes the MO fixture\'s Msg_Id, whose fields are those the document\'s bit layout gives', () => {
    const [, , mo, report] = frames;
    assert.equal(cmpp.decodeReport(Buffer.from(report.message.body.msgContent.hex, 'hex')).msgId, mo.message.body.msgId);
    assert.deepEqual(cmpp.unpackMsgId(mo.message.body.msgId), { month: 11, day: 25, hour: 12, minute: 30, second: 45, gateway: 10001, sequence: 42 });
  });
});
