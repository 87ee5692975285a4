'use strict';
// What real gateways do at the edges of a link, against peers written here
// with bare bytes (test/support/raw-peer.js): an unbind or TERMINATE from
// the peer is answered before the stream ends; a message refused with
// "slow down" until its queue wait ends is a refusal, not uncertain; an
// answer that cannot be read twice sets its message aside and the link goes
// on (no login storm); a frame that announces more than ever comes is seen
// as a stream out of step; SMPP sequence numbers wrap at 0x7FFFFFFF.
const assert = require('node:assert/strict');
const { cmpp, smpp } = require('../../dist/src/internal');
const { IsmgSimulator, SmscSimulator } = require('../../dist/src/testing');
const { rawPeer, frame } = require('../support/raw-peer');
const { until } = require('../support/wait');

// CMPP 3.0 Command_Ids (section 7.7.1) and SMPP 3.4 command_ids (section 5.1.2.1)
const CMPP = { CONNECT: 0x1, TERMINATE: 0x2, SUBMIT: 0x4, RESP: 0x80000000 };
const SMPP = { BIND_TRX: 0x9, UNBIND: 0x6, SUBMIT_SM: 0x4, RESP: 0x80000000 };
/** the command_id of a request's answer: the high bit set (unsigned, as the header carries it) */
const resp = (commandId) => (commandId | 0x80000000) >>> 0;

/** CONNECT_RESP of CMPP 3.0: Status (4), AuthenticatorISMG (16), Version (1); the client is told to accept a loose authenticator. */
const connectResp = (seq) => frame(resp(CMPP.CONNECT), seq, Buffer.concat([Buffer.alloc(4), Buffer.alloc(16), Buffer.from([0x30])]));
/** SUBMIT_RESP of CMPP 3.0: Msg_Id (8), Result (4). */
const submitResp = (seq, msgId = 1) => {
  const body = Buffer.alloc(12);
  body.writeBigUInt64BE(BigInt(msgId), 0);
  return frame(resp(CMPP.SUBMIT), seq, body);
};
const cstring = (text) => Buffer.from(`${text}\0`, 'latin1');

function cmppClient(port, extra = {}) {
  const c = new cmpp.CmppClient({
    host: '127.0.0.1', port, spId: '901234', sharedSecret: 'secret', acceptLooseAuthenticator: true,
    reconnect: { initialMs: 20, maxMs: 2000 }, ...extra,
  });
  const errors = [];
  c.on('error', (err) => errors.push(err));
  return { c, errors };
}

function smppClient(port, extra = {}) {
  const c = new smpp.SmppClient({ host: '127.0.0.1', port, systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS', reconnect: { initialMs: 20, maxMs: 2000 }, ...extra });
  const errors = [];
  c.on('error', (err) => errors.push(err));
  return { c, errors };
}

/** Whether the peer got `commandId` with `sequence` on link 1 before that stream ended. */
function answeredBeforeEnd(peer, commandId, sequence) {
  const onFirst = peer.events.filter((e) => e.link === 1);
  const answer = onFirst.findIndex((e) => e.commandId === commandId && e.sequence === sequence);
  const end = onFirst.findIndex((e) => e.end);
  return { answer, end };
}

describe('link edges against raw peers', function () {
  this.timeout(20000);
  let peer;
  let client;
  afterEach(async () => {
    await client?.close();
    await peer?.close();
    client = undefined;
    peer = undefined;
  });

  it('SMPP: answers an unbind from the SMSC with unbind_resp before it ends the stream', async () => {
    peer = await rawPeer({ headerLength: 16, onFrame: (socket, f) => {
      if (f.commandId === SMPP.BIND_TRX) socket.write(frame(resp(SMPP.BIND_TRX), f.sequence, cstring('RAW'), 0));
    } });
    ({ c: client } = smppClient(peer.port));
    await client.start();
    [...peer.sockets][0].write(frame(SMPP.UNBIND, 77, Buffer.alloc(0), 0));
    await until(() => peer.events.some((e) => e.link === 1 && e.end), { what: 'the end of the first stream' });
    const { answer, end } = answeredBeforeEnd(peer, resp(SMPP.UNBIND), 77);
    assert.ok(answer >= 0, 'unbind_resp with the unbind\'s sequence_number arrived');
    assert.ok(answer < end, 'and before the FIN');
  });

  it('CMPP: answers a TERMINATE from the ISMG with TERMINATE_RESP before it ends the stream', async () => {
    peer = await rawPeer({ headerLength: 12, onFrame: (socket, f) => {
      if (f.commandId === CMPP.CONNECT) socket.write(connectResp(f.sequence));
    } });
    ({ c: client } = cmppClient(peer.port));
    await client.start();
    [...peer.sockets][0].write(frame(CMPP.TERMINATE, 0x1234));
    await until(() => peer.events.some((e) => e.link === 1 && e.end), { what: 'the end of the first stream' });
    const { answer, end } = answeredBeforeEnd(peer, resp(CMPP.TERMINATE), 0x1234);
    assert.ok(answer >= 0, 'TERMINATE_RESP with the TERMINATE\'s Sequence_Id arrived');
    assert.ok(answer < end, 'and before the FIN');
  });

  it('CMPP: an answer that cannot be read twice sets its message aside (CMPP_BAD_ANSWER); two logins, and the next message goes', async () => {
    let submits = 0;
    peer = await rawPeer({ headerLength: 12, onFrame: (socket, f) => {
      if (f.commandId === CMPP.CONNECT) socket.write(connectResp(f.sequence));
      // The first two SUBMITs get a SUBMIT_RESP of 3 octets, which no version of CMPP has.
      if (f.commandId === CMPP.SUBMIT) socket.write(++submits <= 2 ? frame(resp(CMPP.SUBMIT), f.sequence, Buffer.from([0, 0, 0])) : submitResp(f.sequence, submits));
    } });
    ({ c: client } = cmppClient(peer.port));
    await client.start();
    const first = (await client.send({ to: '13800138000', payload: 'rack 4: 41C' })).results[0];
    assert.equal(first.ok, false);
    assert.equal(first.code, 'CMPP_BAD_ANSWER');
    assert.match(first.description, /2 times/);
    const second = await client.send({ to: '13800138000', payload: 'rack 4: 38C' });
    assert.equal(second.ok, true);
    assert.equal(peer.frames(CMPP.SUBMIT).length, 3, 'the first message twice, the second once');
    assert.equal(peer.frames(CMPP.CONNECT).length, 2, 'one login after the first unreadable answer, none after the second');
  });

  it('SMPP: a submit_sm_resp without its NUL, twice, sets the message aside (SMPP_BAD_ANSWER) and the bind goes on', async () => {
    let submits = 0;
    peer = await rawPeer({ headerLength: 16, onFrame: (socket, f) => {
      if (f.commandId === SMPP.BIND_TRX) socket.write(frame(resp(SMPP.BIND_TRX), f.sequence, cstring('RAW'), 0));
      if (f.commandId === SMPP.SUBMIT_SM) socket.write(frame(resp(SMPP.SUBMIT_SM), f.sequence, ++submits <= 2 ? Buffer.from('abc') : cstring(`id${submits}`), 0));
    } });
    ({ c: client } = smppClient(peer.port));
    await client.start();
    const first = (await client.send({ to: '886912345678', payload: 'UPS on battery' })).results[0];
    assert.equal(first.code, 'SMPP_BAD_ANSWER');
    const second = await client.send({ to: '886912345678', payload: 'UPS back on mains' });
    assert.equal(second.ok, true);
    assert.equal(second.results[0].id, 'id3');
    assert.equal(peer.frames(SMPP.SUBMIT_SM).length, 3);
    assert.equal(peer.frames(SMPP.BIND_TRX).length, 2);
  });

  it('CMPP: a frame that announces 16,000 octets and never ends is a stream out of step: the link reconnects and the message is sent', async () => {
    peer = await rawPeer({ headerLength: 12, onFrame: (socket, f, link) => {
      if (f.commandId === CMPP.CONNECT) socket.write(connectResp(f.sequence));
      if (f.commandId !== CMPP.SUBMIT) return;
      if (link > 1) {
        socket.write(submitResp(f.sequence, 7));
        return;
      }
      // On the first link: the answer, then a header whose Total_Length announces 16,000 octets, and nothing behind it.
      if (peer.frames(CMPP.SUBMIT).length === 1) {
        const header = Buffer.alloc(12);
        header.writeUInt32BE(16000, 0);
        header.writeUInt32BE(resp(CMPP.SUBMIT), 4);
        socket.write(Buffer.concat([submitResp(f.sequence, 6), header]));
      }
    } });
    let errors;
    ({ c: client, errors } = cmppClient(peer.port, { responseTimeoutMs: 300 }));
    await client.start();
    assert.equal((await client.send({ to: '13800138000', payload: 'door 2 open' })).ok, true);
    const second = await client.send({ to: '13800138000', payload: 'door 2 closed' });
    assert.equal(second.ok, true, 'sent again on the new link');
    const seven = Buffer.alloc(8);
    seven.writeBigUInt64BE(7n);
    assert.equal(second.results[0].id, cmpp.msgIdFromBuffer(seven), 'answered on the second link');
    assert.equal(peer.connections, 2);
    const outOfStep = errors.find((e) => e.code === 'CMPP_PROTOCOL');
    assert.ok(outOfStep, 'the drop is said');
    assert.match(outOfStep.message, /announced 16000 octets.*out of step/);
  });

  it('SMPP: sequence numbers wrap from 0x7FFFFFFF to 1 (SMPP 3.4 section 5.1.4)', async () => {
    peer = await rawPeer({ headerLength: 16, onFrame: (socket, f) => {
      if (f.commandId === SMPP.BIND_TRX) socket.write(frame(resp(SMPP.BIND_TRX), f.sequence, cstring('RAW'), 0));
      if (f.commandId === SMPP.SUBMIT_SM) socket.write(frame(resp(SMPP.SUBMIT_SM), f.sequence, cstring('1'), 0));
    } });
    ({ c: client } = smppClient(peer.port));
    await client.start();
    client.session.links[0].sequence = 0x7ffffffe;
    for (const text of ['a', 'b', 'c']) assert.equal((await client.send({ to: '886912345678', payload: text })).ok, true);
    assert.deepEqual(peer.frames(SMPP.SUBMIT_SM).map((f) => f.sequence), [0x7fffffff, 1, 2]);
  });
});

describe('a message refused with "slow down" until its queue wait ends', function () {
  this.timeout(20000);
  let sim;
  let client;
  afterEach(async () => {
    await client?.close();
    await sim?.stop();
  });

  it('SMPP: ends SMPP_FLOW_CONTROL, not uncertain, and its text names the SMPP status', async () => {
    sim = new SmscSimulator({});
    const port = await sim.start();
    ({ c: client } = smppClient(port, { queueTimeoutMs: 400, flowControl: { initialMs: 20, maxMs: 40, retries: 1000 } }));
    await client.start();
    sim.faults.throttleEvery = 1;
    const err = (await client.send({ to: '886912345678', payload: 'pump 3 stopped' })).results[0];
    assert.equal(err.code, 'SMPP_FLOW_CONTROL');
    assert.match(err.description, /ESME_RTHROTTLED/);
    assert.doesNotMatch(err.description, /Result 8/);
    assert.ok(sim.record.submits.length >= 2 && sim.record.submits.every((s) => s.status === 0x58), 'every try was answered with ESME_RTHROTTLED');
  });

  it('CMPP: ends CMPP_FLOW_CONTROL, not uncertain', async () => {
    sim = new IsmgSimulator({});
    const port = await sim.start();
    ({ c: client } = cmppClient(port, { queueTimeoutMs: 400, flowControl: { initialMs: 20, maxMs: 40, retries: 1000 } }));
    await client.start();
    sim.faults.flowControlSubmits = 1e9;
    const err = (await client.send({ to: '13800138000', payload: 'pump 3 stopped' })).results[0];
    assert.equal(err.code, 'CMPP_FLOW_CONTROL');
    assert.match(err.description, /Result 8/);
  });
});
