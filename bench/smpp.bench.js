'use strict';
// SMPP: submit_sm -> submit_sm_resp throughput of one bind (window 16)
// against a minimal independent SMSC over loopback, next to a raw TCP loop
// of submit_sm PDUs of the same size against the same SMSC, in alternating
// rounds; and the codec's rates.
const { smpp } = require('../dist/src/internal');
const { alternate, compare, keepBusy, printTable, QUICK, rawLoop, verdict } = require('./harness');
const { startMinimalSmsc } = require('./minimal-smsc');

const WINDOW = 16;
const SECONDS = QUICK ? 0.2 : 1.5;
const BODY = {
  serviceType: '', sourceAddrTon: 5, sourceAddrNpi: 0, sourceAddr: 'ALERTS', destAddrTon: 1, destAddrNpi: 1, destinationAddr: '886912345678',
  esmClass: 0, protocolId: 0, priorityFlag: 0, scheduleDeliveryTime: '', validityPeriod: '', registeredDelivery: 0, replaceIfPresentFlag: 0,
  dataCoding: 0, smDefaultMsgId: 0, smLength: 40, shortMessage: Buffer.from('Server room B: temperature 36C, check it'),
};

async function throughputOfSession(port) {
  const session = new smpp.SmppSession({ host: '127.0.0.1', port, systemId: 'bench', password: 'bench', window: WINDOW, maxQueue: 1e6 });
  await session.start();
  const rate = await keepBusy(async () => {
    const pdu = await session.request('submit_sm', BODY);
    if (pdu.command !== 'submit_sm_resp' || pdu.status !== 0) throw new Error(`unexpected answer ${pdu.command} ${pdu.status}`);
  }, SECONDS * 1000);
  await session.close();
  return rate;
}

async function throughputOfClientSend(port) {
  const client = new smpp.SmppClient({ host: '127.0.0.1', port, systemId: 'bench', password: 'bench', window: WINDOW, maxQueue: 1e6, sourceAddr: 'ALERTS' });
  await client.start();
  const rate = await keepBusy(async () => {
    const r = await client.send({ to: '886912345678', payload: 'Server room B: temperature 36C, check it' });
    if (!r.ok || !r.results[0].id) throw new Error(`send failed: ${r.results[0].description}`);
  }, SECONDS * 1000);
  await client.close();
  return rate;
}

module.exports = async function run() {
  const frame = smpp.encode({ command: 'submit_sm', sequenceId: 1, body: BODY });
  const codec = compare({
    encode: () => smpp.encode({ command: 'submit_sm', sequenceId: 1, body: BODY }),
    decode: () => smpp.decode(frame),
  });
  const smsc = await startMinimalSmsc();
  try {
    const wire = await alternate({
      raw: () => rawLoop({ port: smsc.port, request: frame, sequenceAt: 12, window: WINDOW, ms: SECONDS * 1000, answerId: 0x80000004 }),
      session: () => throughputOfSession(smsc.port),
      client: () => throughputOfClientSend(smsc.port),
    });
    printTable('SMPP against a minimal independent SMSC (bench/minimal-smsc.js), 1 bind, window 16, per second', [
      { name: 'encode submit_sm', ours: codec.encode },
      { name: 'decode submit_sm', ours: codec.decode },
      { name: 'submit_sm->resp, SmppSession.request', ours: wire.session, peer: wire.raw, peerName: 'raw TCP' },
      { name: 'message->result, SmppClient.send', ours: wire.client, peer: wire.raw, peerName: 'raw TCP' },
    ]);
    console.log(verdict(wire.session / wire.raw, 0.5, 'session, as for CMPP'));
  } finally {
    await smsc.stop();
  }
};
