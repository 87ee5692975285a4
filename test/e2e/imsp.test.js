'use strict';
// The IMSP client against the IMSP simulator over HTTPS on loopback.
const assert = require('node:assert/strict');
const { imsp } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');
const examples = require('../fixtures/imsp-examples.json');
const { until } = require('../support/wait');

const ACCOUNT = { account: 'demo0001', password: 'pass1234' };

describe('IMSP client against the IMSP simulator (HTTPS)', function () {
  let sim;
  let client;
  const make = (options = {}) => new imsp.ImspClient({ ...ACCOUNT, baseUrl: sim.baseUrl, ca: sim.certificate.cert, timeoutMs: 2000, polling: { initialMs: 20, maxMs: 80 }, ...options });
  beforeEach(async () => {
    sim = new testing.ImspSimulator({ deliverAfterMs: 60 });
    await sim.start();
    client = make();
  });
  afterEach(async () => {
    client.close();
    await sim.stop();
  });

  it('example 5: 家庭 and the longer Chinese text arrive as msg_dcs 8 with the document\'s hex', async () => {
    for (const ex of examples.example5) {
      const result = await client.send({ to: '0912345678', payload: ex.text });
      assert.equal(result.ok, true);
      const { params } = sim.requests[sim.requests.length - 1];
      assert.deepEqual([params.msg_dcs, params.msg_type, params.msg_udhi], ['8', '0', undefined]);
      assert.equal(params.msg, ex.msg.toUpperCase());
    }
  });

  for (const name of ['example6', 'example7']) {
    it(`${name}: every part arrives with msg_udhi=1, msg_dcs ${examples[name].msg_dcs} and the document's hex`, async () => {
      const ex = examples[name];
      const result = await client.send({ to: '0912345678', payload: ex.text, reference: ex.reference });
      assert.equal(result.ok, true);
      assert.equal(result.parts, ex.parts.length);
      const submits = sim.requests.filter((r) => r.servlet === 'SubmitSM').sort((a, b) => a.params.msg.localeCompare(b.params.msg));
      assert.deepEqual(submits.map((r) => r.params.msg), ex.parts);
      for (const r of submits) assert.deepEqual([r.params.msg_udhi, r.params.msg_dcs, r.params.msg_type, r.method], ['1', String(ex.msg_dcs), '0', 'POST']);
      await until(() => sim.inboxes.get('0912345678'));
      assert.equal(sim.inboxes.get('0912345678')[0].text, ex.text);
    });
  }

  it('example 8: GSM extension characters and line breaks as msg_dcs 3', async () => {
    await client.send({ to: '0912345678', payload: examples.example8.text });
    const { params } = sim.requests[0];
    assert.equal(params.msg_dcs, '3');
    assert.equal(params.msg, examples.example8.msg);
    assert.equal(sim.inboxes.get('0912345678')[0].text, examples.example8.text);
  });

  it('example 1: 家庭 in Big5 (msg_dcs 0) is URL-encoded octet by octet', async () => {
    const result = await client.send({ to: '0912345678', payload: '家庭', encoding: 'big5' });
    assert.equal(result.ok, true);
    assert.equal(result.msgDcs, 0);
    assert.match(sim.requests[0].raw, /&msg=%AEa%AEx(&|$)/);
    assert.equal(sim.requests[0].params.msg, '家庭');
  });

  it('sends to several recipients in one request, and splits them within 20 numbers and 200 characters of to_addr', async () => {
    const numbers = Array.from({ length: 25 }, (_, i) => `09123456${String(i).padStart(2, '0')}`);
    const result = await client.send({ to: numbers, payload: 'hello' });
    assert.equal(result.ok, true);
    // 18 ten-digit numbers and their commas take 197 characters; a 19th would pass 200.
    assert.deepEqual(sim.requests.map((r) => r.params.to_addr.split(',').length), [18, 7]);
    assert.deepEqual(result.results.map((r) => r.to), numbers);
    assert.ok(result.results.every((r) => /^H[0-9A-F]{7}$/.test(r.id)));
  });

  it('encodes + as %2B in an international number, and can use GET', async () => {
    client.close();
    client = make({ method: 'GET' });
    await client.send({ to: '+8613812345678', payload: 'hi' });
    assert.equal(sim.requests[0].method, 'GET');
    assert.match(sim.requests[0].raw, /to_addr=%2B8613812345678/);
  });

  it('sends text to an application port as UTF-16BE with dest_port (example 3)', async () => {
    await client.send({ to: '0912345678', payload: '家庭', msgType: 2, destPort: 50000 });
    const { params } = sim.requests[0];
    assert.deepEqual([params.msg_type, params.msg, params.dest_port], ['2', '5BB65EAD', 'C350']);
  });

  it('classes each failure: permanent (22, 23, 41, 48) and retryable (-1), with the code and its meaning', async () => {
    sim.faults.submitCodes = [22, 23, 41, 48, -1];
    const outcomes = [];
    for (let i = 0; i < 5; i++) outcomes.push((await client.send({ to: '0912345678', payload: 'x' })).results[0]);
    assert.deepEqual(outcomes.map((r) => [r.code, r.class, r.ok]), [[22, 'permanent', false], [23, 'permanent', false], [41, 'permanent', false], [48, 'permanent', false], [-1, 'retryable', false]]);
    assert.equal(outcomes[0].description, 'Password error or no this account');
    assert.equal(outcomes[0].meaning, '帳號或是密碼錯誤');
  });

  it('a wrong password is code 22 from the server', async () => {
    client.close();
    client = make({ password: 'nope' });
    const result = await client.send({ to: '0912345678', payload: 'x' });
    assert.deepEqual([result.ok, result.results[0].code], [false, 22]);
  });

  it('says what went wrong with HTTP: a 500, a dropped connection, a slow answer, an unreadable page', async () => {
    sim.faults.http500 = 1;
    let r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    assert.deepEqual([r.code, /SubmitSM answered HTTP 500/.test(r.description)], ['IMSP_HTTP', true]);
    // The server read the whole request before it dropped the connection: it may have sent the SMS.
    sim.faults.drop = 1;
    r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    assert.equal(r.code, 'IMSP_UNCERTAIN');
    assert.match(r.description, /may have sent the SMS/);
    sim.faults.garbage = ['Service Unavailable'];
    r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    assert.equal(r.code, 'IMSP_REPLY');
    assert.match(r.description, /it said: "Service Unavailable"/);
    client.close();
    client = make({ timeoutMs: 100 });
    sim.faults.delayMs = 400;
    r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    assert.deepEqual([r.code, r.description], ['IMSP_TIMEOUT', 'SubmitSM did not answer in full within 100 ms']);
  });

  it('polls QuerySM until each recipient is final and reports it, long messages combined', async () => {
    await sim.stop();
    sim = new testing.ImspSimulator({ deliverAfterMs: 60, finalCode: (to) => (to === '0987654321' ? 8 : 0) });
    await sim.start();
    client.close();
    client = make();
    const reports = [];
    client.on('report', (r) => reports.push(r));
    await client.send({ to: ['0912345678', '0987654321'], payload: 'y'.repeat(200), track: true, correlation: { ticket: 9 } });
    await until(() => reports.length === 2, { what: 'two reports' });
    const good = reports.find((r) => r.to === '0912345678');
    const bad = reports.find((r) => r.to === '0987654321');
    assert.deepEqual([good.status, good.parts, good.correlation], ['delivered', { total: 2, delivered: 2, failed: 0 }, { ticket: 9 }]);
    assert.match(good.id, /^H[0-9A-F]{7}$/);
    assert.match(good.doneAt, /\+08:00$/);
    assert.deepEqual([bad.status, bad.detail], ['undeliverable', '8 SIM card memory full']);
    const queries = sim.requests.filter((r) => r.servlet === 'QuerySM');
    assert.ok(queries.some((q) => q.params.to_addr === ''), 'batch mode: all recipients of a message id at once');
  });

  it('changes the password (POST only) and uses the new one', async () => {
    const refused = await client.changePassword('short');
    assert.deepEqual([refused.ok, refused.code], [false, 1]);
    const changed = await client.changePassword('n3w#pass');
    assert.deepEqual([changed.ok, changed.code], [true, 0]);
    assert.equal(sim.requests.at(-1).method, 'POST');
    const result = await client.send({ to: '0912345678', payload: 'after the change' });
    assert.equal(result.ok, true);
    assert.equal(sim.requests.at(-1).params.password, 'n3w#pass');
  });

  it('refuses a server that offers only TLS 1.1', async () => {
    const old = new testing.ImspSimulator({ tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1' } });
    await old.start();
    const c = new imsp.ImspClient({ ...ACCOUNT, baseUrl: old.baseUrl, ca: old.certificate.cert });
    try {
      const r = (await c.send({ to: '0912345678', payload: 'x' })).results[0];
      assert.equal(r.code, 'IMSP_TLS');
      assert.match(r.description, /does not offer TLS 1.2 or later/);
      assert.equal(old.requests.length, 0, 'nothing reached the server');
    } finally {
      c.close();
      await old.stop();
    }
  });

  it('refuses a certificate it was not told to trust', async () => {
    const c = new imsp.ImspClient({ ...ACCOUNT, baseUrl: sim.baseUrl });
    try {
      const r = (await c.send({ to: '0912345678', payload: 'x' })).results[0];
      assert.equal(r.code, 'IMSP_TLS_CERTIFICATE');
      assert.match(r.description, /give its CA certificate in the CA setting/);
    } finally {
      c.close();
    }
  });

  it('refuses plain HTTP and bad input before anything is sent', async () => {
    assert.throws(() => new imsp.ImspClient({ ...ACCOUNT, baseUrl: 'http://127.0.0.1/imsp/' }), /baseUrl: IMSP takes HTTPS/);
    const badAccount = new imsp.ImspClient({ account: 'much-too-long', password: 'x', baseUrl: sim.baseUrl });
    await assert.rejects(badAccount.querySM('H1'), /account: the IMSP account: 1 to 8 ASCII characters/);
    badAccount.close();
    await assert.rejects(client.send({ to: '12345', payload: 'x' }), /to_addr: "12345" is not a number IMSP takes/);
    await assert.rejects(client.send({ to: '0912345678', payload: 'x', msgType: 2 }), /dest_port: msg_type 2 needs/);
    await assert.rejects(client.send({ to: '0912345678', payload: 'x', expireMinutes: 5000 }), /msg_expire_time: minutes from 0 to 1440/);
    assert.equal(sim.requests.length, 0);
  });
});
