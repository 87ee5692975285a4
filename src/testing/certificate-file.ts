/**
 * The IMSP simulator's certificate, kept in a file so that a flow told to
 * trust it keeps trusting it across restarts: made once, read after that,
 * made again only when it is about to expire or cannot be read.
 */
import { X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { selfSignedCertificate, SelfSignedCertificate } from '../tls';

/** where the simulators keep it unless told otherwise */
export function defaultCertificateFile(): string {
  return process.env.SMSFLOW_CERT_FILE || path.join(os.homedir(), '.smsflow', 'imsp-simulator-certificate.json');
}

export function keptCertificate(file = defaultCertificateFile()): SelfSignedCertificate {
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as SelfSignedCertificate;
    if (Date.parse(new X509Certificate(kept.cert).validTo) > Date.now() + 86400e3) return kept;
  } catch {
    // none yet, or unreadable: make one
  }
  const made = selfSignedCertificate('smsflow IMSP simulator', 3650);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(made), { mode: 0o600 });
  return made;
}
