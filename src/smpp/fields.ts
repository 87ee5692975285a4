/**
 * SMPP's own field types: submit_multi's destinations (an SME address or a
 * distribution list, §4.5.1.1) and submit_multi_resp's unsuccessful SMEs
 * (§4.5.2.1), both counted by the field before them. The generic ones
 * (integers, C-Octet strings, content, TLVs) live in the wire layer.
 */
import { shown } from '../text-of';
import { cString, Entry, fieldError, FieldType, u8 } from '../wire/fields';

export { content } from '../wire/fields';

const address = cString(21);

/** dest_flag 1: { ton, npi, address }; 2: { list } (a distribution list's name) */
export function destinations(countKey: string): FieldType {
  const sizeOf = (e: Entry): number => 1 + (e.list !== undefined ? String(e.list).length + 1 : 2 + String(e.address ?? '').length + 1);
  return {
    empty: [],
    size: (_body, value) => ((value ?? []) as Entry[]).reduce((n, e) => n + sizeOf(e), 0),
    write(out, at, value, body, name) {
      const list = (value ?? []) as Entry[];
      if (list.length !== Number(body[countKey] ?? 0)) throw fieldError(name, `has ${list.length} entries, ${countKey} says ${shown(body[countKey])}`);
      if (list.length > 254) throw fieldError(name, `at most 254 destinations, got ${list.length}`);
      let p = at;
      for (const e of list) {
        if (e.list !== undefined) {
          out[p++] = 2;
          address.write(out, p, e.list, body, `${name} dl_name`);
          p += String(e.list).length + 1;
        } else {
          out[p++] = 1;
          u8.write(out, p++, e.ton ?? 0, body, `${name} dest_addr_ton`);
          u8.write(out, p++, e.npi ?? 0, body, `${name} dest_addr_npi`);
          address.write(out, p, e.address, body, `${name} destination_addr`);
          p += String(e.address ?? '').length + 1;
        }
      }
    },
    measure: (data, at, end, body) => walk(data, at, end, Number(body[countKey])),
    read(data, at, _body, end) {
      const list: Entry[] = [];
      let p = at;
      while (p < end) {
        const flag = data[p++];
        if (flag === 2) {
          const n = address.measure!(data, p, end, {});
          list.push({ list: address.read(data, p, {}, p + n) as string });
          p += n;
        } else {
          const ton = data[p];
          const npi = data[p + 1];
          p += 2;
          const n = address.measure!(data, p, end, {});
          list.push({ ton, npi, address: address.read(data, p, {}, p + n) as string });
          p += n;
        }
      }
      return list;
    },
  };
}

/** Octets taken by `count` destination entries from `at`; -1 when they do not fit or are malformed. */
function walk(data: Buffer, at: number, end: number, count: number): number {
  let p = at;
  for (let i = 0; i < count; i++) {
    if (p >= end) return -1;
    const flag = data[p++];
    if (flag === 1) p += 2;
    else if (flag !== 2) return -1;
    const n = address.measure!(data, p, end, {});
    if (n < 0) return -1;
    p += n;
  }
  return p - at;
}

/** { ton, npi, address, error } for each SME the SMSC could not take */
export function unsuccessful(countKey: string): FieldType {
  return {
    empty: [],
    size: (_body, value) => ((value ?? []) as Entry[]).reduce((n, e) => n + 2 + String(e.address ?? '').length + 1 + 4, 0),
    write(out, at, value, body, name) {
      const list = (value ?? []) as Entry[];
      if (list.length !== Number(body[countKey] ?? 0)) throw fieldError(name, `has ${list.length} entries, ${countKey} says ${shown(body[countKey])}`);
      let p = at;
      for (const e of list) {
        u8.write(out, p++, e.ton ?? 0, body, `${name} dest_addr_ton`);
        u8.write(out, p++, e.npi ?? 0, body, `${name} dest_addr_npi`);
        address.write(out, p, e.address, body, `${name} destination_addr`);
        p += String(e.address ?? '').length + 1;
        out.writeUInt32BE(Number(e.error ?? 0) >>> 0, p);
        p += 4;
      }
    },
    measure(data, at, end, body) {
      let p = at;
      for (let i = 0; i < Number(body[countKey]); i++) {
        p += 2;
        const n = address.measure!(data, p, end, {});
        if (n < 0 || p + n + 4 > end) return -1;
        p += n + 4;
      }
      return p - at;
    },
    read(data, at, _body, end) {
      const list: Entry[] = [];
      let p = at;
      while (p < end) {
        const ton = data[p];
        const npi = data[p + 1];
        p += 2;
        const n = address.measure!(data, p, end, {});
        list.push({ ton, npi, address: address.read(data, p, {}, p + n) as string, error: data.readUInt32BE(p + n) });
        p += n + 4;
      }
      return list;
    },
  };
}
