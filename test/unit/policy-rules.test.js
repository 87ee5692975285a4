'use strict';
// The policy's rules on their own: quiet hours in time zones (across
// midnight and a change of the clocks), the words that stop and start
// messages, and the limit's verdict over a number's log.
const assert = require('node:assert/strict');
const { QuietWindow } = require('../../dist/src/policy/quiet');
const { keywordMeaning, keywordList, STOP_WORDS, START_WORDS } = require('../../dist/src/policy/keywords');
const { limitVerdict } = require('../../dist/src/policy/store');
const { Policy, numberKey } = require('../../dist/src/policy/policy');

const iso = (ms) => (ms === undefined ? undefined : new Date(ms).toISOString());

describe('policy rules', () => {
  it('quiet hours across midnight, in the zone of the number by its longest prefix', () => {
    const w = new QuietWindow({ from: '22:00', to: '07:00', timeZone: 'Asia/Taipei', zones: [{ prefix: '+44', timeZone: 'Europe/London' }, { prefix: '+4420', timeZone: 'Asia/Tokyo' }] });
    const rows = [
      ['0912345678', Date.UTC(2026, 11, 3, 13, 59), undefined], // 21:59 Taipei
      ['0912345678', Date.UTC(2026, 11, 3, 14, 0), '2026-12-03T23:00:00.000Z'], // 22:00
      ['0912345678', Date.UTC(2026, 11, 3, 22, 59, 30), '2026-12-03T23:00:00.000Z'], // 06:59:30
      ['0912345678', Date.UTC(2026, 11, 3, 23, 0), undefined], // 07:00
      ['+447700900123', Date.UTC(2026, 11, 3, 14, 0), undefined], // 14:00 London
      ['+447700900123', Date.UTC(2026, 11, 3, 23, 30), '2026-12-04T07:00:00.000Z'],
      ['+442071234567', Date.UTC(2026, 11, 3, 14, 0), '2026-12-03T22:00:00.000Z'], // 23:00 Tokyo
    ];
    assert.deepEqual(rows.map(([n, at]) => iso(w.endsAt(n, at))), rows.map((r) => r[2]));
  });

  it('quiet hours whose night holds a change of the clocks end at the local time', () => {
    // London goes from GMT to BST at 01:00 UTC on 29 March 2026: 07:00 local is 06:00 UTC.
    const w = new QuietWindow({ from: '23:00', to: '07:00', timeZone: 'Europe/London' });
    assert.equal(iso(w.endsAt('1', Date.UTC(2026, 2, 28, 23, 30))), '2026-03-29T06:00:00.000Z');
    // and back to GMT on 25 October 2026: 07:00 local is 07:00 UTC.
    assert.equal(iso(w.endsAt('1', Date.UTC(2026, 9, 24, 23, 30))), '2026-10-25T07:00:00.000Z');
  });

  it('quiet hours whose end the clocks skip (put forward over it) end when the clocks jump, never before', () => {
    // Berlin goes from 02:00 CET to 03:00 CEST at 01:00 UTC on 29 March 2026: there is no 02:30 that night.
    const w = new QuietWindow({ from: '22:00', to: '02:30', timeZone: 'Europe/Berlin' });
    for (const at of [Date.UTC(2026, 2, 28, 23, 0), Date.UTC(2026, 2, 29, 0, 30), Date.UTC(2026, 2, 29, 0, 59, 30)]) {
      assert.equal(iso(w.endsAt('1', at)), '2026-03-29T01:00:00.000Z', `held at ${iso(at)}`);
    }
    assert.equal(w.endsAt('1', Date.UTC(2026, 2, 29, 1, 0)), undefined, '03:00 CEST is past the window');
    // New York: 02:00 EST to 03:00 EDT at 07:00 UTC on 8 March 2026.
    const ny = new QuietWindow({ from: '01:00', to: '02:30', timeZone: 'America/New_York' });
    assert.equal(iso(ny.endsAt('1', Date.UTC(2026, 2, 8, 6, 0))), '2026-03-08T07:00:00.000Z');
  });

  it('quiet hours on every night the clocks change, every 7 minutes: the end is later, out of the window, and the minute before it in the window', () => {
    const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Taipei'];
    const windows = [['22:00', '02:30'], ['01:00', '02:30'], ['23:00', '07:00'], ['02:15', '03:15'], ['00:00', '02:00']];
    // Nights around the changes of 2026 in those zones (Lord Howe moves by half an hour).
    const nights = [Date.UTC(2026, 2, 8), Date.UTC(2026, 2, 29), Date.UTC(2026, 3, 5), Date.UTC(2026, 9, 4), Date.UTC(2026, 9, 25), Date.UTC(2026, 10, 1)];
    const formats = new Map(zones.map((zone) => [zone, new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })]));
    const minuteOf = (zone, at) => {
      const parts = formats.get(zone).formatToParts(at);
      return Number(parts.find((p) => p.type === 'hour').value) * 60 + Number(parts.find((p) => p.type === 'minute').value);
    };
    const hhmm = (t) => Number(t.slice(0, 2)) * 60 + Number(t.slice(3));
    let held = 0;
    for (const zone of zones) {
      for (const [from, to] of windows) {
        const w = new QuietWindow({ from, to, timeZone: zone });
        const inWindow = (m) => (hhmm(from) < hhmm(to) ? m >= hhmm(from) && m < hhmm(to) : m >= hhmm(from) || m < hhmm(to));
        for (const night of nights) {
          for (let at = night - 12 * 3600e3; at < night + 24 * 3600e3; at += 7 * 60e3) {
            const end = w.endsAt('1', at);
            const what = `${zone} ${from}-${to} at ${iso(at)}: ${iso(end)}`;
            if (end === undefined) {
              assert.ok(!inWindow(minuteOf(zone, at)), `${what} (said outside)`);
              continue;
            }
            held++;
            assert.ok(inWindow(minuteOf(zone, at)), `${what} (said inside)`);
            assert.ok(end > at && end - at <= 24 * 3600e3, `${what} (ends later, within a day)`);
            assert.ok(!inWindow(minuteOf(zone, end)), `${what} (ends out of the window)`);
            assert.ok(end - 60e3 < at || inWindow(minuteOf(zone, end - 60e3)), `${what} (the minute before the end is in it)`);
          }
        }
      }
    }
    assert.ok(held > 1000, `the nights hold messages (${held})`);
  });

  it('refuses bad settings, naming the field', () => {
    assert.throws(() => new QuietWindow({ from: '25:00', to: '07:00' }), { code: 'SMS_FIELD', field: 'quietHours.from', message: /HH:MM/ });
    assert.throws(() => new QuietWindow({ from: '22:00', to: '22:00' }), { field: 'quietHours.to' });
    assert.throws(() => new QuietWindow({ from: '22:00', to: '07:00', timeZone: 'Mars/Olympus' }), { field: 'quietHours.timeZone', message: /Asia\/Taipei/ });
    assert.throws(() => new Policy({ keywords: { stop: 'STOP, START' } }), { field: 'keywords.start', message: /"START" is both/ });
    assert.throws(() => new Policy({ limit: { count: 2.5, windowMs: 1000 } }), { field: 'limit.count' });
  });

  it('stop and start words: alone, in any case, with spaces and punctuation around; never inside a sentence', () => {
    const stop = new Set(STOP_WORDS);
    const start = new Set(START_WORDS);
    const rows = [
      ['STOP', 'stop'],
      [' stop! ', 'stop'],
      ['Stop.', 'stop'],
      ['退訂', 'stop'],
      ['退订。', 'stop'],
      ['td', 'stop'],
      ['ＳＴＯＰ', 'stop'],
      ['取消', 'stop'],
      ['start', 'start'],
      ['訂閱', 'start'],
      ['please stop the pump', undefined],
      ['STOPPED', undefined],
      ['', undefined],
    ];
    assert.deepEqual(rows.map(([t]) => keywordMeaning(t, stop, start)), rows.map((r) => r[1]));
    assert.deepEqual(keywordList('arrêt, 停止  nomore', STOP_WORDS), ['ARRÊT', '停止', 'NOMORE']);
    assert.deepEqual(keywordList('', START_WORDS), ['START', '訂閱', '订阅']);
  });

  it('one phone, written with or without its country code, is one number', () => {
    assert.equal(numberKey('+886912345678'), numberKey('0912345678'));
    assert.equal(numberKey('8613800138000'), numberKey('13800138000'));
    assert.equal(numberKey('+86 138 0013 8000'), numberKey('13800138000'));
    assert.notEqual(numberKey('13800138000'), numberKey('13800138001'));
    assert.equal(numberKey('10086'), '10086');
  });

  it('with a home country, one phone in every form is one number in full international form, and no other number is it', () => {
    const forms = {
      886: [['0912345678', '886912345678', '+886912345678', '00886912345678', '+886 912-345-678'], '886912345678'],
      86: [['13912345678', '8613912345678', '+86 139 1234 5678', '008613912345678'], '8613912345678'],
      65: [['91234567', '6591234567', '+6591234567'], '6591234567'],
    };
    for (const [country, [written, key]] of Object.entries(forms)) for (const n of written) assert.equal(numberKey(n, country), key, `${n} with ${country}`);
    // The pair the last 9 digits cannot tell apart: a phone in Taiwan and one in China.
    assert.equal(numberKey('0912345678'), numberKey('+8613912345678'));
    assert.notEqual(numberKey('0912345678', '886'), numberKey('+8613912345678', '886'));
    assert.notEqual(numberKey('+886912345678', '86'), numberKey('13912345678', '86'));
    // A national number that begins with the country's own code is national (a landline in Singapore).
    assert.equal(numberKey('65123456', '65'), '6565123456');
    assert.equal(numberKey('01012345678', '86'), '861012345678');
    assert.equal(numberKey('10086', '86'), '10086', 'a short code as it is');
    assert.throws(() => new Policy({ country: 'TW' }), (e) => e.code === 'SMS_FIELD' && e.field === 'country' && /1 to 3 digits/.test(e.message));
    assert.doesNotThrow(() => new Policy({ country: '+886' }));
  });

  it('the limit: what fits in the window, when the next may go, and a message heavier than the limit', () => {
    const limit = { count: 5, windowMs: 1000, weight: 1 };
    const log = [100, 1, 200, 2, 300, 2]; // at, weight, at, weight...
    assert.equal(limitVerdict([...log], limit, 400), 1100, 'full until the first leaves the window');
    assert.equal(limitVerdict([...log], { ...limit, weight: 3 }, 400), 1200, 'three SMS need the first two gone');
    assert.equal(limitVerdict([...log], limit, 1100), undefined, 'the first has left');
    assert.equal(limitVerdict([], { ...limit, weight: 6 }, 0), Infinity);
  });
});
