'use strict';
// A link's rate (the carrier's cap per connection), checked on the bucket's
// own accounting with a clock the test moves, so that no load on the machine
// can change the answer: any window of W ms carries at most rate x W / 1000
// plus the bucket's size (a tenth of a second's worth), a stall of the event
// loop included, and a long run carries the rate.
const assert = require('node:assert/strict');
const { Link } = require('../../dist/src/link/link');

/** The link's own options with a clock; the dialect is never asked for anything but a framer (no socket is opened). */
function linkAt(rate, clock) {
  const dialect = { protocol: 'CMPP', framer: () => ({ push: () => [], pending: 0, announced: 0 }) };
  return new Link({ ratePerLink: rate, now: () => clock.t, reconnect: false }, dialect);
}

/** Takes every request the bucket allows at each reading of the clock; returns the times they left. */
function drive(link, clock, steps) {
  const sent = [];
  for (const step of steps) {
    clock.t += step;
    while (link.rateWait(clock.t) === 0) {
      link.takeToken();
      sent.push(clock.t);
    }
  }
  return sent;
}

function mostIn(times, windowMs) {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('link rate: the token bucket', () => {
  for (const rate of [10, 200, 1000]) {
    it(`${rate}/s: no second carries more than the rate and a tenth, whatever the clock does; a long run carries the rate`, () => {
      const clock = { t: 1e6 };
      const link = linkAt(rate, clock);
      // Readings every 1 ms, then stalls of 100, 250 and 1000 ms (a busy event loop), then 1 ms again.
      const steps = [...Array(3000).fill(1), 100, ...Array(50).fill(1), 250, ...Array(50).fill(1), 1000, ...Array(6000).fill(1)];
      const sent = drive(link, clock, steps);
      const capacity = Math.max(1, rate / 10);
      assert.ok(mostIn(sent, 1000) <= rate + capacity, `a second carried ${mostIn(sent, 1000)} (rate ${rate}, bucket ${capacity})`);
      assert.ok(mostIn(sent, 100) <= rate / 10 + capacity, `100 ms carried ${mostIn(sent, 100)}`);
      const steady = sent.filter((t) => t > clock.t - 5000);
      assert.ok(Math.abs(steady.length - rate * 5) <= capacity + 1, `the last 5 s carried ${steady.length} (rate x 5 = ${rate * 5})`);
    });
  }

  it('a fresh link starts with one request\'s worth, not a burst', () => {
    const clock = { t: 5000 };
    const link = linkAt(200, clock);
    assert.equal(link.rateWait(clock.t), 0);
    link.takeToken();
    assert.ok(link.rateWait(clock.t) > 0, 'the second waits');
    assert.equal(link.rateWait(clock.t + 5), 0, 'and goes 5 ms later (1/200 s)');
  });
});
