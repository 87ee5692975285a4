'use strict';
// One true outcome for every CMPP message, whatever the gateway does:
// reports before or with their SUBMIT_RESP, drops with messages in flight,
// refused or loose logins, DELIVERs that do not decode, a gateway that is
// down or that stops reading. Everything over loopback TCP.
const assert = require('node:assert/strict');
const net = require('node:net');
const { cmpp, store } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const { until, sleep } = require('../support/wait');

/** What a promise settles with, or LATER when a timer of 0 ms runs first: "at once" as an order of events, not a time. */
const LATER = Symbol('later');
const settlesBeforeATimer = (promise) => Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(LATER), 0))]);

const SP = { spId: '901234', sharedSecret: 'secret' };

async function setup(clientOptions = {}, simOptions = {}) {
  const sim = new testing.IsmgSimulator({ reportDelayMs: 5, ...simOptions });
  const port = await sim.start();
  const client = new cmpp.CmppClient({ host: '127.0.0.1', port, ...SP, srcId: '1069001', reconnect: { initialMs: 20, maxMs: 100 }, ...clientOptions });
  const errors = [];
  client.on('error', (e) => errors.push(e));
  return { sim, client, port, errors };
}

const outcome = (p) => p.then((r) => r, (e) => e);

describe('CMPP outcomes: reports whatever their arrival order', function () {
  this.timeout(30000);
  let sim;
  let client;
  afterEach(async () => {
    await client?.close();
    await sim?.stop();
  });

  for (const timing of ['with-response', 'before-response']) {
    it(`matches all 2000 reports written ${timing === 'with-response' ? 'in the same TCP write as' : 'in the same write ahead of'} their SUBMIT_RESP`, async () => {
      // In the same write, the report must match with no hold at all: the expectation is made as the answer is read.
      ({ sim, client } = await setup({ reports: { earlyHoldMs: timing === 'with-response' ? 0 : 10000 } }, { reportTiming: timing, lean: true }));
      await client.start();
      const reports = [];
      client.on('report', (r) => reports.push(r));
      const sends = [];
      for (let i = 0; i < 2000; i++) sends.push(client.send({ to: '13800138000', payload: `alert ${i}`, registeredDelivery: true, correlation: { n: i } }));
      const results = await Promise.all(sends);
      assert.ok(results.every((r) => r.ok));
      await until(() => reports.length === 2000, { timeoutMs: 15000, what: '2000 reports' });
      assert.equal(reports.filter((r) => !r.matched).length, 0, 'unmatched reports');
      const byId = new Map(results.map((r, i) => [r.results[0].id, i]));
      for (const r of reports) assert.deepEqual(r.correlation, { n: byId.get(r.id) }, 'each report carries its own send\'s correlation');
    });
  }

  it('a report listener that throws is an error event; every message still gets its result', async () => {
    // Reports ahead of their SUBMIT_RESP are handed over while the answer is read: a throw there must not lose the message.
    ({ sim, client } = await setup({ reports: { earlyHoldMs: 10000 } }, { reportTiming: 'before-response', lean: true }));
    await client.start();
    const errors = [];
    client.on('error', (e) => errors.push(e));
    client.on('report', () => {
      throw new Error('the listener broke');
    });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => client.send({ to: '13800138000', payload: `alert ${i}`, registeredDelivery: true })));
    assert.ok(results.every((r) => r.ok && r.results.length === 1));
    assert.equal(errors.filter((e) => e.message === 'the listener broke').length, 20);
  });

  it('matches reports that come 0-1 ms after their SUBMIT_RESP', async () => {
    ({ sim, client } = await setup({}, { reportDelayMs: 0, lean: true }));
    await client.start();
    const reports = [];
    client.on('report', (r) => reports.push(r));
    await Promise.all(Array.from({ length: 2000 }, (_, i) => client.send({ to: '13900139000', payload: `m${i}`, registeredDelivery: true })));
    await until(() => reports.length === 2000, { timeoutMs: 15000, what: '2000 reports' });
    assert.equal(reports.filter((r) => !r.matched).length, 0);
  });
});

describe('CMPP outcomes: links that drop, logins that fail, gateways that are down', function () {
  this.timeout(20000);
  let sim;
  let client;
  let errors;
  afterEach(async () => {
    await client?.close();
    await sim?.stop();
    client = undefined;
    sim = undefined;
  });

  it('at-most-once: what was in flight at a drop ends CMPP_UNCERTAIN and is never sent again', async () => {
    ({ sim, client } = await setup({ delivery: 'at-most-once' }));
    await client.start();
    sim.faults.withholdResponses = true;
    const sends = Array.from({ length: 5 }, (_, i) => outcome(client.send({ to: '13800138000', payload: `in flight ${i}` })));
    await until(() => sim.record.submits.length === 5, { what: 'five SUBMITs at the gateway' });
    sim.faults.withholdResponses = false;
    sim.dropLinks();
    const results = await Promise.all(sends);
    for (const r of results) {
      assert.equal(r.ok, false);
      assert.equal(r.results[0].code, 'CMPP_UNCERTAIN');
      assert.match(r.results[0].description, /may or may not have accepted it, and it is not sent again/);
    }
    await until(() => client.state === 'connected' && sim.record.connects.length === 2, { what: 'the reconnect' });
    assert.equal((await client.send({ to: '13800138000', payload: 'after' })).ok, true);
    assert.equal(sim.record.submits.length, 6, 'nothing was resent');
  });

  it('at-least-once (the default): what was in flight at a drop is sent again and answered', async () => {
    ({ sim, client } = await setup());
    await client.start();
    sim.faults.withholdResponses = true;
    const sends = Array.from({ length: 5 }, (_, i) => client.send({ to: '13800138000', payload: `in flight ${i}` }));
    await until(() => sim.record.submits.length === 5);
    sim.faults.withholdResponses = false;
    sim.dropLinks();
    const results = await Promise.all(sends);
    assert.ok(results.every((r) => r.ok));
    assert.equal(sim.record.submits.length, 10, 'each sent twice: the documented at-least-once');
  });

  it('two clients sharing a memory store: the second to start does not take up the first\'s messages in flight', async () => {
    const shared = new store.MemoryStore();
    ({ sim, client } = await setup({ store: shared }));
    await client.start();
    sim.faults.withholdResponses = true;
    const sends = Array.from({ length: 3 }, (_, i) => client.send({ to: '13800138000', payload: `first ${i}` }));
    await until(() => sim.record.submits.length === 3, { what: 'three SUBMITs at the gateway' });
    const second = new cmpp.CmppClient({ host: '127.0.0.1', port: sim.port, ...SP, srcId: '1069001', store: shared });
    const carried = [];
    second.on('carried', (c) => carried.push(c));
    try {
      await second.start();
      await sleep(200); // the second client has looked into the store by then
      assert.equal(sim.record.submits.length, 3, 'no SUBMIT sent a second time');
      assert.deepEqual(carried, []);
    } finally {
      await second.close();
    }
    sim.faults.withholdResponses = false;
    sim.dropLinks();
    assert.ok((await Promise.all(sends)).every((r) => r.ok), 'the first client\'s own messages are answered after its reconnect');
  });

  it('at-most-once: a request unanswered after T is not resent but ends uncertain', async () => {
    ({ sim, client } = await setup({ delivery: 'at-most-once', responseTimeoutMs: 100 }));
    await client.start();
    sim.faults.ignoreSubmits = 1;
    const r = await client.send({ to: '13800138000', payload: 'lost answer' });
    assert.equal(r.results[0].code, 'CMPP_UNCERTAIN');
    assert.equal(sim.record.submits.length, 1);
  });

  it('refuses a loose AuthenticatorISMG by default, and logs in with one warning when told to accept it', async () => {
    ({ sim, client, errors } = await setup({ reconnect: false }));
    sim.faults.looseAuthenticator = true;
    await assert.rejects(client.start(), (err) => err.code === 'CMPP_AUTH' && /AuthenticatorISMG does not match/.test(err.message) && /accept a loose AuthenticatorISMG/.test(err.message));
    await client.close();
    await sim.stop();
    ({ sim, client, errors } = await setup({ acceptLooseAuthenticator: true }));
    sim.faults.looseAuthenticator = true;
    await client.start();
    assert.equal(client.state, 'connected');
    sim.dropLinks();
    await until(() => sim.record.connects.length === 2 && client.state === 'connected', { what: 'a second login' });
    const warnings = errors.filter((e) => e.code === 'CMPP_LOOSE_AUTHENTICATOR');
    assert.equal(warnings.length, 1, 'one warning, not one per login');
    assert.equal((await client.send({ to: '13800138000', payload: 'hi' })).ok, true);
  });

  it('tries a refused login again after the long back-off, saying when; sends fail at once meanwhile', async () => {
    ({ sim, client } = await setup({ loginRetryMs: 300 }));
    sim.faults.refuseLogin = 3;
    const states = [];
    client.on('state', (s, detail) => states.push([s, detail]));
    // The clock read on both sides of the refusal: the next try is the retry wait after it, whatever the load.
    const before = Date.now();
    await assert.rejects(client.start(), (err) => err.code === 'CMPP_AUTH');
    const after = Date.now();
    const [, detail] = states.find(([s]) => s === 'failed');
    assert.ok(detail.retryAt >= before + 300 && detail.retryAt <= after + 300, `the next try ${detail.retryAt - before} ms after the start`);
    assert.match(detail.message, /the next try is at \d{4}-\d\d-\d\dT/);
    assert.equal(await settlesBeforeATimer(client.send({ to: '13800138000', payload: 'x' }).then((r) => r.results[0].code)), 'CMPP_AUTH', 'failed at once, not after the queue wait');
    assert.equal(sim.record.connects.length, 1, 'no quick retries that could lock the account');
    sim.faults.refuseLogin = 0;
    await until(() => client.state === 'connected', { what: 'the retry to log in' });
    assert.equal(sim.record.connects.length, 2);
    assert.equal((await client.send({ to: '13800138000', payload: 'y' })).ok, true);
  });

  for (const [kind, result] of [['length', 4], ['report', 1]]) {
    it(`answers a DELIVER that does not decode (${kind === 'length' ? 'Msg_Length past the body' : 'a bad report body'}) with Result ${result}, says so once, keeps the link`, async () => {
      ({ sim, client, errors } = await setup());
      await client.start();
      const [answer] = await sim.sendBadDeliver(kind);
      assert.equal(Number(answer.result), result);
      assert.equal(sim.sessions, 1);
      assert.equal(sim.record.connects.length, 1, 'the link stayed up');
      const reported = errors.filter((e) => /CMPP_BAD_DELIVER|CMPP_DECODE/.test(e.code));
      assert.equal(reported.length, 1);
      assert.equal((await client.send({ to: '13800138000', payload: 'still up' })).ok, true);
    });
  }

  it('with "fail at once while down", a send while the gateway is unreachable fails at once', async () => {
    ({ sim, client } = await setup({ failWhenDown: true }));
    await client.start();
    await sim.stop();
    sim.dropLinks();
    await until(() => client.state !== 'connected', { what: 'the drop' });
    const r = await settlesBeforeATimer(client.send({ to: '13800138000', payload: 'while down' }));
    assert.notEqual(r, LATER, 'failed at once');
    assert.equal(r.results[0].code, 'CMPP_NOT_CONNECTED');
    assert.match(r.results[0].description, /link to 127\.0\.0\.1:\d+ is down/);
  });

  it('a send while the gateway is down waits the queue time, then fails saying so', async () => {
    ({ sim, client } = await setup({ queueTimeoutMs: 300 }));
    await client.start();
    await sim.stop();
    sim.dropLinks();
    await until(() => client.state !== 'connected');
    // The mocha timeout bounds the wait: a send that waited for the gateway would never end.
    const r = await client.send({ to: '13800138000', payload: 'while down' });
    assert.equal(r.results[0].code, 'CMPP_QUEUE_TIMEOUT');
    assert.match(r.results[0].description, /not sent within 300 ms: the gateway could not be reached/);
  });

  it('on close, what the gateway may have is uncertain and what never left is closed', async () => {
    ({ sim, client } = await setup({ window: 2 }));
    await client.start();
    sim.faults.withholdResponses = true;
    const sends = Array.from({ length: 4 }, (_, i) => outcome(client.send({ to: '13800138000', payload: `m${i}` })));
    await until(() => sim.record.submits.length === 2);
    await client.close();
    const codes = (await Promise.all(sends)).map((r) => r.results[0].code);
    assert.deepEqual(codes, ['CMPP_UNCERTAIN', 'CMPP_UNCERTAIN', 'CMPP_CLOSED', 'CMPP_CLOSED']);
  });

  it('refuses an empty text and a text over the SMS limit, naming the limit', async () => {
    ({ sim, client } = await setup());
    await client.start();
    await assert.rejects(client.send({ to: '13800138000', payload: '' }), (e) => e.code === 'SMS_EMPTY' && e.field === 'payload');
    await assert.rejects(client.send({ to: '13800138000', payload: 'x'.repeat(1600) }), (e) => e.code === 'SMS_TOO_MANY_PARTS' && /needs 12 SMS \(ascii, about 134 octets each\) and the limit is 10/.test(e.message));
    assert.equal((await client.send({ to: '13800138000', payload: 'x'.repeat(1600), maxParts: 0 })).parts, 12);
    assert.equal((await client.send({ to: '13800138000', payload: Buffer.alloc(0), encoding: 'binary' })).ok, true, 'an explicit empty binary message is allowed');
  });
});

describe('CMPP safety: a gateway that floods and stops reading', function () {
  this.timeout(20000);

  it('a SUBMIT answered with another command fails that message, saying what came, and the next is answered', async () => {
    let submits = 0;
    const server = net.createServer((socket) => {
      socket.on('error', () => undefined);
      const framer = new cmpp.Framer();
      socket.on('data', (chunk) => {
        for (const frame of framer.push(chunk)) {
          const pdu = cmpp.decode(frame);
          if (pdu.command === 'CONNECT') {
            const auth = cmpp.authenticatorIsmg(0, pdu.body.authenticatorSource, SP.sharedSecret, 0x30);
            socket.write(cmpp.encode({ command: 'CONNECT_RESP', sequenceId: pdu.sequenceId, body: { status: 0, authenticatorIsmg: auth, version: 0x30 } }));
          } else if (pdu.command === 'SUBMIT' && ++submits === 1) {
            // The first SUBMIT's Sequence_Id, answered as if it had been a CANCEL.
            socket.write(cmpp.encode({ command: 'CANCEL_RESP', sequenceId: pdu.sequenceId, body: { successId: 0 } }));
          } else if (pdu.command === 'SUBMIT') {
            socket.write(cmpp.encode({ command: 'SUBMIT_RESP', sequenceId: pdu.sequenceId, body: { msgId: '1234567890', result: 0 } }));
          } else if (pdu.command === 'TERMINATE') {
            socket.end(cmpp.encode({ command: 'TERMINATE_RESP', sequenceId: pdu.sequenceId, body: {} }));
          }
        }
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const client = new cmpp.CmppClient({ host: '127.0.0.1', port: server.address().port, ...SP, srcId: '1069001' });
    client.on('error', () => undefined);
    try {
      await client.start();
      const first = await client.send({ to: '13800138000', payload: 'one' });
      assert.equal(first.ok, false);
      assert.equal(first.results.length, 1, 'the part has its one result');
      assert.equal(first.results[0].code, 'CMPP_UNEXPECTED');
      assert.match(first.results[0].description, /expected CMPP_SUBMIT_RESP, got CMPP_CANCEL_RESP/);
      const second = await client.send({ to: '13800138000', payload: 'two' });
      assert.equal(second.ok, true);
      assert.equal(second.results[0].id, '1234567890');
    } finally {
      await client.close();
      await new Promise((r) => server.close(r));
    }
  });

  it('bounds what waits to be written, drops the link with a clear error and reconnects', async () => {
    const sockets = new Set();
    let logins = 0;
    const server = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      const framer = new cmpp.Framer();
      socket.on('data', (chunk) => {
        for (const frame of framer.push(chunk)) {
          const pdu = cmpp.decode(frame);
          if (pdu.command !== 'CONNECT') continue;
          logins++;
          const auth = cmpp.authenticatorIsmg(0, pdu.body.authenticatorSource, SP.sharedSecret, 0x30);
          socket.write(cmpp.encode({ command: 'CONNECT_RESP', sequenceId: pdu.sequenceId, body: { status: 0, authenticatorIsmg: auth, version: 0x30 } }));
          if (logins > 1) return;
          // Now flood ACTIVE_TESTs and never read again: every answer piles up on the client's side.
          socket.pause();
          const flood = Buffer.concat(Array.from({ length: 5000 }, (_, i) => cmpp.encode({ command: 'ACTIVE_TEST', sequenceId: i + 1, body: {} })));
          const pump = () => {
            if (socket.destroyed) return;
            socket.write(flood, () => setImmediate(pump));
          };
          pump();
        }
      });
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
    const bound = 256 * 1024;
    const client = new cmpp.CmppClient({ host: '127.0.0.1', port: server.address().port, ...SP, maxWriteBufferBytes: bound, reconnect: { initialMs: 20, maxMs: 50 } });
    const errors = [];
    client.on('error', (e) => errors.push(e));
    const states = [];
    client.on('state', (s, d) => states.push([s, d?.code]));
    let largest = 0;
    const sampler = setInterval(() => {
      const socket = client.session.links[0].socket;
      if (socket) largest = Math.max(largest, socket.writableLength);
    }, 1);
    try {
      const heapBefore = process.memoryUsage().heapUsed;
      await client.start();
      await until(() => states.some(([s, code]) => s === 'disconnected' && code === 'CMPP_BACKPRESSURE'), { timeoutMs: 15000, what: 'the link to be dropped for back-pressure' });
      await until(() => logins === 2 && client.state === 'connected', { what: 'the reconnect' });
      const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
      assert.ok(largest <= bound + 64, `at most the bound waited to be written (largest seen ${largest})`);
      assert.ok(heapGrowth < 64 * 1024 * 1024, `heap grew ${Math.round(heapGrowth / 1e6)} MB`);
    } finally {
      clearInterval(sampler);
      await client.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('CMPP simulator stays flat', () => {
  it('adds no listener per DELIVER and keeps no record in lean mode', async () => {
    const { sim, client } = await setup({}, { lean: true });
    await client.start();
    await Promise.all(Array.from({ length: 300 }, (_, i) => client.send({ to: '13800138000', payload: `r${i}`, registeredDelivery: true })));
    await sleep(50);
    const [link] = sim.links;
    assert.ok(link.socket.listenerCount('close') <= 2, `close listeners: ${link.socket.listenerCount('close')}`);
    assert.equal(link.pending.size, 0, 'every DELIVER answered and forgotten');
    assert.equal(sim.record.deliverResps.length, 0);
    assert.equal(sim.record.submits.length, 0);
    await client.close();
    await sim.stop();
  });
});


describe('simulators stay within their record limit', () => {
  it('the CMPP simulator keeps the newest entries of each record and inbox', async () => {
    const { sim, client } = await setup({}, { recordLimit: 50 });
    await client.start();
    await Promise.all(Array.from({ length: 200 }, (_, i) => client.send({ to: '13800138000', payload: `n${i}` })));
    await until(() => sim.inboxes.get('13800138000')?.some((m) => m.text === 'n199'), { what: 'the last message at the phone' });
    assert.ok(sim.record.submits.length <= 55 && sim.record.submits.length >= 50, `submits kept: ${sim.record.submits.length}`);
    assert.ok(sim.inboxes.get('13800138000').length <= 55);
    assert.equal(sim.record.submits[sim.record.submits.length - 1].body.msgContent.toString(), 'n199', 'the newest are kept');
    await client.close();
    await sim.stop();
  });
});

describe('CMPP trace', () => {
  it('gives one line per message in and out, authenticators masked, the secret nowhere', async () => {
    const lines = [];
    const { sim, client } = await setup({ trace: (line) => lines.push(line) });
    await client.start();
    await client.send({ to: '13800138000', payload: 'traced' });
    await client.close();
    await sim.stop();
    assert.match(lines[0], /^-> CMPP_CONNECT #1 sourceAddr="901234" authenticatorSource=\*\*\* version=48 timestamp=\d+$/);
    assert.match(lines[1], /^<- CMPP_CONNECT_RESP #1 status=0 authenticatorIsmg=\*\*\* version=48$/);
    assert.ok(lines.some((l) => /^-> CMPP_SUBMIT #2 msgId="0" .*destTerminalId=\[13800138000\] .*msgContent=747261636564/.test(l)));
    assert.ok(lines.some((l) => /^<- CMPP_SUBMIT_RESP #2 msgId="\d+" result=0$/.test(l)));
    assert.ok(lines.some((l) => l.startsWith('-> CMPP_TERMINATE #')));
    assert.ok(!lines.join('\n').includes('secret'));
  });
});
