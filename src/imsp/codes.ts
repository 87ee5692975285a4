/**
 * The return codes of the three IMSP servlets (document §3.1, §3.2, §3.3),
 * each with its meaning in English and in the document's own words, and a
 * class that says what to do: nothing (success), wait (progress), try again
 * later (retryable) or change something (permanent).
 */
import { DeliveryStatus } from '../tracking/reports';

export type CodeClass = 'success' | 'progress' | 'retryable' | 'permanent';
export type Servlet = 'SubmitSM' | 'QuerySM' | 'ChangePasswd';

export interface CodeInfo {
  class: CodeClass;
  en: string;
  zh: string;
  /** QuerySM only: what the state means for a delivery report */
  status?: DeliveryStatus;
}

const c = (cls: CodeClass, en: string, zh: string, status?: DeliveryStatus): CodeInfo => ({ class: cls, en, zh, status });

const SYSTEM = c('retryable', 'System error at the carrier; try again later, and call Chunghwa Telecom if it lasts', '系統或是資料庫故障，可能會包含額外資訊描述。');
const NO_IP = c('permanent', "This machine's IP address is not registered for the account; register it with Chunghwa Telecom", '你的登入 IP 未在系統註冊');
const FORBIDDEN = c('permanent', 'The account is disabled', '帳號已停用');
const AUTH = c('permanent', 'Wrong account or password', '帳號或是密碼錯誤');
const SUBNO = c('retryable', 'The carrier could not translate between emome code and phone number; try again later', '系統無法執行 msisdn<->subno 轉換，請稍候再試。');
const SUBNO_MISSING = c('permanent', 'No phone number has this emome code', '系統無法找出對應此 subno 之電話號碼，請查明 subno 是否正確');
const BARRED = c('permanent', 'The recipient refuses value-added SMS: do not send again', '受訊客戶已申請拒收加值簡訊，請不要重送', 'rejected');

export const CODES: Record<Servlet, Record<number, CodeInfo>> = {
  SubmitSM: {
    [-1]: SYSTEM,
    0: c('success', 'Accepted; the message id is needed to query its state', '表示此筆訊息已成功接收，IMSP SMS Server將會為您發送此訊息到所有的 to address。'),
    2: c('retryable', 'Message sending failure', '訊息傳送失敗'),
    3: c('permanent', 'The scheduled time is more than 48 hours ahead', '訊息預約時間超過 48小時'),
    5: c('permanent', 'The Big5 text could not be converted; send it as UCS-2 (msg_dcs 8)', '訊息從 Big-5 轉碼到 UCS失敗'),
    11: c('permanent', 'A parameter is missing or invalid (names are case-sensitive and values must be URL-encoded)', '請參考 description的敘述檢查您送到 IMSP SMS Server 的參數是否正確。'),
    14: c('permanent', 'The account may set the sender number and must: fill from_addr', '用戶具備改發訊號碼權限，請填發訊號碼'),
    15: c('permanent', 'The sender number (from_addr) is malformed', '發訊號碼格式錯誤'),
    16: SUBNO,
    17: SUBNO_MISSING,
    18: c('permanent', 'A recipient number is malformed', '請檢查受訊方號碼格式是否正確，若有其他原因會顯示在回應的 reason 資訊。'),
    19: c('permanent', 'Too many recipients in one request (the limit is in the description)', '受訊號碼數目超過系統限制(目前為 20，但機房會視情況進行調整，此資訊顯示在回應的 number 值)'),
    20: c('permanent', 'The message is too long (the limit is in the description)', '訊息長度 xxx 字元數不正確，IMSP 會提示最大長度 yyy 說明。'),
    22: AUTH,
    23: NO_IP,
    24: FORBIDDEN,
    31: c('permanent', 'The prepaid account is empty; top it up', '企業預付帳號沒有金額，請儲值'),
    32: c('permanent', 'The prepaid account is not opened yet', '企業預付帳號尚未開通使用，請洽服務人員。'),
    33: c('permanent', 'The prepaid value expired; top it up', '企業預付儲值金額已經逾期，已無法使用，請儲值'),
    34: c('permanent', 'Prepaid system interface error; call Chunghwa Telecom', '企業預付儲值系統發生介接錯誤，請洽服務人員'),
    35: c('retryable', 'Prepaid charging error; try again', '抱歉，企業預付系統扣款錯誤，請再試'),
    36: c('retryable', 'The prepaid system is locked for now; try again', '抱歉，企業預付扣款系統鎖住，暫時無法使用，請再試'),
    37: c('retryable', 'The prepaid account is locked for now (several connections at once?); try again', '你的企業預付扣款帳號鎖住，暫時無法使用，請再試'),
    41: c(
      'permanent',
      'The text contains a forbidden pattern; ten digits in a row are refused, write them with a dash (xxxx-xxxxxx)',
      '發訊內容含有系統不允許發送的字集 (請檢查 pattern 說明)，請修改訊息內容再發訊。',
    ),
    43: c('permanent', 'The recipient number is not in service', '這個受訊號碼是空號'),
    44: c('retryable', 'The carrier cannot tell whether a number is its own; try again later, stop if it lasts', '無法判斷號碼是否屬於中華電信門號。'),
    45: c('permanent', 'Not enough stored value', '放心講客戶餘額不足，無法發訊'),
    46: c('permanent', 'The carrier cannot determine the charged customer', '無法決定計費客戶屬性，而停止服務'),
    47: c('permanent', 'This account cannot be charged from prepaid service', '該特碼帳號無法提供預付式客戶使用'),
    48: BARRED,
    49: c('permanent', 'The sender number shown on the phone is malformed', '顯示於手機之發訊號碼格式不對'),
    50: c('retryable', 'Charging error; try again later', '放心講系統扣款錯誤，請再試'),
    52: c('retryable', 'Prepaid charging error; try again later', '抱歉，預付式系統扣款錯誤，請再試'),
  },
  QuerySM: {
    [-1]: SYSTEM,
    0: c('success', 'Delivered to the phone', '訊息已成功發送至接收端。', 'delivered'),
    1: c('progress', 'Still being sent', '訊息傳送中。', 'pending'),
    2: c('permanent', 'No such message: check the message id and number', '系統無法找到您要找的訊息。', 'unknown'),
    3: c('permanent', 'Could not be delivered to the phone', '訊息無法成功送達手機', 'undeliverable'),
    4: c('retryable', 'System error at the carrier', '系統或是資料庫故障', 'unknown'),
    5: c('permanent', 'State unknown; the message was deleted', '訊息狀態不明。此筆訊息已被刪除。', 'deleted'),
    8: c('permanent', "The phone's SIM memory is full", '接收端 SIM 已滿，造成訊息傳送失敗', 'undeliverable'),
    9: c('permanent', 'The number is not in service', '錯誤的接收端號碼，可能是空號。', 'undeliverable'),
    11: c('permanent', 'The number is malformed', '號碼格式錯誤', 'undeliverable'),
    12: c('permanent', 'The phone refuses SMS', '收訊手機已設定拒收簡訊', 'rejected'),
    13: c('permanent', 'Mobile equipment error', '手機錯誤', 'undeliverable'),
    16: SUBNO,
    17: SUBNO_MISSING,
    18: c('permanent', 'The number is malformed', '請檢查受訊方號碼格式是否正確。', 'unknown'),
    21: c('permanent', 'The message id is malformed', '請檢查 Message id 格式是否正確。', 'unknown'),
    23: NO_IP,
    24: FORBIDDEN,
    31: c('progress', 'Not yet handed to the SMS center', '訊息尚未傳送到 SMSC', 'pending'),
    32: c('permanent', 'Could not be handed to the SMS center', '訊息無法傳送到簡訊中心。', 'undeliverable'),
    33: c('permanent', 'Expired: the SMS center was busy', '訊息無法傳送到簡訊中心(訊務繁忙)', 'expired'),
    48: BARRED,
  },
  ChangePasswd: {
    [-1]: SYSTEM,
    0: c('success', 'Password changed; use the new one from now on', '變更密碼成功。'),
    1: c('permanent', 'Password not changed: the new one needs letters, digits and symbols, 7 or 8 characters', '變更密碼作業沒有成功。'),
    22: AUTH,
    23: NO_IP,
    24: FORBIDDEN,
    56: c('permanent', 'The password can only be changed over HTTPS', '不允許用 http 變更密碼'),
  },
};

export function codeInfo(servlet: Servlet, code: number): CodeInfo {
  return CODES[servlet][code] ?? { class: 'permanent', en: `Return code ${code}, not in the IMSP document`, zh: '' };
}
