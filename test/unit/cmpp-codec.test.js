'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { cmpp, SmsError } = require('../../dist/src/internal');
const { mulberry32, seed } = require('../support/random');

const hex = (s) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

// (name, version, pdu, bytes): one list drives decode and encode (CMPP 3.0 §7.3-7.4, 2.0 per the 3.0 revision history).
const FIXTURES = [
  { name: 'ACTIVE_TEST', version: 0x30, pdu: { command: 'ACTIVE_TEST', sequenceId: 1, body: {} }, hex: '0000000c 00000008 00000001' },
  { name: 'ACTIVE_TEST_RESP', version: 0x30, pdu: { command: 'ACTIVE_TEST_RESP', sequenceId: 1, body: { reserved: 0 } }, hex: '0000000d 80000008 00000001 00' },
  { name: 'TERMINATE', version: 0x20, pdu: { command: 'TERMINATE', sequenceId: 0xfffffffe, body: {} }, hex: '0000000c 00000002 fffffffe' },
  {
    name: 'CONNECT 3.0 (Source_Addr padded, Timestamp 1122101530)',
    version: 0x30,
    pdu: { command: 'CONNECT', sequenceId: 2, body: { sourceAddr: '90123', authenticatorSource: Buffer.alloc(16, 0xab), version: 0x30, timestamp: 1122101530 } },
    hex: '00000027 00000001 00000002 393031323300 ' + 'ab'.repeat(16) + ' 30 42e1e91a',
  },
  {
    name: 'CONNECT_RESP 3.0 (4-octet Status)',
    version: 0x30,
    pdu: { command: 'CONNECT_RESP', sequenceId: 2, body: { status: 3, authenticatorIsmg: Buffer.alloc(16), version: 0x30 } },
    hex: '00000021 80000001 00000002 00000003 ' + '00'.repeat(16) + ' 30',
  },
  {
    name: 'CONNECT_RESP 2.0 (1-octet Status)',
    version: 0x20,
    pdu: { command: 'CONNECT_RESP', sequenceId: 2, body: { status: 3, authenticatorIsmg: Buffer.alloc(16), version: 0x20 } },
    hex: '0000001e 80000001 00000002 03 ' + '00'.repeat(16) + ' 20',
  },
  {
    name: 'SUBMIT_RESP 3.0',
    version: 0x30,
    pdu: { command: 'SUBMIT_RESP', sequenceId: 7, body: { msgId: '1', result: 8 } },
    hex: '00000018 80000004 00000007 0000000000000001 00000008',
  },
  {
    name: 'SUBMIT_RESP 2.0',
    version: 0x20,
    pdu: { command: 'SUBMIT_RESP', sequenceId: 7, body: { msgId: '18446744073709551615', result: 8 } },
    hex: '00000015 80000004 00000007 ffffffffffffffff 08',
  },
  {
    name: 'DELIVER_RESP 3.0',
    version: 0x30,
    pdu: { command: 'DELIVER_RESP', sequenceId: 9, body: { msgId: '72623859790382856', result: 0 } },
    hex: '00000018 80000005 00000009 0102030405060708 00000000',
  },
  {
    name: 'CANCEL_RESP 2.0',
    version: 0x20,
    pdu: { command: 'CANCEL_RESP', sequenceId: 3, body: { successId: 1 } },
    hex: '0000000d 80000007 00000003 01',
  },
];

const ERRORS = [
  { name: 'a frame shorter than the header', hex: '00000008 00000008', match: /shorter than the 12-octet header/ },
  { name: 'Total_Length that disagrees with the frame', hex: '0000000d 00000008 00000001', match: /Total_Length says 13 octets, the frame has 12/ },
  { name: 'an unknown Command_Id', hex: '0000000c 00000099 00000001', match: /Command_Id 0x00000099 is not a CMPP command/ },
  { name: 'a body cut short', hex: '00000014 80000004 00000001 0000000000000001', match: /CMPP_SUBMIT_RESP: Result needs 4 octets at offset 8, only 0 left/ },
  { name: 'octets left over', hex: '0000000e 00000008 00000001 0000', match: /2 octets left over/ },
];

describe('CMPP codec', () => {
  for (const f of FIXTURES) {
    it(`encodes ${f.name}`, () => assert.equal(cmpp.encode(f.pdu, f.version).toString('hex'), f.hex.replace(/\s+/g, '')));
    it(`decodes ${f.name}`, () => assert.deepEqual(cmpp.decode(hex(f.hex), f.version), f.pdu));
  }
  for (const e of ERRORS) {
    it(`refuses ${e.name}`, () => {
      assert.throws(() => cmpp.decode(hex(e.hex)), (err) => err instanceof SmsError && err.code === 'CMPP_DECODE' && e.match.test(err.message));
    });
  }

  it('names the field and the limit when a value does not fit', () => {
    const base = { command: 'SUBMIT_RESP', sequenceId: 1, body: { msgId: '1', result: 0 } };
    assert.throws(() => cmpp.encode({ ...base, body: { msgId: '1', result: 300 } }, 0x20), /Result: must be a whole number from 0 to 255, got 300/);
    assert.throws(() => cmpp.encode({ command: 'QUERY', sequenceId: 1, body: { time: '202611221' } }), /Time: at most 8 characters, got 9/);
    assert.throws(() => cmpp.encode({ ...base, body: { msgId: 'abc', result: 0 } }), /Msg_Id: must be the decimal text/);
    assert.throws(() => cmpp.encode({ ...base, sequenceId: -1 }), /Sequence_Id: must be a whole number/);
  });

  it('writes what the fast paths leave to the field types: text from a number, a number from its text; refuses a wide character and a fraction', () => {
    const query = (body) => cmpp.encode({ command: 'QUERY', sequenceId: 1, body: { time: '20261126', queryType: 0, queryCode: '', reserve: '', ...body } });
    const written = cmpp.decode(query({ time: 20261126, queryType: '1' }));
    assert.deepEqual([written.body.time, written.body.queryType], ['20261126', 1]);
    assert.equal(cmpp.decode(query({ queryCode: undefined })).body.queryCode, '', 'a missing text is written as zeros');
    assert.throws(() => query({ queryCode: 'ALERT中' }), (err) => err.code === 'CMPP_FIELD' && /Query_Code: "中" is not a single-octet character/.test(err.message));
    assert.throws(() => query({ queryType: 1.5 }), (err) => err.code === 'CMPP_FIELD' && /Query_Type: must be a whole number from 0 to 255, got 1.5/.test(err.message));
  });

  it('lays SUBMIT out per version: 32-octet numbers and LinkID in 3.0, 21 and Reserve in 2.0', () => {
    const body = { destUsrTl: 2, destTerminalId: ['13800138000', '13900139000'], msgLength: 3, msgContent: Buffer.from('abc'), feeTerminalId: '', srcId: '1069', linkId: '' };
    const v3 = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body }, 0x30);
    const v2 = cmpp.encode({ command: 'SUBMIT', sequenceId: 1, body }, 0x20);
    // 3.0: 12 + 8+1+1+1+1+10+1+32+1+1+1+1+6+2+6+17+17+21+1 + 2*32 +1 +1 +3 +20
    assert.equal(v3.length, 12 + 129 + 64 + 1 + 1 + 3 + 20);
    // 2.0: no Fee_terminal_type, Dest_terminal_type; 21-octet numbers; 8-octet Reserve
    assert.equal(v2.length, 12 + 117 + 42 + 1 + 3 + 8);
    assert.deepEqual(cmpp.decode(v2, 0x20).body.destTerminalId, ['13800138000', '13900139000']);
  });
});

describe('CMPP status reports', () => {
  const report = { msgId: '13486251735921000448', stat: 'DELIVRD', submitTime: '2611221012', doneTime: '2611221013', destTerminalId: '13800138000', smscSequence: 42 };
  it('writes and reads the 60-octet form of the document (21-octet terminal id)', () => {
    const bytes = cmpp.encodeReport(report);
    assert.equal(bytes.length, 60);
    assert.equal(bytes.subarray(8, 15).toString(), 'DELIVRD');
    assert.equal(bytes.subarray(35, 46).toString(), '13800138000');
    assert.equal(bytes.readUInt32BE(56), 42);
    assert.deepEqual(cmpp.decodeReport(bytes), report);
  });
  it('reads the 71-octet form with a 32-octet terminal id', () => {
    const bytes = cmpp.encodeReport(report, true);
    assert.equal(bytes.length, 71);
    assert.deepEqual(cmpp.decodeReport(bytes), report);
  });
  it('refuses any other size and says which sizes exist', () => {
    assert.throws(() => cmpp.decodeReport(Buffer.alloc(59)), /Msg_Content is 59 octets, a report has 60 .* or 71/);
  });
  it('maps Stat to a report status', () => {
    const cases = { DELIVRD: 'delivered', EXPIRED: 'expired', DELETED: 'deleted', UNDELIV: 'undeliverable', REJECTD: 'rejected', UNKNOWN: 'unknown', ACCEPTD: 'pending', 'MA:0001': 'undeliverable', 'CB:0013': 'undeliverable', XYZ: 'unknown' };
    for (const [stat, status] of Object.entries(cases)) assert.equal(cmpp.reportStatus(stat), status, stat);
  });
});

describe('CMPP Msg_Id', () => {
  it('packs and unpacks the bit fields of §7.4.3.2', () => {
    const fields = { month: 11, day: 22, hour: 10, minute: 12, second: 42, gateway: 10001, sequence: 65535 };
    const id = cmpp.packMsgId(fields);
    const raw = cmpp.msgIdToBuffer(id);
    // month in bits 64..61: 11 = 0b1011 at the top of the first octet
    assert.equal(raw[0] >> 4, 11);
    assert.equal(raw.readUInt16BE(6), 65535, 'sequence in bits 16..1');
    assert.deepEqual(cmpp.unpackMsgId(id), fields);
    assert.deepEqual(cmpp.unpackMsgId(raw), fields);
    assert.equal(cmpp.msgIdFromBuffer(raw), id);
  });
  it('counts a mass submit range in the sequence bits, wrapping to 0', () => {
    const id = cmpp.packMsgId({ month: 1, day: 2, hour: 3, minute: 4, second: 5, gateway: 7, sequence: 65534 });
    assert.equal(cmpp.unpackMsgId(cmpp.msgIdPlus(id, 1)).sequence, 65535);
    const wrapped = cmpp.unpackMsgId(cmpp.msgIdPlus(id, 3));
    assert.equal(wrapped.sequence, 1);
    assert.equal(wrapped.gateway, 7, 'the gateway bits stay');
  });
  it('refuses values outside their bits', () => {
    assert.throws(() => cmpp.packMsgId({ month: 16, day: 1, hour: 0, minute: 0, second: 0, gateway: 0, sequence: 0 }), /month: must be from 0 to 15/);
  });
});

describe('CMPP authenticators (§7.4.1)', () => {
  it('AuthenticatorSource is MD5 of the padded Source_Addr, 9 zero octets, the secret and the timestamp', () => {
    const expected = crypto.createHash('md5').update(Buffer.concat([Buffer.from('90123\0'), Buffer.alloc(9), Buffer.from('s3cret'), Buffer.from('1122101530')])).digest();
    assert.deepEqual(cmpp.authenticatorSource('90123', 's3cret', '1122101530'), expected);
  });
  it('AuthenticatorISMG hashes a 4-octet Status in 3.0 and a 1-octet one in 2.0', () => {
    const source = Buffer.alloc(16, 1);
    const v3 = crypto.createHash('md5').update(Buffer.concat([Buffer.from([0, 0, 0, 0]), source, Buffer.from('k')])).digest();
    const v2 = crypto.createHash('md5').update(Buffer.concat([Buffer.from([0]), source, Buffer.from('k')])).digest();
    assert.deepEqual(cmpp.authenticatorIsmg(0, source, 'k', 0x30), v3);
    assert.deepEqual(cmpp.authenticatorIsmg(0, source, 'k', 0x20), v2);
  });
  it('takes the timestamp in China time whatever the host zone, always 10 digits', () => {
    const t = Date.UTC(2026, 0, 1, 16, 5, 9); // 2026-01-02 00:05:09 in UTC+8
    assert.deepEqual(cmpp.connectTimestamp(t), { text: '0102000509', value: 102000509 });
    assert.equal(cmpp.connectTimestamp(t, 0).text, '0101160509');
  });
});

const SEED = seed();

describe(`CMPP codec properties (seed ${SEED}; SEED=${SEED} to replay)`, () => {
  const random = mulberry32(SEED);
  const int = (n) => Math.floor(random() * n);
  const text = (max) => Array.from({ length: int(max + 1) }, () => '0123456789ABCDEFGHIJ'[int(20)]).join('');

  function sampleBody(command, version) {
    const body = {};
    for (const field of cmpp.layoutOf(version, command)) {
      const size = field.type.size(body);
      const empty = field.type.empty;
      if (field.key === 'destUsrTl') body[field.key] = 1 + int(5);
      else if (field.key === 'msgLength') body[field.key] = int(141);
      else if (field.key === 'msgId') body[field.key] = (BigInt(int(2 ** 32)) * 2n ** 32n + BigInt(int(2 ** 32))).toString();
      else if (Array.isArray(empty)) body[field.key] = Array.from({ length: body.destUsrTl }, () => text(Math.min(size / body.destUsrTl, 15)));
      else if (Buffer.isBuffer(empty) && empty.length === 0) body[field.key] = crypto.randomBytes(body.msgLength);
      else if (Buffer.isBuffer(empty)) body[field.key] = crypto.randomBytes(size);
      else if (typeof empty === 'string') body[field.key] = text(size);
      else body[field.key] = field.name === 'Last_route_Id' ? int(2 ** 31) - 2 ** 30 : int(2 ** Math.min(31, size * 8));
    }
    return body;
  }

  it('round-trips every message of both versions: object -> bytes -> object -> bytes', () => {
    for (const version of [0x30, 0x20]) {
      for (const command of Object.keys(cmpp.COMMANDS)) {
        for (let i = 0; i < 20; i++) {
          const pdu = { command, sequenceId: int(2 ** 32), body: sampleBody(command, version) };
          const bytes = cmpp.encode(pdu, version);
          assert.equal(bytes.readUInt32BE(0), bytes.length);
          assert.equal(bytes.readUInt32BE(4), cmpp.COMMANDS[command]);
          const back = cmpp.decode(bytes, version);
          assert.deepEqual(back, pdu, `${command} v${version.toString(16)}`);
          assert.deepEqual(cmpp.encode(back, version), bytes);
        }
      }
    }
  });

  it('decodes thousands of random and mutated frames into messages or typed errors, nothing else', () => {
    const valid = [];
    for (const version of [0x30, 0x20]) {
      for (const command of Object.keys(cmpp.COMMANDS)) valid.push([version, cmpp.encode({ command, sequenceId: int(1000), body: sampleBody(command, version) }, version)]);
    }
    let decoded = 0;
    let refused = 0;
    for (let i = 0; i < 20000; i++) {
      const [version, base] = valid[int(valid.length)];
      let frame;
      switch (int(4)) {
        case 0: frame = crypto.randomBytes(int(200)); break;
        case 1: frame = Buffer.from(base); frame[int(frame.length)] ^= 1 << int(8); break;
        case 2: frame = base.subarray(0, int(base.length)); break;
        default: frame = Buffer.concat([base, crypto.randomBytes(1 + int(8))]); frame.writeUInt32BE(frame.length, 0);
      }
      try {
        const pdu = cmpp.decode(frame, version);
        assert.ok(cmpp.COMMANDS[pdu.command] !== undefined);
        decoded++;
      } catch (err) {
        assert.ok(err instanceof SmsError && err.code === 'CMPP_DECODE', `unexpected ${err && err.stack}`);
        refused++;
      }
    }
    assert.ok(decoded > 1000 && refused > 1000, `decoded ${decoded}, refused ${refused}`);
  });

  it('frames a stream cut anywhere, and refuses an absurd Total_Length without allocating it', () => {
    const frames = Object.keys(cmpp.COMMANDS).map((command) => cmpp.encode({ command, sequenceId: 1, body: sampleBody(command, 0x30) }));
    const stream = Buffer.concat(frames);
    for (let round = 0; round < 200; round++) {
      const framer = new cmpp.Framer();
      const out = [];
      for (let at = 0; at < stream.length; ) {
        const n = 1 + int(300);
        out.push(...framer.push(stream.subarray(at, at + n)));
        at += n;
      }
      assert.deepEqual(out.map((b) => b.toString('hex')), frames.map((b) => b.toString('hex')));
    }
    const framer = new cmpp.Framer();
    assert.throws(() => framer.push(hex('7fffffff 00000004')), (err) => err.code === 'CMPP_FRAME' && /Total_Length 2147483647 is outside 12..16384/.test(err.message));
    assert.throws(() => new cmpp.Framer().push(hex('00000005')), /Total_Length 5 is outside/);
  });
});
