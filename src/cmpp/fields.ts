/**
 * CMPP's own field type, Msg_Id; the generic ones (integers, fixed octets,
 * lists, content) live in the wire layer and are re-exported here for the
 * message tables.
 */
import { fieldError, FieldType } from '../wire/fields';
import { msgIdToBuffer } from './msgid';

export { Body, Field, FieldType, FieldValue, content, i32, list, octets, raw, u16, u32, u8 } from '../wire/fields';

/** Msg_Id: 8 octets, an unsigned 64-bit integer; its decimal text in a message object. */
export const msgId: FieldType = {
  width: 8,
  size: () => 8,
  empty: '0',
  write(out, at, value, _body, name) {
    if (value === undefined || value === '0') {
      // what an SP writes in every SUBMIT: no need for a BigInt
      out.fill(0, at, at + 8);
      return;
    }
    try {
      msgIdToBuffer(value === undefined ? '0' : (value as string | Buffer)).copy(out, at);
    } catch (err) {
      throw fieldError(name, (err as Error).message);
    }
  },
  read: (data, at) => data.readBigUInt64BE(at).toString(),
};
