export { ImspClient, ImspClientOptions, ImspSendRequest, ImspSendResult, ImspPartResult, DEFAULT_BASE_URL } from './client';
export { CODES, codeInfo, CodeInfo, CodeClass, Servlet } from './codes';
export { parseSubmitReply, parseQueryReply, parseChangeReply, SubmitRecord, QueryRecord, ChangeRecord } from './reply';
export { checkSubmit, checkRecipient, recipientList, formEncode, formDecode, SubmitParams } from './params';
