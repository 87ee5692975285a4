'use strict';
// A body a user builds with a field of a wrong name (srcID for srcId) is
// refused, naming the field and the name it may have meant, instead of going
// out as an empty field. A body for both CMPP versions may carry 3.0's fields.
const assert = require('node:assert/strict');
const { cmpp, smpp } = require('../../dist/src/internal');

describe('bodies with fields the message does not have', () => {
  it('CMPP: srcID in a SUBMIT is refused, with srcId suggested', () => {
    assert.throws(() => cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body: { srcID: '1069001', msgContent: Buffer.from('x') } }), (err) => err.code === 'CMPP_FIELD' && err.field === 'srcID' && /did you mean srcId\?/.test(err.message));
  });

  it('CMPP: a name no version has is refused, listing the fields', () => {
    assert.throws(() => cmpp.encode({ command: 'ACTIVE_TEST_RESP', sequenceId: 1, body: { reserved: 0, colour: 'red' } }), (err) => err.code === 'CMPP_FIELD' && err.field === 'colour' && /its fields are reserved/.test(err.message));
  });

  it('CMPP: a 3.0 field (linkId) in a body sent to a 2.0 gateway is not refused', () => {
    const frame = cmpp.encode({ command: 'DELIVER_RESP', sequenceId: 3, body: { msgId: '1', result: 0 } }, 0x20);
    assert.equal(frame.length, 12 + 8 + 1);
    assert.doesNotThrow(() => cmpp.encode({ command: 'DELIVER', sequenceId: 4, body: { msgId: '1', destId: '1069001', serviceId: '', tpPid: 0, tpUdhi: 0, msgFmt: 0, srcTerminalId: '13800138000', srcTerminalType: 0, registeredDelivery: 0, msgLength: 1, msgContent: Buffer.from('x'), linkId: '' } }, 0x20));
  });

  it('SMPP: destinationAddress in a submit_sm is refused, listing destinationAddr; DestinationAddr is refused, suggesting destinationAddr', () => {
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { destinationAddress: '886912345678' } }), (err) => err.code === 'SMPP_FIELD' && /^destinationAddress: submit_sm has no field of that name; its fields are .*destinationAddr/.test(err.message));
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { DestinationAddr: '886912345678' } }), (err) => err.code === 'SMPP_FIELD' && /did you mean destinationAddr\?/.test(err.message));
  });
});
