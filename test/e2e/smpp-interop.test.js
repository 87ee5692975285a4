'use strict';
// Interop both ways with an SMPP implementation nobody here wrote, the npm
// package `smpp` (node-smpp), over loopback: our client against its server,
// and its client against our SMSC simulator. Short, long (UDH and SAR),
// UCS-2, receipts matched, incoming messages joined, enquire_link both ways.
const assert = require('node:assert/strict');
const nodeSmpp = require('smpp');
const { smpp, segment, selfSignedCertificate } = require('../../dist/src/internal');
const { SmscSimulator } = require('../../dist/src/testing');
const { until, once } = require('../support/wait');

const LONG = 'The quick brown fox jumps over the lazy dog. '.repeat(5);
const CJK = '機房溫度過高，請立即檢查冷氣系統是否正常運作，謝謝';

/** node-smpp's SMSC: binds smppclient1/password, answers every submit_sm, records what it got. */
async function theirServer() {
  const got = { submits: [], binds: [], enquireLinks: 0, deliverResps: [], sessions: [] };
  let nextId = 0x500;
  const server = nodeSmpp.createServer((session) => {
    got.sessions.push(session);
    session.on('bind_transceiver', (pdu) => {
      got.binds.push(pdu);
      const ok = pdu.system_id === 'smppclient1' && pdu.password === 'password';
      session.send(pdu.response({ command_status: ok ? 0 : nodeSmpp.ESME_RINVPASWD, system_id: 'NODESMPP' }));
    });
    session.on('submit_sm', (pdu) => {
      got.submits.push(pdu);
      session.send(pdu.response({ message_id: (nextId++).toString(16) }));
    });
    session.on('enquire_link', (pdu) => {
      got.enquireLinks++;
      session.send(pdu.response());
    });
    session.on('unbind', (pdu) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('error', () => undefined);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, got, port: server.address().port };
}

describe('SMPP interop: our client against node-smpp\'s server', function () {
  let them;
  let client;

  beforeEach(async () => {
    them = await theirServer();
    client = new smpp.SmppClient({ host: '127.0.0.1', port: them.port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', reconnect: false, enquireLinkIntervalMs: 100000 });
    client.on('error', () => undefined);
    await client.start();
  });
  afterEach(async () => {
    await client.close();
    for (const s of them.got.sessions) s.destroy();
    await new Promise((resolve) => them.server.close(resolve));
  });

  it('binds as a transceiver with SMPP 3.4 and sends a short GSM message it reads back', async () => {
    assert.equal(them.got.binds[0].interface_version, 0x34);
    assert.equal(them.got.binds[0].command, 'bind_transceiver');
    const result = await client.send({ to: '+886912345678', payload: 'Server room B: 36C' });
    assert.equal(result.ok, true);
    assert.equal(result.results[0].id, '500');
    const pdu = them.got.submits[0];
    assert.equal(pdu.destination_addr, '886912345678');
    assert.deepEqual([pdu.dest_addr_ton, pdu.dest_addr_npi, pdu.source_addr, pdu.source_addr_ton], [1, 1, 'ALERTS', 5]);
    assert.equal(pdu.data_coding, 0);
    assert.equal(pdu.short_message.message, 'Server room B: 36C');
  });

  it('sends long text with UDH, and with SAR parameters, that node-smpp reads part by part', async () => {
    const udh = await client.send({ to: '886912345678', payload: LONG });
    assert.equal(udh.parts, 2);
    const [p1, p2] = them.got.submits;
    assert.equal(p1.esm_class & 0x40, 0x40);
    assert.equal(p1.short_message.udh[0][0], 0x00, 'a concatenation element');
    assert.equal(p2.short_message.udh[0][4], 2, 'part 2');
    assert.equal(p1.short_message.message + p2.short_message.message, LONG);

    const sar = new smpp.SmppClient({ host: '127.0.0.1', port: them.port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', longMessages: 'sar', reconnect: false });
    await sar.start();
    const result = await sar.send({ to: '886912345678', payload: LONG });
    await sar.close();
    assert.equal(result.ok, true);
    const parts = them.got.submits.slice(2);
    assert.deepEqual(parts.map((p) => [p.sar_total_segments, p.sar_segment_seqnum]), [[2, 1], [2, 2]]);
    assert.equal(parts[0].sar_msg_ref_num, parts[1].sar_msg_ref_num);
    assert.equal(parts[0].esm_class & 0x40, 0, 'no UDH with SAR');
    assert.equal(parts.map((p) => p.short_message.message).join(''), LONG);
  });

  it('sends UCS-2 (data_coding 8) that node-smpp decodes to the same text', async () => {
    const result = await client.send({ to: '886912345678', payload: CJK });
    assert.equal(result.encoding, 'ucs2');
    assert.equal(them.got.submits[0].data_coding, 8);
    assert.equal(them.got.submits[0].short_message.message, CJK);
  });

  it('matches node-smpp\'s delivery receipts (text and TLVs) to the message, combined over its parts', async () => {
    const reports = [];
    client.on('report', (r) => reports.push(r));
    const result = await client.send({ to: '886912345678', payload: LONG, registeredDelivery: true, correlation: { alarm: 7 } });
    assert.equal(them.got.submits[0].registered_delivery, 1);
    const session = them.got.sessions[0];
    for (const [i, part] of result.results.entries()) {
      const text = `id:${part.id} sub:001 dlvrd:001 submit date:2611251015 done date:2611251016 stat:DELIVRD err:000 text:The quick`;
      // Part 1's receipt names its id in decimal in the text and in the TLV (as some SMSCs do); part 2's in the text only.
      const fields = i === 0
        ? { esm_class: 4, source_addr: '886912345678', short_message: text.replace(part.id, String(parseInt(part.id, 16))), receipted_message_id: String(parseInt(part.id, 16)), message_state: 2 }
        : { esm_class: 4, source_addr: '886912345678', short_message: text };
      await new Promise((resolve) => session.deliver_sm(fields, resolve));
    }
    await until(() => reports.length === 1, { what: 'the combined report' });
    assert.equal(reports[0].status, 'delivered');
    assert.equal(reports[0].matched, true);
    assert.deepEqual(reports[0].parts, { total: 2, delivered: 2, failed: 0 });
    assert.deepEqual(reports[0].correlation, { alarm: 7 });
  });

  it('joins a long message node-smpp sends in UDH parts, and answers each deliver_sm', async () => {
    const got = once(client, 'message');
    const split = segment(LONG, { target: 'smpp', reference: 9 });
    const session = them.got.sessions[0];
    const statuses = [];
    for (const part of [...split.parts].reverse()) {
      await new Promise((resolve) => session.deliver_sm({ source_addr: '886912345678', destination_addr: 'ALERTS', esm_class: 0x40, data_coding: 0, short_message: part.userData }, (pdu) => {
        statuses.push(pdu.command_status);
        resolve();
      }));
    }
    const [sms] = await got;
    assert.equal(sms.payload, LONG);
    assert.equal(sms.from, '886912345678');
    assert.equal(sms.sms.parts, 2);
    assert.deepEqual(statuses, [0, 0]);
  });

  it('answers node-smpp\'s enquire_link, and its own reaches node-smpp', async () => {
    const answer = await new Promise((resolve) => them.got.sessions[0].enquire_link({}, resolve));
    assert.equal(answer.command, 'enquire_link_resp');
    assert.equal(answer.command_status, 0);
    const quick = new smpp.SmppClient({ host: '127.0.0.1', port: them.port, systemId: 'smppclient1', password: 'password', enquireLinkIntervalMs: 40, reconnect: false });
    await quick.start();
    await until(() => them.got.enquireLinks >= 1, { timeoutMs: 3000, what: 'an enquire_link' });
    await quick.close();
  });

  it('binds and sends over TLS to node-smpp\'s secure server, checking its certificate', async () => {
    const { cert, key } = selfSignedCertificate();
    const got = [];
    const secure = nodeSmpp.createServer({ key, cert }, (session) => {
      session.on('bind_transceiver', (pdu) => session.send(pdu.response()));
      session.on('submit_sm', (pdu) => {
        got.push(pdu);
        session.send(pdu.response({ message_id: 'a1' }));
      });
      session.on('unbind', (pdu) => session.send(pdu.response()));
      session.on('error', () => undefined);
    });
    await new Promise((resolve) => secure.listen(0, '127.0.0.1', resolve));
    const port = secure.address().port;
    try {
      const overTls = new smpp.SmppClient({ host: '127.0.0.1', port, tls: { ca: cert }, systemId: 'smppclient1', password: 'password', reconnect: false });
      await overTls.start();
      const result = await overTls.send({ to: '886912345678', payload: 'over TLS' });
      await overTls.close();
      assert.deepEqual([result.ok, result.results[0].id, got[0].short_message.message], [true, 'a1', 'over TLS']);
      // A certificate nobody vouched for is refused: nothing is bound, nothing sent.
      const untrusted = new smpp.SmppClient({ host: '127.0.0.1', port, tls: {}, systemId: 'smppclient1', password: 'password', reconnect: false });
      await assert.rejects(untrusted.start(), /self[- ]signed|certificate/i);
      await untrusted.close();
      assert.equal(got.length, 1);
    } finally {
      await new Promise((resolve) => secure.close(resolve));
    }
  });

  it('says plainly when node-smpp refuses the bind', async () => {
    const wrong = new smpp.SmppClient({ host: '127.0.0.1', port: them.port, systemId: 'smppclient1', password: 'nope', reconnect: false });
    await assert.rejects(wrong.start(), { code: 'SMPP_BIND', message: /ESME_RINVPASWD .*password is wrong.*check the system_id and password/ });
    await wrong.close();
  });
});

describe('SMPP interop: node-smpp\'s client against our SMSC simulator', function () {
  let sim;
  let session;

  beforeEach(async () => {
    sim = new SmscSimulator({ reportDelayMs: 5 });
    const port = await sim.start();
    session = nodeSmpp.connect({ url: `smpp://127.0.0.1:${port}` });
    session.on('error', () => undefined);
    await new Promise((resolve) => session.on('connect', resolve));
    const bound = await new Promise((resolve) => session.bind_transceiver({ system_id: 'smppclient1', password: 'password' }, resolve));
    assert.equal(bound.command_status, 0);
  });
  afterEach(async () => {
    session.destroy();
    await sim.stop();
  });

  const submit = (fields) => new Promise((resolve) => session.submit_sm({ source_addr: 'ALERTS', destination_addr: '886912345678', ...fields }, resolve));

  it('takes short, long (UDH and SAR) and UCS-2 messages into the phone\'s inbox', async () => {
    assert.equal((await submit({ short_message: 'hello' })).command_status, 0);
    const split = segment(LONG, { target: 'smpp', reference: 3 });
    for (const part of split.parts) assert.equal((await submit({ esm_class: 0x40, short_message: part.userData })).command_status, 0);
    for (const part of split.parts) {
      assert.equal((await submit({ short_message: part.payload, sar_msg_ref_num: 77, sar_total_segments: part.total, sar_segment_seqnum: part.number })).command_status, 0);
    }
    assert.equal((await submit({ data_coding: 8, short_message: Buffer.from(CJK, 'utf16le').swap16() })).command_status, 0);
    await until(() => (sim.inboxes.get('886912345678') ?? []).length === 4, { what: 'four messages in the inbox' });
    assert.deepEqual(sim.inboxes.get('886912345678').map((m) => [m.text, m.via]), [['hello', 'single'], [LONG, 'udh'], [LONG, 'sar'], [CJK, 'single']]);
  });

  it('sends node-smpp a receipt it can match by receipted_message_id', async () => {
    const receipt = new Promise((resolve) => session.on('deliver_sm', (pdu) => {
      session.send(pdu.response());
      resolve(pdu);
    }));
    const answer = await submit({ short_message: 'hello', registered_delivery: 1 });
    const pdu = await receipt;
    assert.equal(pdu.esm_class & 0x04, 0x04);
    assert.equal(pdu.receipted_message_id, answer.message_id);
    assert.equal(pdu.message_state, 2);
    assert.match(pdu.short_message.message, new RegExp(`^id:${answer.message_id} sub:001 dlvrd:001 submit date:\\d{10} done date:\\d{10} stat:DELIVRD err:000`));
    await until(() => sim.record.deliverResps.length === 1, { what: 'the deliver_sm_resp' });
    assert.equal(sim.record.deliverResps[0].status, 0);
  });

  it('delivers a phone\'s long message to node-smpp in UDH parts, and enquire_link goes both ways', async () => {
    const parts = [];
    session.on('deliver_sm', (pdu) => {
      parts.push(pdu);
      session.send(pdu.response());
    });
    assert.deepEqual(await sim.injectMo({ from: '886912345678', to: 'ALERTS', text: LONG }), [0, 0]);
    assert.equal(parts.map((p) => p.short_message.message).join(''), LONG);
    assert.equal(parts[0].short_message.udh[0][3], 2, 'two parts');
    session.on('enquire_link', (pdu) => session.send(pdu.response()));
    const [answer] = await sim.enquireLink();
    assert.equal(answer.command, 'enquire_link_resp');
    const theirs = await new Promise((resolve) => session.enquire_link({}, resolve));
    assert.equal(theirs.command_status, 0);
  });

  it('refuses a wrong password with ESME_RINVPASWD, which node-smpp reads', async () => {
    const other = nodeSmpp.connect({ url: `smpp://127.0.0.1:${sim.port}` });
    other.on('error', () => undefined);
    await new Promise((resolve) => other.on('connect', resolve));
    const answer = await new Promise((resolve) => other.bind_transceiver({ system_id: 'smppclient1', password: 'nope' }, resolve));
    assert.equal(answer.command_status, nodeSmpp.ESME_RINVPASWD);
    other.destroy();
  });
});
