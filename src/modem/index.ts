export { AtEngine, AtEngineOptions, CommandOptions, Lane, Urc } from './at';
export { Modem, ModemOptions, ModemState, ModemSendRequest, ModemSendResult, ModemPartResult, ModemIncoming, Signal, Storage } from './modem';
export { openLine } from './transport';
export { cmsError, cmeError } from './errors';
