'use strict';
// An independent decoder reads our SMPP bytes: Wireshark's SMPP dissector
// (and its GSM SMS user data dissector for the concatenation header), fed
// through text2pcap. Skipped, with a notice, where tshark is not installed.
const assert = require('node:assert/strict');
const { dissect, requireTshark } = require('../support/tshark');
const { smpp, segment } = require('../../dist/src/internal');

const SUBMIT = {
  sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS', destAddrTon: 1, destAddrNpi: 1, destinationAddr: '886912345678',
  esmClass: 0, registeredDelivery: 1, dataCoding: 8, smLength: 4, shortMessage: Buffer.from([0x8b, 0x66, 0x58, 0x31]),
};

describe('SMPP bytes read by Wireshark\'s dissector (tshark)', function () {
  before(function () {
    requireTshark(this);
  });

  it('reads bind_transceiver, a short and a long submit_sm, and deliver_sm_resp with the values we meant', () => {
    const long = segment('The quick brown fox jumps over the lazy dog. '.repeat(5), { target: 'smpp', reference: 0x4f });
    const part = long.parts[1];
    const frames = [
      smpp.encode({ command: 'bind_transceiver', sequenceId: 1, body: { systemId: 'smppclient1', password: 'password', systemType: '', interfaceVersion: 0x34, addrTon: 0, addrNpi: 0, addressRange: '' } }),
      smpp.encode({ command: 'submit_sm', sequenceId: 2, body: SUBMIT }),
      smpp.encode({ command: 'submit_sm', sequenceId: 3, body: { ...SUBMIT, esmClass: 0x40, dataCoding: long.code, smLength: part.userData.length, shortMessage: part.userData, tlvs: { userMessageReference: 7 } } }),
      smpp.encode({ command: 'deliver_sm_resp', sequenceId: 4, body: { messageId: '' } }),
    ];
    const [bind, short, longPart, deliverResp] = dissect(frames, 'smpp', 2775);

    assert.equal(bind.smpp['smpp.command_id'], '0x00000009');
    assert.equal(bind.smpp['smpp.command_length'], '42');
    assert.equal(bind.smpp['smpp.system_id'], 'smppclient1');
    assert.equal(bind.smpp['smpp.interface_version'], '52', '0x34: SMPP 3.4');

    assert.equal(short.smpp['smpp.command_id'], '0x00000004');
    assert.equal(short.smpp['smpp.sequence_number'], '2');
    assert.equal(short.smpp['smpp.source_addr'], 'ALERTS');
    assert.equal(short.smpp['smpp.source_addr_ton'], '0x05');
    assert.equal(short.smpp['smpp.destination_addr'], '886912345678');
    assert.equal(short.smpp['smpp.regdel.receipt'], '0x01');
    assert.equal(short.smpp['smpp.data_coding'], '0x08');
    assert.equal(short.smpp['smpp.message_text'], '警報');

    assert.equal(longPart.smpp['smpp.esm.submit.features'], '0x01', 'esm_class UDHI');
    assert.equal(longPart.smpp['smpp.data_coding'], '0x00');
    assert.equal(longPart.smpp['smpp.sm_length'], String(part.userData.length));
    assert.equal(longPart.smpp['smpp.opt_params']['smpp.opt_param']['smpp.user_message_reference'], '0x0007', 'the TLV after short_message lines up');
    const concat = longPart.gsm_sms_ud['User-Data Header']['IE: Concatenated short messages, 8-bit reference number (SMS Control)'];
    assert.equal(concat['gsm_sms.udh.mm.msg_id'], '79');
    assert.equal(concat['gsm_sms.udh.mm.msg_parts'], String(long.count));
    assert.equal(concat['gsm_sms.udh.mm.msg_part'], '2');

    assert.equal(deliverResp.smpp['smpp.command_id'], '0x80000005');
    assert.equal(deliverResp.smpp['smpp.command_status'], '0x00000000');
    assert.equal(deliverResp.smpp['smpp.command_length'], '17', 'an empty message_id is its NUL alone');
  });
});
