'use strict';
// An independent decoder reads our bytes: Wireshark's CMPP dissector (tshark),
// fed through text2pcap. Skipped, with a notice, where tshark is not installed.
const assert = require('node:assert/strict');
const { dissect, requireTshark } = require('../support/tshark');
const { cmpp, segment } = require('../../dist/src/internal');

const SUBMIT = {
  msgId: '0', pkTotal: 1, pkNumber: 1, registeredDelivery: 1, msgLevel: 0, serviceId: 'ALERT', feeUserType: 2, feeTerminalId: '',
  feeTerminalType: 0, tpPid: 0, tpUdhi: 0, msgFmt: 0, msgSrc: '901234', feeType: '01', feeCode: '000000', validTime: '', atTime: '',
  srcId: '1069001', destUsrTl: 2, destTerminalId: ['13800138000', '13900139000'], destTerminalType: 0, msgLength: 5, msgContent: Buffer.from('hello'), linkId: '',
};

describe('CMPP bytes read by Wireshark\'s dissector (tshark)', function () {
  before(function () {
    requireTshark(this);
  });

  it('reads CONNECT, a short SUBMIT, a long SUBMIT part and DELIVER_RESP with the values we meant', () => {
    const stamp = cmpp.connectTimestamp(Date.UTC(2026, 10, 22, 2, 0, 0));
    const long = segment('告警：机房温度过高，请立即检查空调系统。'.repeat(4), { target: 'cmpp', reference: 0x4f });
    const part = long.parts[1];
    const frames = [
      cmpp.encode({ command: 'CONNECT', sequenceId: 1, body: { sourceAddr: '901234', authenticatorSource: cmpp.authenticatorSource('901234', 'secret', stamp.text), version: 0x30, timestamp: stamp.value } }),
      cmpp.encode({ command: 'SUBMIT', sequenceId: 2, body: SUBMIT }),
      cmpp.encode({ command: 'SUBMIT', sequenceId: 3, body: { ...SUBMIT, pkTotal: part.total, pkNumber: part.number, tpUdhi: 1, msgFmt: long.code, destUsrTl: 1, destTerminalId: ['13800138000'], msgLength: part.userData.length, msgContent: part.userData, linkId: 'LINK1' } }),
      cmpp.encode({ command: 'DELIVER_RESP', sequenceId: 4, body: { msgId: cmpp.packMsgId({ month: 11, day: 22, hour: 10, minute: 0, second: 5, gateway: 10001, sequence: 7 }), result: 0 } }),
    ];
    const [connect, short, longPart, deliverResp] = dissect(frames, 'cmpp', 7890).map((layers) => layers.cmpp);

    assert.equal(connect['cmpp.Command_Id'], '0x00000001');
    assert.equal(connect['cmpp.Total_Length'], '39');
    assert.equal(connect['cmpp.connect.Source_Addr'], '901234');
    assert.equal(connect['cmpp.Version'], '03.00');
    assert.equal(connect['cmpp.connect.Timestamp'], '11/22 10:00:00', 'China time, from a 02:00 UTC clock');

    assert.equal(short['cmpp.Command_Id'], '0x00000004');
    assert.equal(short['cmpp.Sequence_Id'], '2');
    assert.equal(short['cmpp.Servicd_Id'], 'ALERT');
    assert.equal(short['cmpp.submit.Src_Id'], '1069001');
    assert.equal(short['cmpp.submit.DestUsr_tl'], '2');
    assert.deepEqual(short['cmpp.Dest_terminal_Id'], ['13800138000', '13900139000']);
    assert.equal(short['cmpp.Msg_Length'], '5');
    assert.equal(short['cmpp.submit.Registered_Delivery'], '1');

    assert.equal(longPart['cmpp.submit.Pk_total'], String(long.count));
    assert.equal(longPart['cmpp.submit.Pk_number'], '2');
    assert.equal(longPart['cmpp.TP_udhi'], '1');
    assert.equal(longPart['cmpp.Msg_Fmt'], '8');
    assert.equal(longPart['cmpp.Msg_Length'], String(part.userData.length));
    assert.equal(longPart['cmpp.LinkID'], 'LINK1', 'the field after Msg_Content lines up');

    assert.equal(deliverResp['cmpp.Command_Id'], '0x80000005');
    assert.equal(deliverResp['cmpp.deliver_resp.Result'], '0');
    const fields = deliverResp['cmpp.Msg_Id_tree'];
    // Wireshark 4.0 takes the gateway code as (the 32 bits from octet 3 & 0x3FFFFF00) >> 16,
    // eight bits too far right for bits 38..17: it shows our 10001 as 10001 >> 8 = 39.
    // The fields on both sides of it (time, sequence) agree with ours.
    assert.equal(fields['cmpp.Msg_Id.ismg_code'], String(10001 >> 8));
    assert.equal(fields['cmpp.Msg_Id.sequence_id'], '7');
    assert.equal(fields['cmpp.Msg_Id.timestamp'], '11/22 10:00:05');
  });
});
