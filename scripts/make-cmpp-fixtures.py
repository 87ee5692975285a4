#!/usr/bin/env python3
"""Writes test/fixtures/cmpp-frames.json: CMPP frames laid out octet by octet
from the field sizes of the CMPP 3.0 document (§7.4.3 SUBMIT, §7.4.5 DELIVER
and its status report) and of CMPP 2.0 (21-octet terminal ids, 8-octet
Reserve, no *_type fields), written independently of the package's codec
tables. Each frame lists its fields with their hex, so that a failing test
names the field; test/unit/cmpp-fixtures.test.js drives both the parse and
the generate test from it. Run it again only when a fixture is added."""
import json, struct

def octets(text, width):
    raw = text.encode('latin1')
    assert len(raw) <= width
    return raw + b'\0' * (width - len(raw))

def u(n, width):
    return n.to_bytes(width, 'big')

def frame(name, version, command, command_id, sequence, fields, message):
    body = b''.join(value for _, value in fields)
    header = [('Total_Length', u(12 + len(body), 4)), ('Command_Id', u(command_id, 4)), ('Sequence_Id', u(sequence, 4))]
    annotated = [[n, v.hex()] for n, v in header + fields]
    return {'name': name, 'version': version, 'message': {'command': command, 'sequenceId': sequence, 'body': message}, 'fields': annotated}

def hexbuf(b):
    return {'hex': b.hex()}

content = b'Server room B: 36C'
submit3_body = {
    'msgId': '0', 'pkTotal': 1, 'pkNumber': 1, 'registeredDelivery': 1, 'msgLevel': 0, 'serviceId': 'ALERT', 'feeUserType': 2,
    'feeTerminalId': '', 'feeTerminalType': 0, 'tpPid': 0, 'tpUdhi': 0, 'msgFmt': 0, 'msgSrc': '901234', 'feeType': '01',
    'feeCode': '000000', 'validTime': '', 'atTime': '', 'srcId': '1069001', 'destUsrTl': 2,
    'destTerminalId': ['13800138000', '13900139000'], 'destTerminalType': 0, 'msgLength': len(content),
    'msgContent': hexbuf(content), 'linkId': '',
}
submit3 = frame('SUBMIT 3.0: two recipients, ASCII, report asked', 0x30, 'SUBMIT', 0x00000004, 7, [
    ('Msg_Id', u(0, 8)), ('Pk_total', u(1, 1)), ('Pk_number', u(1, 1)), ('Registered_Delivery', u(1, 1)), ('Msg_level', u(0, 1)),
    ('Service_Id', octets('ALERT', 10)), ('Fee_UserType', u(2, 1)), ('Fee_terminal_Id', octets('', 32)), ('Fee_terminal_type', u(0, 1)),
    ('TP_pId', u(0, 1)), ('TP_udhi', u(0, 1)), ('Msg_Fmt', u(0, 1)), ('Msg_src', octets('901234', 6)), ('FeeType', octets('01', 2)),
    ('FeeCode', octets('000000', 6)), ('ValId_Time', octets('', 17)), ('At_Time', octets('', 17)), ('Src_Id', octets('1069001', 21)),
    ('DestUsr_tl', u(2, 1)), ('Dest_terminal_Id', octets('13800138000', 32) + octets('13900139000', 32)), ('Dest_terminal_type', u(0, 1)),
    ('Msg_Length', u(len(content), 1)), ('Msg_Content', content), ('LinkID', octets('', 20)),
], submit3_body)

ucs2 = '告警'.encode('utf-16-be')
udh = bytes.fromhex('0500034b0201')
part = udh + ucs2
submit2_body = {
    'msgId': '0', 'pkTotal': 2, 'pkNumber': 1, 'registeredDelivery': 0, 'msgLevel': 1, 'serviceId': 'ALERT', 'feeUserType': 2,
    'feeTerminalId': '', 'tpPid': 0, 'tpUdhi': 1, 'msgFmt': 8, 'msgSrc': '901234', 'feeType': '01', 'feeCode': '000000',
    'validTime': '', 'atTime': '', 'srcId': '1069001', 'destUsrTl': 1, 'destTerminalId': ['13800138000'],
    'msgLength': len(part), 'msgContent': hexbuf(part), 'linkId': '',
}
submit2 = frame('SUBMIT 2.0: part 1 of 2, UCS-2 with an 8-bit concatenation header', 0x20, 'SUBMIT', 0x00000004, 8, [
    ('Msg_Id', u(0, 8)), ('Pk_total', u(2, 1)), ('Pk_number', u(1, 1)), ('Registered_Delivery', u(0, 1)), ('Msg_level', u(1, 1)),
    ('Service_Id', octets('ALERT', 10)), ('Fee_UserType', u(2, 1)), ('Fee_terminal_Id', octets('', 21)),
    ('TP_pId', u(0, 1)), ('TP_udhi', u(1, 1)), ('Msg_Fmt', u(8, 1)), ('Msg_src', octets('901234', 6)), ('FeeType', octets('01', 2)),
    ('FeeCode', octets('000000', 6)), ('ValId_Time', octets('', 17)), ('At_Time', octets('', 17)), ('Src_Id', octets('1069001', 21)),
    ('DestUsr_tl', u(1, 1)), ('Dest_terminal_Id', octets('13800138000', 21)),
    ('Msg_Length', u(len(part), 1)), ('Msg_Content', part), ('Reserve', octets('', 8)),
], submit2_body)

# A Msg_Id: month 11, day 25, 12:30:45, gateway 10001, sequence 42 (bits 64-61, 60-56, 55-51, 50-45, 44-39, 38-17, 16-1).
msg_id = (11 << 60) | (25 << 55) | (12 << 50) | (30 << 44) | (45 << 38) | (10001 << 16) | 42
mo_text = 'STOP'.encode('ascii')
mo_body = {
    'msgId': str(msg_id), 'destId': '1069001', 'serviceId': 'ALERT', 'tpPid': 0, 'tpUdhi': 0, 'msgFmt': 0,
    'srcTerminalId': '13800138000', 'srcTerminalType': 0, 'registeredDelivery': 0, 'msgLength': len(mo_text),
    'msgContent': hexbuf(mo_text), 'linkId': '',
}
mo = frame('DELIVER 3.0: a phone sends STOP', 0x30, 'DELIVER', 0x00000005, 9, [
    ('Msg_Id', u(msg_id, 8)), ('Dest_Id', octets('1069001', 21)), ('Service_Id', octets('ALERT', 10)), ('TP_pid', u(0, 1)),
    ('TP_udhi', u(0, 1)), ('Msg_Fmt', u(0, 1)), ('Src_terminal_Id', octets('13800138000', 32)), ('Src_terminal_type', u(0, 1)),
    ('Registered_Delivery', u(0, 1)), ('Msg_Length', u(len(mo_text), 1)), ('Msg_Content', mo_text), ('LinkID', octets('', 20)),
], mo_body)

report = u(msg_id, 8) + octets('DELIVRD', 7) + octets('2611251230', 10) + octets('2611251231', 10) + octets('13800138000', 21) + u(7, 4)
assert len(report) == 60
report_body = {
    'msgId': str(msg_id + 1), 'destId': '1069001', 'serviceId': 'ALERT', 'tpPid': 0, 'tpUdhi': 0, 'msgFmt': 0,
    'srcTerminalId': '13800138000', 'srcTerminalType': 0, 'registeredDelivery': 1, 'msgLength': 60,
    'msgContent': hexbuf(report), 'linkId': '',
}
report_frame = frame('DELIVER 3.0: the status report (60 octets) for that Msg_Id', 0x30, 'DELIVER', 0x00000005, 10, [
    ('Msg_Id', u(msg_id + 1, 8)), ('Dest_Id', octets('1069001', 21)), ('Service_Id', octets('ALERT', 10)), ('TP_pid', u(0, 1)),
    ('TP_udhi', u(0, 1)), ('Msg_Fmt', u(0, 1)), ('Src_terminal_Id', octets('13800138000', 32)), ('Src_terminal_type', u(0, 1)),
    ('Registered_Delivery', u(1, 1)), ('Msg_Length', u(60, 1)),
    ('Msg_Content: Msg_Id', report[0:8]), ('Msg_Content: Stat', report[8:15]), ('Msg_Content: Submit_time', report[15:25]),
    ('Msg_Content: Done_time', report[25:35]), ('Msg_Content: Dest_terminal_Id', report[35:56]), ('Msg_Content: SMSC_sequence', report[56:60]),
    ('LinkID', octets('', 20)),
], report_body)
report_frame['report'] = {'msgId': str(msg_id), 'stat': 'DELIVRD', 'submitTime': '2611251230', 'doneTime': '2611251231', 'destTerminalId': '13800138000', 'smscSequence': 7}

fixtures = {
    'source': 'CMPP 3.0 document §7.4.3 (SUBMIT), §7.4.5 (DELIVER, status report), revision history (2.0 layouts); Msg_Id bits §7.4.3.2',
    'frames': [submit3, submit2, mo, report_frame],
}
with open('test/fixtures/cmpp-frames.json', 'w') as f:
    json.dump(fixtures, f, indent=1, ensure_ascii=False)
    f.write('\n')
