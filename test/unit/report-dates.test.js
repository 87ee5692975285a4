'use strict';
// The dates of a status report (CMPP's Submit_time / Done_time, YYMMDDHHMM;
// an SMPP receipt's submit date / done date, YYMMDDhhmm[ss]) as ISO text at
// the gateway's offset; an IMSP query's yyyymmddHHMMSS in Taiwan time. What
// is no date is left out, never given as one.
const assert = require('node:assert/strict');
const { isoDate, reportDate } = require('../../dist/src/clock');

describe('the dates of a status report', () => {
  it('reads YYMMDDhhmm and YYMMDDhhmmss at the offset given', () => {
    assert.equal(reportDate('2612312359', 480), '2026-12-31T23:59:00+08:00');
    assert.equal(reportDate('261231235959', 480), '2026-12-31T23:59:59+08:00');
    assert.equal(reportDate('2402290000', -300), '2024-02-29T00:00:00-05:00');
    assert.equal(reportDate('2603011230'), '2026-03-01T12:30:00+00:00');
  });

  it('leaves out what is no date: zeros, a 13th month, 29 February of a common year, 24:00, a 60th second, other lengths', () => {
    for (const stamp of ['0000000000', '2613010000', '2602290000', '2612312400', '2612312360', '261231235960', '26123123', '2612312359590', 'abcdefghij', '', undefined]) {
      assert.equal(reportDate(stamp, 480), undefined, `"${stamp}"`);
    }
  });

  it('an IMSP done time (four-digit year, Taiwan time): a date, or nothing', () => {
    assert.equal(isoDate('2026', '12', '07', '15', '04', '05', 480), '2026-12-07T15:04:05+08:00');
    assert.equal(isoDate('0000', '00', '00', '00', '00', '00', 480), undefined);
    assert.equal(isoDate('2026', '04', '31', '00', '00', '00', 480), undefined);
  });
});
