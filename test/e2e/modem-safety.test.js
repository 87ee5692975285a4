'use strict';
// The modem driver and AT engine against modems that refuse the PIN, flood
// URCs, send endless lines or are not there: the PIN is sent once, every
// buffer has a bound, every send an outcome before its deadline, and each
// stored message reaches the flow once.
const assert = require('node:assert/strict');
const net = require('node:net');
const { PassThrough, Duplex } = require('node:stream');
const { modem } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until, sleep } = require('../support/wait');

const A = '+886911111111';
const B = '+886922222222';

describe('modem safety against virtual modems gone wrong', function () {
  this.timeout(20000);
  let network;
  const started = [];
  async function connect(virtual, options = {}) {
    const port = await virtual.listen();
    const m = new modem.Modem({ port: `tcp://127.0.0.1:${port}`, signalIntervalMs: 0, reopen: { initialMs: 20, maxMs: 40 }, ...options });
    m.errors = [];
    m.on('error', (e) => m.errors.push(e));
    started.push(m);
    return m;
  }
  beforeEach(() => {
    network = new testing.VirtualNetwork({ reportDelayMs: 10 });
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((m) => m.close()));
    network.stop();
  });

  it('sends a wrong PIN once, never again on reopen, and says how many tries the SIM has left', async () => {
    const sim = network.modem(A, { pin: '1234' });
    const m = await connect(sim, { pin: '9999' });
    await assert.rejects(m.start(), (e) => e.code === 'MODEM_PIN_REFUSED' && /2 tries left before it locks/.test(e.message) && /not sent again until you change the PIN setting/.test(e.message));
    await sleep(300); // many reopen periods
    assert.equal(sim.commands.filter((c) => c.startsWith('AT+CPIN=')).length, 1, 'the PIN was sent once');
    assert.equal(sim.pinTriesLeft, 2);
    assert.equal(m.state, 'failed');
    const r = await Promise.race([m.send({ to: B, payload: 'x' }), new Promise((resolve) => setTimeout(() => resolve('later'), 0))]);
    assert.notEqual(r, 'later', 'failed at once, before a timer of 0 ms');
    assert.equal(r.results[0].code, 'MODEM_PIN_REFUSED');
  });

  it('asks AT+CPIN? first and sends no PIN to a SIM that is ready', async () => {
    const sim = network.modem(A);
    const m = await connect(sim, { pin: '1234' });
    await m.start();
    assert.ok(sim.commands.includes('AT+CPIN?'));
    assert.equal(sim.commands.filter((c) => c.startsWith('AT+CPIN=')).length, 0);
  });

  it('sends no PIN to a SIM that needs its PUK, and says so', async () => {
    const sim = network.modem(A, { pin: '1234' });
    sim.pinTriesLeft = 0;
    const m = await connect(sim, { pin: '1234' });
    await assert.rejects(m.start(), (e) => e.code === 'MODEM_PUK' && /needs the PUK from the carrier/.test(e.message));
    assert.equal(sim.commands.filter((c) => c.startsWith('AT+CPIN=')).length, 0);
  });

  it('refuses a PIN or SMS centre that could carry another command, naming the field', () => {
    assert.throws(() => new modem.Modem({ port: 'tcp://127.0.0.1:1', pin: '12"\r\nAT+CMGD=1,4' }), (e) => e.code === 'SMS_FIELD' && e.field === 'pin' && /4 to 8 digits/.test(e.message));
    assert.throws(() => new modem.Modem({ port: 'tcp://127.0.0.1:1', smsc: '+8869\r\nATZ' }), (e) => e.code === 'SMS_FIELD' && e.field === 'smsc');
    assert.throws(() => new modem.Modem({ port: 'tcp://127.0.0.1:1', storage: 'XX' }), (e) => e.code === 'SMS_FIELD' && e.field === 'storage');
  });

  it('stops a long message at its first failed part: the rest is not sent', async () => {
    const sim = network.modem(A);
    network.phone(B);
    const m = await connect(sim);
    await m.start();
    sim.faults.failSendAfter = { sends: 1, code: 331 };
    const r = await m.send({ to: B, payload: 'Part of a long alert. '.repeat(20) });
    assert.equal(r.parts, 3);
    assert.deepEqual(r.results.map((x) => [x.part, x.ok, x.code]), [[1, true, 0], [2, false, 'CMS_331'], [3, false, 'SMS_NOT_SENT']]);
    assert.match(r.results[2].description, /part 2 failed, so the rest of the message was not sent/);
    assert.equal(sim.commands.filter((c) => c.startsWith('AT+CMGS=')).length, 2, 'the third part never went to the modem');
  });

  it('emits each stored message once when +CMTI arrives during set-up and during the sweep', async () => {
    const sim = network.modem(A);
    const phone = network.phone(B);
    const m = await connect(sim);
    const got = [];
    m.on('message', (sms) => got.push(sms.payload));
    // Three messages wait on the SIM; the modem also announces them while the driver sets up and sweeps.
    for (const text of ['one', 'two', 'three']) {
      sim.storeOnSim(require('../../dist/src/internal').pdu.encodeDeliver({ from: B, timestamp: new Date(), offsetMinutes: 480, userData: { text } }, { smsc: '+15550000000' }));
    }
    sim.faults.urcsDuring = { command: 'AT+CMGL', lines: ['+CMTI: "SM",1', '+CMTI: "SM",2', '+CMTI: "SM",3'] };
    sim.faults.urcDuringAnswer = '+CMTI: "SM",2';
    await m.start();
    await until(() => sim.storage.length === 0 && got.length >= 3, { what: 'the stored messages to be read and deleted' });
    await sleep(100);
    assert.deepEqual(got.sort(), ['one', 'three', 'two']);
    // A new message at a freed index is still read.
    phone.send(A, 'four');
    await until(() => got.length === 4, { what: 'a new message' });
    assert.equal(got[3], 'four');
  });

  it('takes the "> " prompt with a URC in the same read (\\r\\n> \\r\\n^RSSI:17): the PDU is written and the send goes', async () => {
    const sim = network.modem(A);
    const phone = network.phone(B);
    const m = await connect(sim);
    await m.start();
    sim.faults.urcWithPrompt = '^RSSI:17';
    const result = await m.send({ to: B, payload: 'Pump 2 tripped' });
    assert.equal(result.ok, true);
    await until(() => phone.inbox.some((x) => x.text === 'Pump 2 tripped'), { what: 'the phone to get it' });
    sim.faults.urcWithPrompt = '+CMTI: "SM",1';
    assert.equal((await m.send({ to: B, payload: 'Pump 2 back' })).ok, true);
  });

  it('after a timeout, the late answer of the command that timed out is not taken for the next one', async () => {
    const sim = network.modem(A);
    const port = await sim.listen();
    const socket = net.connect(port, '127.0.0.1');
    await new Promise((r) => socket.once('connect', r));
    const at = new modem.AtEngine(socket, { timeoutMs: 200, resyncQuietMs: 100 });
    await at.command('ATE0');
    sim.faults.silence = 1;
    const late = at.command('AT+CMGF=0').catch((err) => {
      // The modem answers after all, a moment too late.
      sim.sendRaw('\r\nOK\r\n');
      return err;
    });
    const next = at.command('AT+CSQ');
    assert.equal((await late).code, 'MODEM_TIMEOUT');
    assert.deepEqual(await next, ['+CSQ: 21,99'], 'AT+CSQ got its own answer');
    assert.deepEqual(await at.command('AT+CREG?'), ['+CREG: 0,1']);
    const after = sim.commands.slice(sim.commands.indexOf('AT+CMGF=0') + 1);
    assert.deepEqual(after.slice(0, 2), ['AT', 'AT+CSQ'], 'the line was checked with AT before the next command');
    at.close();
  });

  it('keeps received messages in the storage the user chose, and sweeps it', async () => {
    const sim = network.modem(A);
    const phone = network.phone(B);
    const m = await connect(sim, { storage: 'ME' });
    await m.start();
    assert.ok(sim.commands.includes('AT+CPMS="ME","ME","ME"'));
    const got = [];
    m.on('message', (sms) => got.push(sms.payload));
    await until(() => sim.commands.includes('AT+CMGL=4'));
    phone.send(A, 'to ME');
    await until(() => got.length === 1 && sim.phoneStorage.length === 0, { what: 'the message to be read from ME and deleted' });
    await sleep(50);
    assert.deepEqual(got, ['to ME']);
  });

  it('ignores a flood of +CMTI with indexes the storage cannot have, and coalesces repeats; a send still goes first', async () => {
    const sim = network.modem(A, { storageSize: 20 });
    network.phone(B);
    const m = await connect(sim);
    await m.start();
    await until(() => sim.commands.includes('AT+CMGL=4'));
    const bogus = Array.from({ length: 50000 }, (_, i) => `\r\n+CMTI: "SM",${1000 + i}\r\n`).join('');
    const repeats = '\r\n+CMTI: "SM",7\r\n'.repeat(10000);
    sim.sendRaw(bogus + repeats);
    const r = await m.send({ to: B, payload: 'through the flood' });
    assert.equal(r.ok, true);
    await sleep(100);
    assert.equal(sim.commands.filter((c) => /^AT\+CMGR=\d{4}/.test(c)).length, 0, 'no read of an index past the storage');
    assert.ok(sim.commands.filter((c) => c === 'AT+CMGR=7').length <= 2, 'repeats of one index coalesce');
    assert.equal(m.errors.filter((e) => e.code === 'MODEM_URC').length, 1, 'said once');
  });

  it('a send while the modem cannot be reached ends at the queue deadline, or at once when told', async () => {
    const closed = net.createServer();
    await new Promise((r) => closed.listen(0, '127.0.0.1', r));
    const port = closed.address().port;
    await new Promise((r) => closed.close(r));
    const m = new modem.Modem({ port: `tcp://127.0.0.1:${port}`, signalIntervalMs: 0, reopen: { initialMs: 20, maxMs: 40 }, queueTimeoutMs: 300 });
    m.on('error', () => undefined);
    started.push(m);
    m.start().catch(() => undefined);
    // The mocha timeout bounds the wait: a send that waited for the modem would never end.
    const r = await m.send({ to: B, payload: 'x' });
    assert.equal(r.results[0].code, 'MODEM_QUEUE_TIMEOUT');
    assert.match(r.results[0].description, /not sent within 300 ms: the modem is (opening|reopening)/);
    const fast = new modem.Modem({ port: `tcp://127.0.0.1:${port}`, signalIntervalMs: 0, reopen: { initialMs: 20, maxMs: 40 }, failWhenDown: true });
    fast.on('error', () => undefined);
    started.push(fast);
    fast.start().catch(() => undefined);
    await until(() => fast.state === 'reopening');
    const r2 = await fast.send({ to: B, payload: 'x' });
    assert.equal(r2.results[0].code, 'MODEM_NOT_READY');
  });

  it('refuses an empty text and a text over the SMS limit', async () => {
    const sim = network.modem(A);
    const m = await connect(sim);
    await m.start();
    await assert.rejects(m.send({ to: B, payload: '' }), (e) => e.code === 'SMS_EMPTY');
    await assert.rejects(m.send({ to: B, payload: '溫'.repeat(700), maxParts: 5 }), (e) => e.code === 'SMS_TOO_MANY_PARTS' && /needs 11 SMS \(ucs2, about 134 octets each\) and the limit is 5/.test(e.message));
    assert.equal(sim.commands.filter((c) => c.startsWith('AT+CMGS=')).length, 0);
  });
});

/** Two ends of an in-process line: what one writes the other reads. */
function linePair() {
  const toModem = new PassThrough();
  const toHost = new PassThrough();
  const host = Duplex.from({ readable: toHost, writable: toModem });
  return { host, modemIn: toModem, modemOut: toHost };
}

describe('AT engine bounds', () => {
  it('drops a line longer than any PDU line instead of holding it, says so once, and goes on', async () => {
    const { host, modemIn, modemOut } = linePair();
    const at = new modem.AtEngine(host, { timeoutMs: 2000, maxLineLength: 1024 });
    const warnings = [];
    at.on('warning', (w) => warnings.push(w));
    modemIn.on('data', (d) => {
      if (String(d).startsWith('AT+CSQ')) modemOut.write('\r\n+CSQ: 20,99\r\n\r\nOK\r\n');
    });
    for (let i = 0; i < 100; i++) modemOut.write('A'.repeat(100 * 1024)); // 10 MB, no newline
    await sleep(20);
    assert.ok(at.buffer.length <= 1024 + 100 * 1024, `held ${at.buffer.length} characters`);
    modemOut.write('\r\n');
    assert.deepEqual(await at.command('AT+CSQ'), ['+CSQ: 20,99']);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].code, 'MODEM_LINE_TOO_LONG');
    at.close();
  });

  it('bounds the queue of commands and says so', async () => {
    const { host } = linePair();
    const at = new modem.AtEngine(host, { timeoutMs: 5000, maxQueue: 10 });
    const outcomes = Array.from({ length: 15 }, (_, i) => at.command(`AT+X${i}`).then(() => 'ok', (e) => e.code));
    at.close();
    const codes = await Promise.all(outcomes);
    assert.deepEqual(codes.filter((c) => c === 'MODEM_BUSY').length, 4, 'one running, ten waiting, four refused');
  });

  it('runs foreground commands (sends) before background ones (stored-message reads)', async () => {
    const { host, modemIn, modemOut } = linePair();
    const at = new modem.AtEngine(host, { timeoutMs: 2000 });
    const order = [];
    modemIn.on('data', (d) => {
      const cmd = String(d).trim();
      order.push(cmd);
      setImmediate(() => modemOut.write('\r\nOK\r\n'));
    });
    const all = [
      at.command('AT+FIRST'),
      at.command('AT+CMGR=1', { lane: 'background' }),
      at.command('AT+CMGR=2', { lane: 'background' }),
      at.command('AT+SEND'),
    ];
    await Promise.all(all);
    assert.deepEqual(order, ['AT+FIRST', 'AT+SEND', 'AT+CMGR=1', 'AT+CMGR=2']);
    at.close();
  });
});
