/** IMSP (Chunghwa Telecom SMS over HTTPS) as the package promises it: the client and the reply parsers. */
export { ImspClient, ImspClientOptions, ImspSendRequest, ImspSendResult, ImspPartResult, DEFAULT_BASE_URL } from './client';
export { parseSubmitReply, parseQueryReply, parseChangeReply, SubmitRecord, QueryRecord, ChangeRecord } from './reply';
