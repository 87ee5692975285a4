'use strict';
// Flows saved by an older version of the package start with the settings
// that version did not have filled in: one test per migration step.
const assert = require('node:assert/strict');
const { migrate, CONFIG_VERSION, MIGRATIONS } = require('../../dist/nodes/migrations');

const v1 = {
  'cmpp-connection': { id: 'c', type: 'cmpp-connection', host: '10.0.0.1', port: 7890, spId: '901234', queueSize: 500 },
  'modem-port': { id: 'm', type: 'modem-port', port: '/dev/ttyUSB0', baudRate: 115200 },
  'cmpp-submit': { id: 's', type: 'cmpp-submit', connection: 'c', to: '13800138000' },
  'imsp-send': { id: 'i', type: 'imsp-send', account: 'a', to: '0912345678' },
  'modem-pdu': { id: 'p', type: 'modem-pdu', modem: 'm', to: '+886912345678' },
  'imsp-account': { id: 'a', type: 'imsp-account', account: 'demo0001' },
};

const expected = {
  'cmpp-connection': { queueTimeout: 60, failWhenDown: false, delivery: 'at-least-once', loginRetry: 5, looseAuthenticator: false, trace: false, store: 'sqlite', redisUrl: '', sidebarDetails: false, links: 1, ratePerLink: 0 },
  'modem-port': { storage: 'SM', queueTimeout: 60, failWhenDown: false, store: 'sqlite', sidebarDetails: false },
  'imsp-account': { store: 'sqlite', sidebarDetails: false },
  'cmpp-submit': { maxParts: 10, keep: '' },
  'imsp-send': { maxParts: 10 },
  'modem-pdu': { maxParts: 10 },
};

describe('node settings migrations', () => {
  it('has one step per version for every node type that changed', () => {
    for (const steps of Object.values(MIGRATIONS)) assert.equal(steps.length, CONFIG_VERSION - 1);
  });

  for (const [type, config] of Object.entries(v1)) {
    it(`${type} 1 -> 2: fills ${Object.keys(expected[type]).join(', ')} and keeps what was set`, () => {
      const migrated = migrate(config);
      assert.deepEqual(migrated, { ...config, ...expected[type], configVersion: 2 });
      assert.equal(config.configVersion, undefined, 'the saved settings are not changed in place');
    });
  }

  it('keeps a value the user set over the default', () => {
    assert.equal(migrate({ ...v1['cmpp-submit'], maxParts: 0 }).maxParts, 0);
  });

  it('leaves current and future versions as they are', () => {
    const current = { ...v1['cmpp-submit'], configVersion: 2 };
    assert.equal(migrate(current), current);
    const future = { ...v1['cmpp-submit'], configVersion: 9, somethingNew: true };
    assert.equal(migrate(future), future);
  });

  it('leaves node types without migrations unchanged but for the version', () => {
    assert.deepEqual(migrate({ id: 'x', type: 'cmpp-deliver-in', connection: 'c' }), { id: 'x', type: 'cmpp-deliver-in', connection: 'c', configVersion: 2 });
  });
});
