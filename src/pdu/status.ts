/**
 * TP-ST of a status report (3GPP 23.040 §9.2.3.15) in words, and as a
 * delivery report status.
 */
import { DeliveryStatus } from '../tracking/reports';

const NAMES: Record<number, string> = {
  0x00: 'received by the phone',
  0x01: 'forwarded, delivery not confirmed',
  0x02: 'replaced by the service centre',
  0x20: 'congestion, still trying',
  0x21: 'phone busy, still trying',
  0x22: 'no response from the phone, still trying',
  0x23: 'service rejected, still trying',
  0x24: 'quality of service not available, still trying',
  0x25: 'error in the phone, still trying',
  0x40: 'remote procedure error',
  0x41: 'incompatible destination',
  0x42: 'connection rejected by the phone',
  0x43: 'not obtainable',
  0x44: 'quality of service not available',
  0x45: 'no interworking available',
  0x46: 'validity period expired',
  0x47: 'deleted by the sender',
  0x48: 'deleted by the service centre',
  0x49: 'the message does not exist',
  0x60: 'congestion, no longer trying',
  0x61: 'phone busy, no longer trying',
  0x62: 'no response from the phone, no longer trying',
  0x63: 'service rejected, no longer trying',
  0x64: 'quality of service not available, no longer trying',
  0x65: 'error in the phone, no longer trying',
};

export function describeTpStatus(st: number): string {
  return NAMES[st] ?? `TP-ST 0x${st.toString(16).padStart(2, '0')}`;
}

export function tpStatus(st: number): DeliveryStatus {
  if (st <= 0x02) return 'delivered';
  if (st >= 0x20 && st <= 0x3f) return 'pending';
  if (st === 0x46) return 'expired';
  if (st === 0x47 || st === 0x48) return 'deleted';
  if (st === 0x42 || st === 0x63) return 'rejected';
  if (st === 0x49) return 'unknown';
  return 'undeliverable';
}
