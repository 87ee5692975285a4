'use strict';
// IMSP: SubmitSM requests per second against the simulator over keep-alive
// HTTPS, next to a bare https.request loop sending the same body to the same
// server with the same concurrency, in the same run.
const https = require('node:https');
const { imsp } = require('../dist/src/internal');
const testing = require('../dist/src/testing');
const { printTable } = require('./harness');

const CONCURRENCY = 8;
const SECONDS = require('./harness').QUICK ? 0.2 : 2;

async function loop(once) {
  let done = 0;
  const until = Date.now() + SECONDS * 1000;
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (Date.now() < until) {
      await once();
      done++;
    }
  }));
  return (done * 1e9) / Number(process.hrtime.bigint() - started);
}

module.exports = async function run() {
  const sim = new testing.ImspSimulator();
  await sim.start();
  const client = new imsp.ImspClient({ account: 'demo0001', password: 'pass1234', baseUrl: sim.baseUrl, ca: sim.certificate.cert });
  const params = { to_addr: '0912345678', msg_type: 0, msg_dcs: 8, msg: '5BB65EAD' };
  const body = imsp.formEncode([['account', 'demo0001'], ['password', 'pass1234'], ['to_addr', '0912345678'], ['msg_type', 0], ['msg_dcs', 8], ['msg', '5BB65EAD']]);
  const agent = new https.Agent({ keepAlive: true, minVersion: 'TLSv1.2', ca: sim.certificate.cert, maxSockets: 8 });
  const bare = () => new Promise((resolve, reject) => {
    const req = https.request(`${sim.baseUrl}SubmitSM`, { method: 'POST', agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.on('data', () => undefined);
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end(body);
  });
  // Warm both paths (TLS handshakes, JIT) before measuring; then alternate.
  await loop(bare);
  await loop(() => client.submitSM(params));
  const rounds = { ours: [], peer: [] };
  for (let i = 0; i < 3; i++) {
    rounds.peer.push(await loop(bare));
    rounds.ours.push(await loop(() => client.submitSM(params)));
  }
  sim.requests.length = 0;
  const median = (v) => v.sort((a, b) => a - b)[1];
  const ours = median(rounds.ours);
  const peer = median(rounds.peer);
  printTable('IMSP (SubmitSM requests per second, keep-alive HTTPS, 8 at a time)', [
    { name: 'SubmitSM via ImspClient', ours, peer, peerName: 'bare https.request' },
  ]);
  console.log(`  floor: ratio 0.8 -> ${ours / peer >= 0.8 ? 'met' : 'NOT met'} (${(ours / peer).toFixed(2)})`);
  client.close();
  agent.destroy();
  await sim.stop();
};
