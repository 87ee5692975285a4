'use strict';
// Fuzz targets for every decoder and parser a peer or a msg can reach. Each
// target makes inputs from a seeded generator (valid samples mutated,
// truncated, spliced, or plain noise) and feeds them in. An input passes
// when it decodes or is refused with an SmsError; anything else (a
// TypeError, a RangeError, a hang) is a failure of its kind. Used by
// test/unit/fuzz.test.js (a few thousand each) and scripts/fuzz.js (long runs).
const { PassThrough } = require('node:stream');
const core = require('../../dist/src/internal');

const { cmpp, pdu, imsp, modem, segment, parseUdh, Reassembler, SmsError } = core;

function bytes(r, n) {
  const out = Buffer.allocUnsafe(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

const pick = (r, list) => list[Math.floor(r() * list.length)];

/** A valid sample changed in a few random ways. */
function mutate(r, sample) {
  let b = Buffer.from(sample);
  const ways = 1 + Math.floor(r() * 3);
  for (let k = 0; k < ways; k++) {
    const what = r();
    if (what < 0.35 && b.length) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
    else if (what < 0.5 && b.length) b[Math.floor(r() * b.length)] = pick(r, [0, 0xff, 0x7f, 0x80, 1]);
    else if (what < 0.65) b = b.subarray(0, Math.floor(r() * (b.length + 1)));
    else if (what < 0.8) b = Buffer.concat([b, bytes(r, Math.floor(r() * 16))]);
    else if (b.length > 4) {
      const at = Math.floor(r() * (b.length - 4));
      b.writeUInt32BE(pick(r, [0, 12, b.length, b.length + 1, 0xffffffff, Math.floor(r() * 400)]), at);
    }
  }
  return b;
}

function cmppSamples() {
  const content = Buffer.from('050003010201', 'hex');
  const submit = {
    msgId: '0', pkTotal: 1, pkNumber: 1, registeredDelivery: 1, msgLevel: 0, serviceId: 'ALERT', feeUserType: 2, feeTerminalId: '', feeTerminalType: 0,
    tpPid: 0, tpUdhi: 1, msgFmt: 8, msgSrc: '901234', feeType: '01', feeCode: '000000', validTime: '', atTime: '', srcId: '1069001',
    destUsrTl: 2, destTerminalId: ['13800138000', '13900139000'], destTerminalType: 0, msgLength: content.length, msgContent: content, linkId: '',
  };
  const report = cmpp.encodeReport({ msgId: '1234567890', stat: 'DELIVRD', submitTime: '2611251200', doneTime: '2611251201', destTerminalId: '13800138000', smscSequence: 7 });
  const deliver = {
    msgId: '42', destId: '1069001', serviceId: '', tpPid: 0, tpUdhi: 0, msgFmt: 0, srcTerminalId: '13800138000', srcTerminalType: 0,
    registeredDelivery: 1, msgLength: report.length, msgContent: report, linkId: '',
  };
  const out = [];
  for (const version of [0x30, 0x20]) {
    out.push({ version, frame: cmpp.encode({ command: 'SUBMIT', sequenceId: 9, body: submit }, version) });
    out.push({ version, frame: cmpp.encode({ command: 'DELIVER', sequenceId: 10, body: deliver }, version) });
    out.push({ version, frame: cmpp.encode({ command: 'SUBMIT_RESP', sequenceId: 9, body: { msgId: '99', result: 0 } }, version) });
    out.push({ version, frame: cmpp.encode({ command: 'CONNECT_RESP', sequenceId: 1, body: { status: 0, authenticatorIsmg: Buffer.alloc(16, 7), version } }, version) });
    out.push({ version, frame: cmpp.encode({ command: 'ACTIVE_TEST', sequenceId: 2, body: {} }, version) });
  }
  return { frames: out, report };
}

const PDU_SAMPLES = (() => {
  const deliver = pdu.encodeDeliver({ from: '+886912345678', timestamp: new Date(Date.UTC(2026, 10, 25)), offsetMinutes: 480, userData: { text: 'Hello 你好' , alphabet: 'ucs2' } }, { smsc: '+886932400821' }).hex;
  const status = pdu.encodeStatusReport({ reference: 7, recipient: '+886922222222', timestamp: new Date(), dischargeTime: new Date(), offsetMinutes: 480, status: 0 }, { smsc: '+886932400821' }).hex;
  const submits = pdu.submitsFor('+886922222222', 'A long message with a header. '.repeat(8), { statusReport: true }).pdus.map((p) => p.hex);
  return [deliver, status, ...submits];
})();

const IMSP_SAMPLES = [
  '<html><header></header><body> 0912345678 | 0 | H1A2B3C | Success <br> 0987654321 | 18 | | Destination msisdn format error </body></html>',
  '<html><body> 0912345678 | 0 | 20261125120000 | Successful </body></html>',
  '<html><body> 0 | Successful </body></html>',
  '<HTML><BODY bgcolor=white>0912345678|1|null|Message is processing<br/></BODY></HTML>',
];

const AT_LINES = [
  'OK', 'ERROR', '+CME ERROR: 16', '+CMS ERROR: 331', '> ', '+CMTI: "SM",3', '+CMTI: "ME",999999', '+CDSI: "SM",1', '+CMT: ,24', '+CDS: 25',
  '+CMGS: 12', '+CSQ: 21,99', '+CREG: 0,1', 'RING', 'NO CARRIER', '^RSSI: 12', '+CMGL: 1,0,,24', PDU_SAMPLES[0], PDU_SAMPLES[1], '+CPIN: SIM PIN',
];

const OPTION_VALUES = ['auto', 'gsm7', 'ucs2', 'ascii', 'latin1', 'gbk', 'big5', 'binary', 'generic', 'pdu', 'cmpp', 'imsp', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', 'valueOf', 42, null, undefined, {}];

const { frames: CMPP_FRAMES, report: CMPP_REPORT } = cmppSamples();

const targets = {
  'cmpp frames': (r) => {
    const { version, frame } = pick(r, CMPP_FRAMES);
    const input = r() < 0.1 ? bytes(r, Math.floor(r() * 200)) : mutate(r, frame);
    const framer = new cmpp.Framer();
    let at = 0;
    while (at < input.length) {
      const n = 1 + Math.floor(r() * input.length);
      for (const f of framer.push(input.subarray(at, at + n))) cmpp.decode(f, version);
      at += n;
    }
  },
  'cmpp reports': (r) => {
    const input = r() < 0.2 ? bytes(r, pick(r, [60, 71, Math.floor(r() * 100)])) : mutate(r, CMPP_REPORT);
    cmpp.decodeReport(input);
  },
  'pdus': (r) => {
    const sample = pick(r, PDU_SAMPLES);
    const w = r();
    let hex;
    if (w < 0.6) hex = mutate(r, Buffer.from(sample, 'hex')).toString('hex');
    else if (w < 0.8) hex = sample.slice(0, Math.floor(r() * sample.length));
    else if (w < 0.9) hex = bytes(r, Math.floor(r() * 180)).toString('hex');
    else hex = sample.replace(/[0-9A-F]/i, pick(r, ['G', ' ', '', 'zz']));
    if (r() < 0.5) pdu.decodeReceived(hex);
    else pdu.decodeSubmit(hex, { withSmsc: r() < 0.5 });
  },
  'udh and reassembly': (r) => {
    const data = r() < 0.5 ? bytes(r, Math.floor(r() * 40)) : mutate(r, Buffer.from('0608041234030248656c6c6f', 'hex'));
    let concat = { reference: Math.floor(r() * 65536), total: Math.floor(r() * 300) - 20, sequence: Math.floor(r() * 300) - 20 };
    try {
      const { udh } = parseUdh(data);
      if (udh.concat) concat = udh.concat;
    } catch (err) {
      if (!(err instanceof SmsError)) throw err;
    }
    const reassembler = new Reassembler({ timeoutMs: 1000, maxPending: 4 });
    if (r() < 0.2) concat.total = pick(r, [1e9, -1, 2.5, NaN, 256, 255]);
    reassembler.push({ from: '1', ...concat, text: 'x' });
    reassembler.flush();
  },
  'at lines and urcs': (r) => {
    const line = new PassThrough();
    const engine = new modem.AtEngine(line, { timeoutMs: 1000, maxLineLength: 512 });
    engine.on('warning', () => undefined);
    engine.on('urc', () => undefined);
    const pending = engine.command(pick(r, ['AT', 'AT+CMGL=4', 'AT+CREG?', 'AT+CMGR=1']));
    const send = r() < 0.3 ? engine.commandWithPrompt('AT+CMGS=20', '00', 1000) : Promise.resolve();
    let text = '';
    const count = 1 + Math.floor(r() * 8);
    for (let i = 0; i < count; i++) {
      const l = r() < 0.8 ? pick(r, AT_LINES) : bytes(r, Math.floor(r() * 40)).toString('latin1');
      text += l + pick(r, ['\r\n', '\r', '\n', '', '\r\n\r\n']);
    }
    if (r() < 0.05) text += 'A'.repeat(600 + Math.floor(r() * 2000));
    let at = 0;
    while (at < text.length) {
      const n = 1 + Math.floor(r() * 30);
      engine.onData(text.slice(at, at + n));
      at += n;
    }
    engine.close();
    // Each command ends with its answer or a typed error (MODEM_CLOSED at the latest).
    return Promise.allSettled([pending, send]).then((outcomes) => {
      for (const o of outcomes) if (o.status === 'rejected') throw o.reason;
    });
  },
  'imsp replies': (r) => {
    const sample = pick(r, IMSP_SAMPLES);
    const w = r();
    let body;
    if (w < 0.5) body = mutate(r, Buffer.from(sample, 'latin1')).toString('latin1');
    else if (w < 0.7) body = sample.slice(0, Math.floor(r() * sample.length));
    else if (w < 0.85) body = bytes(r, Math.floor(r() * 200)).toString('latin1');
    else body = pick(r, ['<body', '</body>', '<br>', '|', ' ', '<BODY x>']).repeat(Math.floor(r() * 2000));
    pick(r, [imsp.parseSubmitReply, imsp.parseQueryReply, imsp.parseChangeReply])(body);
  },
  'segmenter options': (r) => {
    const binary = r() < 0.2;
    const input = binary ? bytes(r, Math.floor(r() * 400)) : 'Alert 警報 😀 {x} '.repeat(Math.floor(r() * 30));
    const options = {
      target: pick(r, OPTION_VALUES),
      encoding: pick(r, OPTION_VALUES),
      referenceBits: pick(r, [8, 16, 7, '8', undefined, 0]),
    };
    if (r() < 0.3) options.reference = pick(r, [0, 255, 256, 65535, -1, 1.5, '3']);
    if (r() < 0.2) options.ports = { destination: pick(r, [0, 5000, 70000, -1]), portBits: pick(r, [8, 16, 12]) };
    for (const key of Object.keys(options)) if (options[key] === undefined) delete options[key];
    const s = segment(input, options);
    for (const part of s.parts) void part.userData;
  },
};

/** Runs `count` inputs of one target; returns what happened, by kind. */
async function fuzz(name, count, seed) {
  const { mulberry32 } = require('./random');
  const r = mulberry32(seed);
  const kinds = new Map();
  const failures = [];
  let slowest = 0;
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    let kind = 'ok';
    try {
      await targets[name](r);
    } catch (err) {
      if (err instanceof SmsError) kind = `typed ${err.code}`;
      else {
        kind = `CRASH ${err && err.constructor ? err.constructor.name : typeof err}`;
        if (failures.length < 5) failures.push({ input: i, error: String(err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : err) });
      }
    }
    slowest = Math.max(slowest, Number(process.hrtime.bigint() - started) / 1e6);
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const crashes = [...kinds].filter(([k]) => k.startsWith('CRASH')).reduce((n, [, c]) => n + c, 0);
  return { name, count, seed, kinds, crashes, failures, slowestMs: slowest };
}

module.exports = { targets, fuzz };
