/**
 * Starts the carrier simulators together, for `npm start`, the CLI and
 * anyone who wants to try flows without a carrier account.
 */
import { IsmgSimulator } from './cmpp-ismg';
import { ImspSimulator } from './imsp-server';
import { SmscSimulator } from './smpp-smsc';
import { SelfSignedCertificate } from '../tls';
import { VirtualNetwork, VirtualPhone } from './virtual-modem';

export interface SimulatorPorts {
  cmpp?: number;
  smpp?: number;
  imsp?: number;
  modem?: number;
}

export interface RunningSimulators {
  cmpp: IsmgSimulator;
  smpp: SmscSimulator;
  imsp: ImspSimulator;
  network: VirtualNetwork;
  /** the phone the demo sends to through the virtual modem; it answers */
  phone: VirtualPhone;
  ports: Required<SimulatorPorts>;
  /** lines a person reads to connect to them */
  describe(): string[];
  stop(): Promise<void>;
}

export const DEMO_ACCOUNTS = {
  cmpp: { spId: '901234', sharedSecret: 'secret', srcId: '1069001' },
  smpp: { systemId: 'smppclient1', password: 'password', sourceAddr: 'ALERTS' },
  imsp: { account: 'demo0001', password: 'pass1234' },
  modem: { number: '+886911111111', phone: '+886922222222' },
};

export async function startSimulators(ports: SimulatorPorts = {}, host = '127.0.0.1', imspCertificate?: SelfSignedCertificate): Promise<RunningSimulators> {
  const cmpp = new IsmgSimulator({
    host,
    port: ports.cmpp ?? 0,
    accounts: { [DEMO_ACCOUNTS.cmpp.spId]: DEMO_ACCOUNTS.cmpp.sharedSecret },
    reportDelayMs: 1500,
    autoReply: () => '收到，请问今天几点前能处理？',
  });
  const smpp = new SmscSimulator({
    host,
    port: ports.smpp ?? 0,
    accounts: { [DEMO_ACCOUNTS.smpp.systemId]: DEMO_ACCOUNTS.smpp.password },
    reportDelayMs: 1500,
    autoReply: (m) => (m.from === DEMO_ACCOUNTS.smpp.sourceAddr ? 'OK, received!' : undefined),
  });
  const imsp = new ImspSimulator({ host, port: ports.imsp ?? 0, accounts: { [DEMO_ACCOUNTS.imsp.account]: DEMO_ACCOUNTS.imsp.password }, deliverAfterMs: 2000, certificate: imspCertificate });
  const network = new VirtualNetwork({ reportDelayMs: 1500 });
  const virtualModem = network.modem(DEMO_ACCOUNTS.modem.number);
  const phone = network.phone(DEMO_ACCOUNTS.modem.phone, () => 'OK, on my way.');
  let modemPort = 0;
  try {
    await cmpp.start();
    await smpp.start();
    await imsp.start();
    modemPort = await virtualModem.listen(ports.modem ?? 0, host);
  } catch (err) {
    await cmpp.stop();
    await smpp.stop();
    await imsp.stop();
    network.stop();
    throw err;
  }
  return {
    cmpp,
    smpp,
    imsp,
    network,
    phone,
    ports: { cmpp: cmpp.port, smpp: smpp.port, imsp: imsp.port, modem: modemPort },
    describe: () => [
      `CMPP ISMG  ${host}:${cmpp.port}  SP_Id ${DEMO_ACCOUNTS.cmpp.spId}, shared secret "${DEMO_ACCOUNTS.cmpp.sharedSecret}", versions 3.0 and 2.0`,
      `SMPP SMSC  ${host}:${smpp.port}  system_id ${DEMO_ACCOUNTS.smpp.systemId}, password "${DEMO_ACCOUNTS.smpp.password}", SMPP 3.4`,
      `IMSP       ${imsp.baseUrl}  account ${DEMO_ACCOUNTS.imsp.account}, password "${DEMO_ACCOUNTS.imsp.password}" (self-signed certificate: give it as the CA)`,
      `GSM modem  tcp://${host}:${modemPort}  a virtual modem (${DEMO_ACCOUNTS.modem.number}); the phone ${DEMO_ACCOUNTS.modem.phone} answers what it gets`,
    ],
    stop: async () => {
      await cmpp.stop();
      await smpp.stop();
      await imsp.stop();
      network.stop();
    },
  };
}
