'use strict';
// The modem driver against virtual modems: over TCP (as to a serial server)
// and through serialport's mock binding.
const assert = require('node:assert/strict');
const { modem, pdu } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until, once } = require('../support/wait');
const { serialLine } = require('../support/serial-mock');

const A = '+886911111111';
const B = '+886922222222';

describe('modem driver against virtual modems over TCP', function () {
  let network;
  let a;
  let b;
  let ma;
  let mb;
  const started = [];
  async function connect(virtual, options = {}) {
    const port = await virtual.listen();
    const m = new modem.Modem({ port: `tcp://127.0.0.1:${port}`, signalIntervalMs: 0, reopen: { initialMs: 20, maxMs: 100 }, ...options });
    m.on('error', () => undefined);
    started.push(m);
    return m;
  }
  beforeEach(async () => {
    network = new testing.VirtualNetwork({ reportDelayMs: 10 });
    a = network.modem(A);
    b = network.modem(B);
    ma = await connect(a);
    mb = await connect(b);
    await Promise.all([ma.start(), mb.start()]);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((m) => m.close()));
    network.stop();
  });

  it('sets the modem up: echo off, numeric errors, PDU mode, storage, indications, then sweeps the SIM', async () => {
    await until(() => a.commands.includes('AT+CMGL=4'), { what: 'the sweep of stored messages' });
    for (const cmd of ['ATE0', 'AT+CMEE=1', 'AT+CPIN?', 'AT+CMGF=0', 'AT+CPMS="SM","SM","SM"', 'AT+CNMI=2,1,0,1,0', 'AT+CMGL=4']) {
      assert.ok(a.commands.includes(cmd), `${cmd} was sent`);
    }
  });

  it('sends a short message that arrives whole at the other modem', async () => {
    const [[sms], result] = await Promise.all([once(mb, 'message'), ma.send({ to: B, payload: 'Pump 3 stopped.' })]);
    assert.deepEqual([result.ok, result.parts, result.encoding, result.results[0].id], [true, 1, 'gsm7', '1']);
    assert.deepEqual([sms.payload, sms.from, sms.sms.parts, sms.sms.encoding], ['Pump 3 stopped.', A, 1, 'gsm7']);
    await until(() => b.storage.length === 0, { what: 'the message to be deleted from the SIM once read' });
  });

  it('sends a long message in parts; they arrive joined; the status reports are combined', async () => {
    const text = '機房溫度過高，請立即檢查冷氣。'.repeat(10);
    const [[sms], [report], result] = await Promise.all([once(mb, 'message'), once(ma, 'report'), ma.send({ to: B, payload: text, statusReport: true, correlation: 'c-9' })]);
    assert.equal(result.parts, 3);
    assert.equal(sms.payload, text);
    assert.equal(sms.sms.parts, 3);
    assert.deepEqual([report.status, report.parts, report.correlation, report.to, report.id], ['delivered', { total: 3, delivered: 3, failed: 0 }, 'c-9', B, result.results[0].id]);
  });

  it('matches a status report whose centre gave no times (zeros): delivered, with no dates rather than dropped', async () => {
    network.options.reportDelayMs = 600000; // the network's own report never comes within the test
    const result = await ma.send({ to: B, payload: 'x', statusReport: true, correlation: 'c-0' });
    const reference = Number(result.results[0].id);
    const encoded = pdu.encodeStatusReport({ reference, recipient: B, timestamp: new Date(), dischargeTime: new Date(), status: 0 }, { smsc: null });
    // After the SMSC octet, first octet, TP-MR and TP-RA (length, type, six octets): TP-SCTS and TP-DT, made zeros.
    const at = 2 + 2 + 2 + 4 + 12;
    const zeros = { ...encoded, hex: encoded.hex.slice(0, at) + '00'.repeat(14) + encoded.hex.slice(at + 28) };
    const [[report]] = await Promise.all([once(ma, 'report'), Promise.resolve(a.receiveReport(zeros))]);
    assert.deepEqual([report.status, report.correlation, report.to, report.doneAt], ['delivered', 'c-0', B, undefined]);
    assert.ok(!Number.isNaN(Date.parse(report.submittedAt)), `submittedAt: the send's own time (${report.submittedAt})`);
  });

  it('matches each status report to its own message when the modem\'s 8-bit reference comes round again (257 sends to one phone)', async function () {
    this.timeout(60000);
    network.options.reportDelayMs = 600000; // the phone is off: no report comes until the test sends them
    const phone = '+886933333333';
    network.phone(phone);
    const ids = [];
    for (let i = 0; i < 257; i++) ids.push((await ma.send({ to: phone, payload: `Pump 3 stopped (${i})`, statusReport: true, correlation: i })).results[0].id);
    assert.equal(ids[256], ids[0], 'the modem gave the first reference again');
    assert.equal(new Set(ids).size, 256);
    const reports = [];
    ma.on('report', (r) => reports.push(r));
    // The phone comes back: the network reports in the order it sent, the first send's validity having run out.
    const reportOn = (status) => a.receiveReport(pdu.encodeStatusReport({ reference: Number(ids[0]), recipient: phone, timestamp: new Date(), dischargeTime: new Date(), status }, { smsc: null }));
    reportOn(0x46);
    reportOn(0x00);
    await until(() => reports.length === 2, { what: 'both reports' });
    assert.deepEqual(
      reports.map((r) => [r.correlation, r.status, r.matched]),
      [
        [0, 'expired', true],
        [256, 'delivered', true],
      ],
    );
  });

  it('matches a status report whose network wrote the recipient in another form than it was sent (national, +, 00)', async () => {
    network.options.reportDelayMs = 600000; // only the reports the test writes
    const reports = [];
    ma.on('report', (r) => reports.push(r));
    // As sent, and as the network writes it back in its report.
    const forms = [
      ['0933333333', '+886933333333'],
      ['+886933333333', '0933333333'],
      ['00886933333333', '+886933333333'],
      ['91234567', '+6591234567'],
    ];
    for (const [i, [sent, written]] of forms.entries()) {
      const result = await ma.send({ to: sent, payload: `Pump 3 stopped (${i})`, statusReport: true, correlation: i });
      a.receiveReport(pdu.encodeStatusReport({ reference: Number(result.results[0].id), recipient: written, timestamp: new Date(), dischargeTime: new Date(), status: 0 }, { smsc: null }));
      await until(() => reports.length === i + 1, { what: `the report for ${sent} written as ${written}` });
      assert.deepEqual([reports[i].matched, reports[i].correlation, reports[i].to, reports[i].status], [true, i, sent, 'delivered']);
    }
  });

  it('reports a failure to deliver: a full SIM on the other side', async () => {
    b.options.storageSize = 0;
    const [[report]] = await Promise.all([once(ma, 'report'), ma.send({ to: B, payload: 'x', statusReport: true })]);
    assert.deepEqual([report.status, report.detail], ['undeliverable', 'no response from the phone, no longer trying']);
  });

  it('says what a +CMS ERROR means', async () => {
    a.faults.cmsError = 330;
    const result = await ma.send({ to: B, payload: 'x' });
    assert.equal(result.ok, false);
    assert.equal(result.results[0].code, 'CMS_330');
    assert.match(result.results[0].description, /AT\+CMGS=\d+: the modem answered \+CMS ERROR 330: SMS centre address unknown: set the SMSC number/);
    a.faults.cmsError = 331;
    assert.match((await ma.send({ to: B, payload: 'x' })).results[0].description, /no network service/);
  });

  it('recognises an unsolicited +CMTI in the middle of a command\'s answer', async () => {
    const stored = b.storeOnSim(pdu.encodeDeliver({ from: A, userData: { text: 'in between' } }));
    b.faults.urcDuringAnswer = `+CMTI: "SM",${stored}`;
    const [[sms], signal] = await Promise.all([once(mb, 'message'), mb.readSignal()]);
    assert.equal(sms.payload, 'in between');
    assert.deepEqual([signal.rssi, signal.dbm, signal.registered], [21, -71, true]);
  });

  it('loses nothing when the line drops: it reopens, says so, and reads what came meanwhile', async () => {
    const states = [];
    mb.on('state', (s) => states.push(s));
    b.dropLine();
    await until(() => states.includes('reopening'));
    await ma.send({ to: B, payload: 'while you were away' });
    const [sms] = await once(mb, 'message', undefined, 5000);
    assert.equal(sms.payload, 'while you were away');
    assert.deepEqual(states.slice(-1), ['ready']);
  });

  it('sends again a part whose line dropped under it', async () => {
    a.faults.ignoreSends = 1; // the AT+CMGS goes unanswered...
    const sending = ma.send({ to: B, payload: 'persistent' });
    await until(() => a.commands.filter((c) => c.startsWith('AT+CMGS')).length === 1);
    a.dropLine(); // ...and then the line goes
    const [result, [sms]] = await Promise.all([sending, once(mb, 'message')]);
    assert.equal(result.ok, true);
    assert.equal(sms.payload, 'persistent');
  });

  it('acknowledges +CDS with AT+CNMA when the modem asks for it', async () => {
    const c = network.modem('+886933333333', { requireAck: true });
    const mc = await connect(c);
    await mc.start();
    await Promise.all([once(mc, 'report'), mc.send({ to: B, payload: 'ack me', statusReport: true })]);
    await until(() => c.acknowledged === 1, { what: 'AT+CNMA' });
  });

  it('enters the SIM PIN, and says so when it is wrong or missing', async () => {
    const locked = network.modem('+886944444444', { pin: '1234' });
    const ok = await connect(locked, { pin: '1234' });
    await ok.start();
    assert.ok(locked.commands.includes('AT+CPIN="1234"'));
    const other = network.modem('+886955555555', { pin: '1234' });
    const wrong = await connect(other, { pin: '9999' });
    await assert.rejects(wrong.start(), (err) => err.code === 'MODEM_PIN_REFUSED' && /AT\+CPIN=<PIN>: .*incorrect PIN/.test(err.message) && /2 tries left/.test(err.message) && !err.message.includes('9999'));
    assert.equal(wrong.state, 'failed');
    const third = network.modem('+886966666666', { pin: '1234' });
    const none = await connect(third);
    await assert.rejects(none.start(), /the SIM asks for its PIN: set the PIN/);
  });

  it('refuses a bad number before anything is sent', async () => {
    await assert.rejects(ma.send({ to: 'abc', payload: 'x' }), /to: "abc" is not a phone number/);
  });
});

describe('modem driver through serialport\'s mock binding', function () {
  it('sends and receives over a SerialPort stream', async () => {
    const network = new testing.VirtualNetwork({ reportDelayMs: 10 });
    const a = network.modem(A);
    const b = network.modem(B);
    const ma = new modem.Modem({ open: serialLine(a, '/dev/ttyVIRTUAL-A'), signalIntervalMs: 0 });
    const mb = new modem.Modem({ open: serialLine(b, '/dev/ttyVIRTUAL-B'), signalIntervalMs: 0 });
    try {
      await Promise.all([ma.start(), mb.start()]);
      const text = 'Serial line test, long enough to need two parts: '.repeat(4);
      const [[sms], [report], result] = await Promise.all([once(mb, 'message'), once(ma, 'report'), ma.send({ to: B, payload: text, statusReport: true })]);
      assert.equal(result.parts, 2);
      assert.equal(sms.payload, text);
      assert.equal(report.status, 'delivered');
    } finally {
      await ma.close();
      await mb.close();
      network.stop();
    }
  });
});

describe('AT engine', () => {
  const { PassThrough, Duplex } = require('node:stream');
  function pair() {
    const toModem = new PassThrough();
    const toHost = new PassThrough();
    const host = Duplex.from({ readable: toHost, writable: toModem });
    return { host, modemSays: (t) => toHost.write(t), heard: toModem };
  }

  it('tolerates echo, collects lines, and maps +CME ERROR', async () => {
    const { host, modemSays, heard } = pair();
    const at = new modem.AtEngine(host, 500);
    heard.on('data', (d) => {
      const cmd = String(d).trim();
      if (cmd === 'AT+CSQ') modemSays('AT+CSQ\r\r\n+CSQ: 12,99\r\n\r\nOK\r\n');
      if (cmd === 'AT+CPIN="0000"') modemSays('\r\n+CME ERROR: 16\r\n');
    });
    assert.deepEqual(await at.command('AT+CSQ'), ['+CSQ: 12,99']);
    await assert.rejects(at.command('AT+CPIN="0000"'), (err) => err.code === 'CME_16');
    at.close();
  });

  it('times out a command the modem ignores, and fails queued ones when the line closes', async () => {
    const { host } = pair();
    const at = new modem.AtEngine(host, 50);
    await assert.rejects(at.command('AT'), (err) => err.code === 'MODEM_TIMEOUT' && /AT: no answer from the modem within 50 ms/.test(err.message));
    const first = at.command('AT+CSQ', 1000);
    const second = at.command('AT+CREG?', 1000);
    host.destroy();
    await assert.rejects(first, (err) => err.code === 'MODEM_CLOSED');
    await assert.rejects(second, (err) => err.code === 'MODEM_CLOSED');
  });

  it('hands +CMT with its PDU line, RING and vendor lines to the URC listener', async () => {
    const { host, modemSays } = pair();
    const at = new modem.AtEngine(host, 500);
    const urcs = [];
    at.on('urc', (u) => urcs.push(u));
    modemSays('\r\n+CMT: ,24\r\n0791000000000000040B910000000000F0000062111111111111\r\nRING\r\n^RSSI: 17\r\n');
    await until(() => urcs.length === 3);
    assert.deepEqual(urcs.map((u) => [u.name, u.pdu]), [['CMT', '0791000000000000040B910000000000F0000062111111111111'], ['RING', undefined], ['RSSI', undefined]]);
    at.close();
  });
});
