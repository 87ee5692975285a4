'use strict';
// Waiting for something to happen, with a bound: tests assert on outcomes,
// never on how long they took.

function until(predicate, { timeoutMs = 5000, everyMs = 5, what = 'the condition' } = {}) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = async () => {
      let value;
      try {
        value = await predicate();
      } catch (err) {
        reject(err);
        return;
      }
      if (value) resolve(value);
      else if (Date.now() - started > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, everyMs);
    };
    check();
  });
}

function once(emitter, event, filter = () => true, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timed out waiting for "${event}"`));
    }, timeoutMs);
    function handler(...args) {
      if (!filter(...args)) return;
      clearTimeout(timer);
      emitter.off(event, handler);
      resolve(args);
    }
    emitter.on(event, handler);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { until, once, sleep };
