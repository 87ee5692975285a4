'use strict';
// The SMPP 3.4 codec against an implementation nobody here wrote, the npm
// package `smpp` (node-smpp): every PDU encoded by one is read by the other
// with the same values, and where both write the same PDU the bytes agree.
const assert = require('node:assert/strict');
const nodeSmpp = require('smpp');
const { smpp } = require('../../dist/src/internal');

const SM = {
  serviceType: 'CMT', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS', destAddrTon: 1, destAddrNpi: 1, destinationAddr: '886912345678',
  esmClass: 0, protocolId: 0, priorityFlag: 1, scheduleDeliveryTime: '', validityPeriod: '000001000000000R', registeredDelivery: 1,
  replaceIfPresentFlag: 0, dataCoding: 8, smDefaultMsgId: 0, smLength: 4, shortMessage: Buffer.from([0x8b, 0x66, 0x58, 0x31]),
};
const BIND = { systemId: 'smppclient1', password: 'password', systemType: 'VMA', interfaceVersion: 0x34, addrTon: 1, addrNpi: 1, addressRange: '8869' };

// [command, our body, node-smpp's fields for the same PDU]; both write optional parameters in the order given
const CASES = [
  ['bind_transceiver', BIND, { system_id: 'smppclient1', password: 'password', system_type: 'VMA', interface_version: 0x34, addr_ton: 1, addr_npi: 1, address_range: '8869' }],
  ['bind_transmitter', BIND, { system_id: 'smppclient1', password: 'password', system_type: 'VMA', interface_version: 0x34, addr_ton: 1, addr_npi: 1, address_range: '8869' }],
  ['bind_receiver', BIND, { system_id: 'smppclient1', password: 'password', system_type: 'VMA', interface_version: 0x34, addr_ton: 1, addr_npi: 1, address_range: '8869' }],
  ['bind_transceiver_resp', { systemId: 'SMSC', tlvs: { scInterfaceVersion: 0x34 } }, { system_id: 'SMSC', sc_interface_version: 0x34 }],
  ['outbind', { systemId: 'SMSC', password: 'pw' }, { system_id: 'SMSC', password: 'pw' }],
  ['unbind', {}, {}],
  ['enquire_link_resp', {}, {}],
  ['generic_nack', {}, {}],
  ['submit_sm', { ...SM, tlvs: { userMessageReference: 7, sarMsgRefNum: 0x1234, sarTotalSegments: 3, sarSegmentSeqnum: 2 } },
    { service_type: 'CMT', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ALERTS', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '886912345678', esm_class: 0, protocol_id: 0, priority_flag: 1, schedule_delivery_time: '', validity_period: '000001000000000R', registered_delivery: 1, replace_if_present_flag: 0, data_coding: 8, sm_default_msg_id: 0, short_message: Buffer.from([0x8b, 0x66, 0x58, 0x31]), user_message_reference: 7, sar_msg_ref_num: 0x1234, sar_total_segments: 3, sar_segment_seqnum: 2 }],
  ['submit_sm_resp', { messageId: '5f2a9c01' }, { message_id: '5f2a9c01' }],
  ['deliver_sm', { ...SM, esmClass: 4, dataCoding: 0, smLength: 0, shortMessage: Buffer.alloc(0), tlvs: { receiptedMessageId: '5f2a9c01', messageState: 2 } },
    { service_type: 'CMT', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ALERTS', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '886912345678', esm_class: 4, protocol_id: 0, priority_flag: 1, schedule_delivery_time: '', validity_period: '000001000000000R', registered_delivery: 1, replace_if_present_flag: 0, data_coding: 0, sm_default_msg_id: 0, short_message: Buffer.alloc(0), receipted_message_id: '5f2a9c01', message_state: 2 }],
  ['deliver_sm_resp', { messageId: '' }, { message_id: '' }],
  ['data_sm', { serviceType: '', sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: '886912345678', destAddrTon: 0, destAddrNpi: 0, destinationAddr: '1234', esmClass: 0, registeredDelivery: 0, dataCoding: 0, tlvs: { messagePayload: Buffer.from('hello') } },
    { service_type: '', source_addr_ton: 1, source_addr_npi: 1, source_addr: '886912345678', dest_addr_ton: 0, dest_addr_npi: 0, destination_addr: '1234', esm_class: 0, registered_delivery: 0, data_coding: 0, message_payload: Buffer.from('hello') }],
  ['query_sm', { messageId: '5f2a9c01', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS' }, { message_id: '5f2a9c01', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ALERTS' }],
  ['query_sm_resp', { messageId: '5f2a9c01', finalDate: '261125101500000+', messageState: 2, errorCode: 0 }, { message_id: '5f2a9c01', final_date: '261125101500000+', message_state: 2, error_code: 0 }],
  ['cancel_sm', { serviceType: '', messageId: '5f2a9c01', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS', destAddrTon: 1, destAddrNpi: 1, destinationAddr: '886912345678' },
    { service_type: '', message_id: '5f2a9c01', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ALERTS', dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '886912345678' }],
  ['replace_sm', { messageId: '5f2a9c01', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS', scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 1, smDefaultMsgId: 0, smLength: 2, shortMessage: Buffer.from('hi') },
    { message_id: '5f2a9c01', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ALERTS', schedule_delivery_time: '', validity_period: '', registered_delivery: 1, sm_default_msg_id: 0, short_message: Buffer.from('hi') }],
  ['submit_multi', { serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS', numberOfDests: 2, destAddresses: [{ ton: 1, npi: 1, address: '886912345678' }, { list: 'oncall' }], ...Object.fromEntries(Object.entries(SM).slice(7)) },
    { service_type: '', source_addr_ton: 5, source_addr_npi: 0, source_addr: 'ALERTS', dest_address: [{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '886912345678' }, { dl_name: 'oncall' }], esm_class: 0, protocol_id: 0, priority_flag: 1, schedule_delivery_time: '', validity_period: '000001000000000R', registered_delivery: 1, replace_if_present_flag: 0, data_coding: 8, sm_default_msg_id: 0, short_message: Buffer.from([0x8b, 0x66, 0x58, 0x31]) }],
  ['submit_multi_resp', { messageId: '77', noUnsuccess: 1, unsuccessSmes: [{ ton: 1, npi: 1, address: '886900000000', error: 0x0b }] },
    { message_id: '77', unsuccess_sme: [{ dest_addr_ton: 1, dest_addr_npi: 1, destination_addr: '886900000000', error_status_code: 0x0b }] }],
  ['alert_notification', { sourceAddrTon: 1, sourceAddrNpi: 1, sourceAddr: '886912345678', esmeAddrTon: 0, esmeAddrNpi: 0, esmeAddr: 'ALERTS', tlvs: { msAvailabilityStatus: 0 } },
    { source_addr_ton: 1, source_addr_npi: 1, source_addr: '886912345678', esme_addr_ton: 0, esme_addr_npi: 0, esme_addr: 'ALERTS', ms_availability_status: 0 }],
];

/** node-smpp's PDU for a case, its short_message given as raw octets */
function theirs(command, fields, sequence) {
  const pdu = new nodeSmpp.PDU(command, { ...fields });
  pdu.sequence_number = sequence;
  if (fields.short_message) pdu.short_message = fields.short_message;
  return pdu.toBuffer();
}

describe('SMPP codec against node-smpp', () => {
  for (const [command, ours, fields] of CASES) {
    it(`${command}: the same bytes both ways, and each reads the other's`, () => {
      const mine = smpp.encode({ command, sequenceId: 42, body: ours });
      const peer = theirs(command, fields, 42);
      assert.equal(mine.toString('hex'), peer.toString('hex'));
      const back = smpp.decode(peer);
      assert.equal(back.command, command);
      assert.equal(back.sequenceId, 42);
      for (const [key, value] of Object.entries(ours)) assert.deepEqual(back.body[key], value, key);
      const read = nodeSmpp.PDU.fromBuffer(mine);
      assert.equal(read.command, command);
      assert.equal(read.sequence_number, 42);
    });
  }

  it('a response with an error carries no body, and reads as an empty body', () => {
    const frame = smpp.encode({ command: 'submit_sm_resp', sequenceId: 9, status: 0x58 });
    assert.equal(frame.length, 16);
    const pdu = smpp.decode(frame);
    assert.deepEqual({ ...pdu, body: { ...pdu.body } }, { command: 'submit_sm_resp', status: 0x58, sequenceId: 9, body: {} });
    const bind = theirs('bind_transceiver_resp', { command_status: 0x0e }, 1);
    assert.equal(smpp.decode(bind).status, 0x0e);
  });

  it('refuses an optional parameter by a name it does not know, pointing to "unknown"', () => {
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { ...SM, tlvs: { sarRefNum: 1 } } }), { code: 'SMPP_FIELD', message: /"sarRefNum" is not an optional parameter of SMPP 3.4/ });
  });

  it('keeps an optional parameter it does not know, and writes it back unchanged', () => {
    const peer = theirs('submit_sm', { ...CASES[8][2] }, 5);
    const withUnknown = Buffer.concat([peer, Buffer.from([0x14, 0x00, 0x00, 0x03, 0x61, 0x62, 0x63])]);
    withUnknown.writeUInt32BE(withUnknown.length, 0);
    const pdu = smpp.decode(withUnknown);
    assert.deepEqual(pdu.body.tlvs.unknown, [{ tag: 0x1400, value: Buffer.from('abc') }]);
    assert.equal(pdu.body.tlvs.sarTotalSegments, 3);
    assert.deepEqual(smpp.encode(pdu), withUnknown);
  });

  it('names the field and its limit when a value does not fit', () => {
    assert.throws(() => smpp.encode({ command: 'bind_transceiver', sequenceId: 1, body: { ...BIND, password: 'longer-than-8' } }),
      (err) => err.code === 'SMPP_FIELD' && err.field === 'password' && /password: at most 8 characters, got 13$/.test(err.message) && !err.message.includes('longer-than-8'));
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { ...SM, destinationAddr: '1'.repeat(21) } }),
      { code: 'SMPP_FIELD', field: 'destination_addr', message: /at most 20 characters/ });
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { ...SM, smLength: 3 } }),
      { code: 'SMPP_FIELD', message: /short_message: is 4 octets, smLength says 3/ });
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { ...SM, tlvs: { sarTotalSegments: 300 } } }),
      { code: 'SMPP_FIELD', message: /sar_total_segments: must be a whole number from 0 to 255/ });
    assert.throws(() => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { ...SM, sourceAddr: 'a\u0000b' } }),
      { code: 'SMPP_FIELD', field: 'source_addr' });
  });

  it('refuses on decode what does not follow the table, naming the field', () => {
    const bind = smpp.encode({ command: 'bind_transceiver', sequenceId: 1, body: BIND });
    const noNul = Buffer.from(bind);
    noNul.fill(0x41, 16, 16 + 16); // system_id: 16 octets and no NUL
    assert.throws(() => smpp.decode(noNul), { code: 'SMPP_DECODE', field: 'system_id', message: /no NUL within its 16 octets with its NUL/ });
    const short = Buffer.from(bind.subarray(0, 30));
    short.writeUInt32BE(30, 0);
    assert.throws(() => smpp.decode(short), { code: 'SMPP_DECODE' });
    const submit = smpp.encode({ command: 'submit_sm', sequenceId: 1, body: { ...SM, tlvs: { userMessageReference: 1 } } });
    const badTlv = Buffer.from(submit);
    badTlv.writeUInt16BE(40, badTlv.length - 4); // the TLV says 40 octets, 2 are there
    assert.throws(() => smpp.decode(badTlv), { code: 'SMPP_DECODE', message: /says 40 octets, only 2 left/ });
    const unknown = Buffer.from(smpp.encode({ command: 'enquire_link', sequenceId: 3 }));
    unknown.writeUInt32BE(0x00000777, 4);
    assert.throws(() => smpp.decode(unknown), { code: 'SMPP_DECODE', field: 'command_id' });
  });

  it('gives SMPP the GSM capacities the help states: 160 characters alone, 153 a part; UCS-2 70 and 67', () => {
    const { segment } = require('../../dist/src/internal');
    assert.equal(segment('a'.repeat(160), { target: 'smpp' }).count, 1);
    assert.deepEqual(segment('a'.repeat(161), { target: 'smpp' }).parts.map((p) => p.length), [153, 8]);
    assert.equal(segment('a'.repeat(160), { target: 'smpp' }).code, 0, 'data_coding 0');
    assert.equal(segment('機'.repeat(70), { target: 'smpp' }).count, 1);
    assert.deepEqual(segment('機'.repeat(71), { target: 'smpp' }).parts.map((p) => p.length / 2), [67, 4]);
    assert.equal(segment('機', { target: 'smpp' }).code, 8, 'data_coding 8');
    assert.equal(segment('a'.repeat(161), { target: 'smpp' }).parts[0].userData.length, 6 + 153, 'GSM unpacked: one septet an octet');
  });

  it('reads delivery receipts in the variants met in the field', () => {
    const r1 = smpp.parseReceipt('id:0123456789 sub:001 dlvrd:001 submit date:2611251015 done date:2611251016 stat:DELIVRD err:000 text:Server room');
    assert.deepEqual([r1.id, r1.status, r1.stat, r1.doneDate, r1.text], ['0123456789', 'delivered', 'DELIVRD', '2611251016', 'Server room']);
    const r2 = smpp.parseReceipt('ID:5F2A9C01 SUB:001 DLVRD:000 SUBMIT DATE:261125101500 DONE DATE:261125101612 STAT:UNDELIV ERR:034 TEXT:');
    assert.deepEqual([r2.id, r2.status, r2.err, r2.doneDate], ['5F2A9C01', 'undeliverable', '034', '261125101612']);
    const r3 = smpp.parseReceipt('stat:DELIVRD id:77', { receiptedMessageId: '4d', messageState: 5 });
    assert.deepEqual([r3.id, r3.stat, r3.status], ['4d', 'UNDELIV', 'undeliverable'], 'the TLVs win over the text');
    assert.equal(smpp.parseReceipt('no id here'), undefined);
    assert.deepEqual(smpp.idForms('005F2A9C01'), ['5f2a9c01', '1596627969']);
    assert.deepEqual(smpp.idForms('1596627969'), ['1596627969', '1596627969'.replace(/.*/, BigInt('0x1596627969').toString()), '5f2a9c01']);
  });
});
