/**
 * The carrier side, for tests, demos and trying flows without an account:
 * a CMPP ISMG, an IMSP server, virtual GSM modems and phones, and the page
 * that shows the simulated phones' inboxes. Never imported by the core.
 */
export { IsmgSimulator, IsmgSimulatorOptions, Faults as IsmgFaults, SubmitRecord, PhoneMessage } from './cmpp-ismg';
export { SmscSimulator, SmscSimulatorOptions, SmscFaults, SmscSubmitRecord, SmscPhoneMessage } from './smpp-smsc';
export { ImspSimulator, ImspSimulatorOptions, ImspFaults, ImspRequestRecord } from './imsp-server';
export { VirtualNetwork, VirtualModem, VirtualPhone, Subscriber, VirtualModemOptions, VirtualNetworkOptions, VirtualFaults } from './virtual-modem';
export { startSimulators, RunningSimulators, DEMO_ACCOUNTS } from './simulators';
export { servePhonesPage, inboxes, InboxEntry } from './phones-page';
export { keptCertificate, defaultCertificateFile } from './certificate-file';
