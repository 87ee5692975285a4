/** A GSM modem as the package promises it: the driver over any stream, and its AT command engine. */
export { Modem, ModemOptions, ModemState, ModemSendRequest, ModemSendResult, ModemPartResult, ModemIncoming, Signal, Storage } from './modem';
export { AtEngine, AtEngineOptions, CommandOptions, Urc } from './at';
