'use strict';
// The IMSP client against servers written here that misbehave: one that
// trickles its reply, one that sends megabytes, one that answers in Big5;
// and the IMSP simulator against requests that are not well formed.
const assert = require('node:assert/strict');
const https = require('node:https');
const iconv = require('iconv-lite');
const { imsp, selfSignedCertificate } = require('../../dist/src/internal');
const testing = require('../../dist/src/testing');

const ACCOUNT = { account: 'demo0001', password: 'pass1234' };
const certificate = selfSignedCertificate();

/** An HTTPS server on loopback whose every answer is `respond(req, res)`. */
async function hostile(respond) {
  const sockets = new Set();
  const server = https.createServer({ key: certificate.key, cert: certificate.cert }, (req, res) => {
    req.resume();
    req.on('end', () => respond(req, res));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    baseUrl: `https://127.0.0.1:${server.address().port}/imsp/sms/servlet/`,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('IMSP client against hostile servers', function () {
  this.timeout(10000);
  let server;
  let client;
  afterEach(async () => {
    client?.close();
    await server?.close();
  });

  it('gives up on a reply trickled one byte at a time when its whole deadline passes', async () => {
    const timers = new Set();
    server = await hostile((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write('<')), 50);
      timers.add(t);
    });
    client = new imsp.ImspClient({ ...ACCOUNT, baseUrl: server.baseUrl, ca: certificate.cert, timeoutMs: 400 });
    // The server trickles for ever: only the client's deadline ends the send (the mocha timeout is the bound).
    const r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    for (const t of timers) clearInterval(t);
    assert.equal(r.code, 'IMSP_TIMEOUT');
    assert.match(r.description, /did not answer in full within 400 ms/);
  });

  it('refuses a reply of megabytes without holding it', async () => {
    let written = 0;
    server = await hostile((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const more = () => {
        while (!res.destroyed && written < 300 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return res.once('drain', more);
        }
        res.end();
      };
      res.on('error', () => undefined);
      more();
    });
    client = new imsp.ImspClient({ ...ACCOUNT, baseUrl: server.baseUrl, ca: certificate.cert, timeoutMs: 5000 });
    const heapBefore = process.memoryUsage().heapUsed;
    const r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    assert.equal(r.code, 'IMSP_REPLY_TOO_LARGE');
    assert.match(r.description, /more than 64 KiB/);
    assert.ok(written < 300 * 1024 * 1024, 'the transfer was cut short');
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 32 * 1024 * 1024);
  });

  for (const [label, contentType] of [['says Big5', 'text/html; charset=Big5'], ['names no charset (Big5, as the document says)', 'text/html']]) {
    it(`reads a reply that ${label}`, async () => {
      server = await hostile((req, res) => {
        res.writeHead(200, { 'Content-Type': contentType });
        res.end(iconv.encode('<html><header></header><body> 0912345678 | -1 | | 系統錯誤 </body></html>', 'big5'));
      });
      client = new imsp.ImspClient({ ...ACCOUNT, baseUrl: server.baseUrl, ca: certificate.cert });
      const r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
      assert.equal(r.code, -1);
      assert.equal(r.description, '系統錯誤');
    });
  }

  it('reads a UTF-8 reply when it says UTF-8', async () => {
    server = await hostile((req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=UTF-8' });
      res.end('<html><body> 0912345678 | 0 | H1 | 成功 </body></html>');
    });
    client = new imsp.ImspClient({ ...ACCOUNT, baseUrl: server.baseUrl, ca: certificate.cert });
    const r = (await client.send({ to: '0912345678', payload: 'x' })).results[0];
    assert.deepEqual([r.ok, r.id, r.description], [true, 'H1', '成功']);
  });
});

describe('IMSP client refuses what it cannot send well', () => {
  it('an empty text and a text over the SMS limit, before any request', async () => {
    const sim = new testing.ImspSimulator();
    await sim.start();
    const client = new imsp.ImspClient({ ...ACCOUNT, baseUrl: sim.baseUrl, ca: sim.certificate.cert });
    try {
      await assert.rejects(client.send({ to: '0912345678', payload: '' }), (e) => e.code === 'SMS_EMPTY' && e.field === 'payload');
      await assert.rejects(client.send({ to: '0912345678', payload: '溫度'.repeat(400) }), (e) => e.code === 'SMS_TOO_MANY_PARTS' && /needs 12 SMS \(ucs2, about 134 octets each\) and the limit is 10/.test(e.message));
      assert.equal(sim.requests.length, 0);
      assert.equal((await client.send({ to: '0912345678', payload: '溫度'.repeat(400), maxParts: 0 })).parts, 12);
    } finally {
      client.close();
      await sim.stop();
    }
  });
});

describe('IMSP reply parser against hostile replies', function () {
  // With the old regex, 3 MB of "<body" took minutes; the mocha timeout is the bound.
  this.timeout(5000);
  it('reads 3 MB of "<body" in one pass and says what is wrong', () => {
    assert.throws(() => imsp.parseSubmitReply('<body'.repeat(600000)), (e) => e.code === 'IMSP_REPLY' && /no <body>/.test(e.message));
    assert.throws(() => imsp.parseSubmitReply(`<body>${'</body'.repeat(600000)}`), (e) => e.code === 'IMSP_REPLY');
  });
});

describe('IMSP simulator against malformed requests', () => {
  it('answers a parameter name with a bad percent escape, and keeps serving', async () => {
    const sim = new testing.ImspSimulator();
    await sim.start();
    try {
      const status = await new Promise((resolve, reject) => {
        const req = https.request(`${sim.baseUrl}SubmitSM`, { method: 'POST', ca: sim.certificate.cert, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode));
        });
        req.on('error', reject);
        req.end('%zz=1&account=demo0001&password=pass1234&to_addr=0912345678&msg=41');
      });
      assert.equal(status, 200);
      const client = new imsp.ImspClient({ ...ACCOUNT, baseUrl: sim.baseUrl, ca: sim.certificate.cert });
      assert.equal((await client.send({ to: '0912345678', payload: 'still up' })).ok, true);
      client.close();
    } finally {
      await sim.stop();
    }
  });
});
