'use strict';
// A small seeded generator so that property tests are repeatable: a failure
// prints its seed, and SEED=<n> npm test replays it.

function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GSM_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '^{}\\[~]|€';
const ASCII = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)).join('');
const CJK = '這是含兩則簡訊之長簡訊範例您可經由及參數了解如何先從切割數開始並依次取得各內容发送短信至网关测试中文字符';
const EMOJI = ['😀', '🚀', '👍🏽', '🇹🇼', '𠀀', '€', '🔥'];

const ALPHABETS = {
  ascii: (r) => ASCII[Math.floor(r() * ASCII.length)],
  gsm: (r) => GSM_BASIC[Math.floor(r() * GSM_BASIC.length)],
  gsmExtended: (r) => (r() < 0.3 ? GSM_EXTENSION[Math.floor(r() * GSM_EXTENSION.length)] : GSM_BASIC[Math.floor(r() * GSM_BASIC.length)]),
  cjk: (r) => CJK[Math.floor(r() * CJK.length)],
  emoji: (r) => EMOJI[Math.floor(r() * EMOJI.length)],
  mixed: (r) => {
    const pick = r();
    if (pick < 0.4) return ALPHABETS.gsm(r);
    if (pick < 0.6) return GSM_EXTENSION[Math.floor(r() * GSM_EXTENSION.length)];
    if (pick < 0.8) return ALPHABETS.cjk(r);
    return ALPHABETS.emoji(r);
  },
};

/** Text of about `length` UTF-16 units drawn from one alphabet. */
function randomText(r, alphabet, length) {
  const draw = ALPHABETS[alphabet];
  let text = '';
  while (text.length < length) text += draw(r);
  return text;
}

function seed() {
  return process.env.SEED ? Number(process.env.SEED) : Math.floor(Math.random() * 2 ** 31);
}

module.exports = { mulberry32, randomText, seed, ALPHABETS, GSM_BASIC, GSM_EXTENSION };
