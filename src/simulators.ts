/**
 * Starts the carrier simulators together, for `npm start`, the CLI and
 * anyone who wants to try flows without a carrier account.
 */
import { IsmgSimulator } from './cmpp/simulator';

export interface SimulatorPorts {
  cmpp?: number;
}

export interface RunningSimulators {
  cmpp: IsmgSimulator;
  ports: Required<SimulatorPorts>;
  /** lines a person reads to connect to them */
  describe(): string[];
  stop(): Promise<void>;
}

export const DEMO_ACCOUNTS = {
  cmpp: { spId: '901234', sharedSecret: 'secret', srcId: '1069001' },
};

export async function startSimulators(ports: SimulatorPorts = {}, host = '127.0.0.1'): Promise<RunningSimulators> {
  const cmpp = new IsmgSimulator({ host, port: ports.cmpp ?? 0, accounts: { [DEMO_ACCOUNTS.cmpp.spId]: DEMO_ACCOUNTS.cmpp.sharedSecret }, reportDelayMs: 1500, autoReply: () => '好的，收到！' });
  await cmpp.start();
  return {
    cmpp,
    ports: { cmpp: cmpp.port },
    describe: () => [
      `CMPP ISMG  ${host}:${cmpp.port}  SP_Id ${DEMO_ACCOUNTS.cmpp.spId}, shared secret "${DEMO_ACCOUNTS.cmpp.sharedSecret}", versions 3.0 and 2.0`,
    ],
    stop: async () => {
      await cmpp.stop();
    },
  };
}
