'use strict';
// What the package promises to keep in 0.1.0, read from the package's own
// entry points as a user would require them: the clients, the codecs, the
// segmenter and reassembler, the stores, and the error type. A name nobody
// meant to add fails here; the rest of the core is reachable only for the
// package's own nodes and tests (dist/src/internal), not by package path.
const assert = require('node:assert/strict');

const PROMISED = {
  '': ['Reassembler', 'SmsError', 'cmpp', 'decodeText', 'encodeText', 'imsp', 'modem', 'pdu', 'policy', 'route', 'segment', 'smpp', 'store'],
  cmpp: ['CmppClient', 'V2', 'V3', 'decode', 'decodeReport', 'encode', 'encodeReport', 'msgIdFromBuffer', 'msgIdToBuffer', 'packMsgId', 'unpackMsgId'],
  smpp: ['SmppClient', 'decode', 'describeStatus', 'encode', 'parseReceipt', 'statusName'],
  imsp: ['DEFAULT_BASE_URL', 'ImspClient', 'parseChangeReply', 'parseQueryReply', 'parseSubmitReply'],
  pdu: ['decodeDeliver', 'decodeReceived', 'decodeStatusReport', 'decodeSubmit', 'encodeDeliver', 'encodeStatusReport', 'encodeSubmit'],
  modem: ['AtEngine', 'Modem'],
  store: ['MemoryStore', 'RedisStore', 'SqliteStore'],
  policy: ['MemoryPolicyStore', 'Policy', 'RedisPolicyStore', 'START_WORDS', 'STOP_WORDS', 'SqlitePolicyStore', 'policySender'],
  route: ['FAIL_OVER_DEFAULT', 'LocalRouteState', 'MAY_HAVE_BEEN_SENT', 'RedisRouteState', 'Router', 'cmppChannel', 'imspChannel', 'modemChannel', 'smppChannel'],
};

const names = (object) => Object.keys(object).filter((k) => k !== '__esModule').sort();

describe('the public API of the core', () => {
  const core = require('@smsflow/node-red-sms/core');

  it('the package root and ./core are the same module', () => {
    assert.equal(require('@smsflow/node-red-sms'), core);
  });

  for (const [namespace, expected] of Object.entries(PROMISED)) {
    it(`exports exactly what it promises${namespace ? ` in ${namespace}` : ' at the root'}`, () => {
      assert.deepEqual(names(namespace ? core[namespace] : core), expected);
    });
  }

  it('keeps the rest of the core out of reach by package path', () => {
    assert.throws(() => require('@smsflow/node-red-sms/dist/src/internal'), (err) => err.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('the README\'s examples run on it: a segment, and each client made', () => {
    const result = core.segment('機房溫度過高 🔥', { target: 'imsp' });
    assert.deepEqual([result.encoding, result.code], ['ucs2', 8]);
    const store = new core.store.MemoryStore();
    const clients = [
      new core.cmpp.CmppClient({ host: '127.0.0.1', port: 1, spId: '901234', sharedSecret: 'x', store }),
      new core.smpp.SmppClient({ host: '127.0.0.1', port: 1, systemId: 'acme', password: 'secret1', sourceAddr: 'ACME' }),
      new core.imsp.ImspClient({ account: 'demo0001', password: 'pass1234' }),
      new core.modem.Modem({ port: 'tcp://127.0.0.1:1' }),
    ];
    for (const client of clients) assert.equal(typeof client.send, 'function', `${client.constructor.name} sends`);
    assert.deepEqual(clients.map((c) => c.constructor.name), ['CmppClient', 'SmppClient', 'ImspClient', 'Modem']);
    clients[2].close();
  });
});
