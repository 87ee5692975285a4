#!/usr/bin/env node
/**
 * smsflow-simulators: the carrier simulators on this machine's loopback.
 *   smsflow-simulators [--cmpp PORT] [--smpp PORT] [--imsp PORT] [--modem PORT] [--cert FILE] [--print-ca]
 */
import { defaultCertificateFile, keptCertificate } from '../testing/certificate-file';
import { startSimulators } from '../testing/simulators';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`--${name}: give a port from 0 to 65535 (0 picks a free one), got "${process.argv[i + 1] ?? ''}"`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(
      [
        'usage: smsflow-simulators [--cmpp PORT] [--smpp PORT] [--imsp PORT] [--modem PORT] [--cert FILE] [--print-ca]',
        'Starts the SMS carrier simulators on 127.0.0.1 until Ctrl-C.',
        `  --cert FILE  where the IMSP simulator keeps its certificate (default ${defaultCertificateFile()}, or SMSFLOW_CERT_FILE)`,
        '  --print-ca   prints that certificate (the CA to trust in an imsp-account) and exits; nothing is started',
      ].join('\n'),
    );
    return;
  }
  const certIndex = process.argv.indexOf('--cert');
  const certificate = keptCertificate(certIndex > 0 ? process.argv[certIndex + 1] : undefined);
  if (process.argv.includes('--print-ca')) {
    // Read from the file: works while the simulators run elsewhere.
    process.stdout.write(certificate.cert);
    return;
  }
  const sims = await startSimulators({ cmpp: option('cmpp', 7890), smpp: option('smpp', 2775), imsp: option('imsp', 4443), modem: option('modem', 7000) }, '127.0.0.1', certificate);
  for (const line of sims.describe()) console.log(line);
  console.log('Ctrl-C stops them.');
  sims.cmpp.on('submit', (body: Record<string, unknown>, msgId: string, result: number) => {
    console.log(`CMPP SUBMIT to ${(body.destTerminalId as string[]).join(',')} part ${String(body.pkNumber)}/${String(body.pkTotal)} -> Result ${result}, Msg_Id ${msgId}`);
  });
  sims.smpp.on('phone', (m: { from: string; to: string; text?: string; parts: number }) => {
    console.log(`SMPP submit_sm from ${m.from} to ${m.to} (${m.parts} part(s)): ${m.text ?? '<binary>'}`);
  });
  sims.imsp.on('request', (r: { servlet: string; params: Record<string, string> }) => {
    console.log(`IMSP ${r.servlet} to ${r.params.to_addr ?? ''} msg_dcs ${r.params.msg_dcs ?? ''}`);
  });
  sims.phone.on('message', (m: { from: string; text: string; parts: number }) => console.log(`phone ${sims.phone.number} got from ${m.from} (${m.parts} part(s)): ${m.text}`));
  const stop = (): void => {
    sims.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
