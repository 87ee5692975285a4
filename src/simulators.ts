/**
 * Starts the carrier simulators together, for `npm start`, the CLI and
 * anyone who wants to try flows without a carrier account.
 */
import { IsmgSimulator } from './cmpp/simulator';
import { ImspSimulator } from './imsp/simulator';
import { SelfSignedCertificate } from './tls';

export interface SimulatorPorts {
  cmpp?: number;
  imsp?: number;
}

export interface RunningSimulators {
  cmpp: IsmgSimulator;
  imsp: ImspSimulator;
  ports: Required<SimulatorPorts>;
  /** lines a person reads to connect to them */
  describe(): string[];
  stop(): Promise<void>;
}

export const DEMO_ACCOUNTS = {
  cmpp: { spId: '901234', sharedSecret: 'secret', srcId: '1069001' },
  imsp: { account: 'demo0001', password: 'pass1234' },
};

export async function startSimulators(ports: SimulatorPorts = {}, host = '127.0.0.1', imspCertificate?: SelfSignedCertificate): Promise<RunningSimulators> {
  const cmpp = new IsmgSimulator({ host, port: ports.cmpp ?? 0, accounts: { [DEMO_ACCOUNTS.cmpp.spId]: DEMO_ACCOUNTS.cmpp.sharedSecret }, reportDelayMs: 1500, autoReply: () => '好的，收到！' });
  const imsp = new ImspSimulator({ host, port: ports.imsp ?? 0, accounts: { [DEMO_ACCOUNTS.imsp.account]: DEMO_ACCOUNTS.imsp.password }, deliverAfterMs: 2000, certificate: imspCertificate });
  try {
    await cmpp.start();
    await imsp.start();
  } catch (err) {
    await cmpp.stop();
    await imsp.stop();
    throw err;
  }
  return {
    cmpp,
    imsp,
    ports: { cmpp: cmpp.port, imsp: imsp.port },
    describe: () => [
      `CMPP ISMG  ${host}:${cmpp.port}  SP_Id ${DEMO_ACCOUNTS.cmpp.spId}, shared secret "${DEMO_ACCOUNTS.cmpp.sharedSecret}", versions 3.0 and 2.0`,
      `IMSP       ${imsp.baseUrl}  account ${DEMO_ACCOUNTS.imsp.account}, password "${DEMO_ACCOUNTS.imsp.password}" (self-signed certificate: give it as the CA)`,
    ],
    stop: async () => {
      await cmpp.stop();
      await imsp.stop();
    },
  };
}
