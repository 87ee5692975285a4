'use strict';
// Every text a node shows or its form labels must exist in every language,
// with the same placeholders, and every node must have help in every language.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const nodesDir = path.join(root, 'nodes');
const LANGS = ['en-US', 'zh-TW', 'zh-CN'];
const pkg = require(path.join(root, 'package.json'));
const nodeNames = Object.keys(pkg['node-red'].nodes);

function lookup(catalog, key) {
  return key.split('.').reduce((o, k) => (o && typeof o === 'object' ? o[k] : undefined), catalog);
}

function keysUsed(name) {
  const keys = new Set();
  const ts = fs.readFileSync(path.join(nodesDir, `${name}.ts`), 'utf8');
  for (const m of ts.matchAll(/RED\._\('([^']+)'/g)) keys.add(m[1]);
  for (const m of ts.matchAll(new RegExp(`'(${name}\\.[\\w.]+\\w)'`, 'g'))) keys.add(m[1]);
  const html = fs.readFileSync(path.join(nodesDir, `${name}.html`), 'utf8');
  for (const m of html.matchAll(/data-i18n="(?:\[[a-z]+\])?([^"]+)"/g)) if (!m[1].startsWith('node-red:')) keys.add(m[1]);
  for (const m of html.matchAll(new RegExp(`'(${name}\\.[\\w.]+\\w)'`, 'g'))) if (!/\.(svg|png)$/.test(m[1])) keys.add(m[1]);
  for (const m of html.matchAll(/\bt\('(\w+)'/g)) keys.add(`sms-split.live.${m[1]}`);
  return [...keys];
}

const placeholders = (text) => [...String(text).matchAll(/__(\w+)__/g)].map((m) => m[1]).sort();

describe('locales', () => {
  for (const name of nodeNames) {
    const catalogs = Object.fromEntries(LANGS.map((lang) => [lang, JSON.parse(fs.readFileSync(path.join(nodesDir, 'locales', lang, `${name}.json`), 'utf8'))]));

    it(`${name}: every key it uses exists in ${LANGS.join(', ')}`, () => {
      const used = keysUsed(name);
      assert.ok(used.length >= 3, `found the keys the node uses: ${used}`);
      for (const lang of LANGS) {
        for (const key of used) assert.notEqual(lookup(catalogs[lang], key), undefined, `${lang} lacks ${key}`);
      }
    });

    it(`${name}: the languages have the same keys and placeholders`, () => {
      const flatten = (o, prefix = '') => Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? flatten(v, `${prefix}${k}.`) : [[`${prefix}${k}`, v]]));
      const english = flatten(catalogs['en-US']);
      for (const lang of LANGS.slice(1)) {
        const other = new Map(flatten(catalogs[lang]));
        assert.deepEqual([...other.keys()].sort(), english.map(([k]) => k).sort(), lang);
        for (const [key, text] of english) assert.deepEqual(placeholders(other.get(key)), placeholders(text), `${lang} ${key}`);
      }
    });

    it(`${name}: help in every language with Inputs, Outputs and Details`, () => {
      for (const lang of LANGS) {
        const file = path.join(nodesDir, 'locales', lang, `${name}.html`);
        assert.ok(fs.existsSync(file), `${lang} help is missing`);
        const help = fs.readFileSync(file, 'utf8');
        assert.match(help, new RegExp(`data-help-name="${name}"`));
        assert.equal((help.match(/<h3>/g) || []).length >= 3, true, `${lang}: Inputs / Outputs / Details`);
      }
    });
  }
});

describe('the glossary: one word per language for what every form shares', () => {
  const glossary = JSON.parse(fs.readFileSync(path.join(nodesDir, 'locales', 'glossary.json'), 'utf8')).label;

  it('has each shared word in every language', () => {
    assert.ok(Object.keys(glossary).length >= 15, Object.keys(glossary).join(', '));
    for (const [key, words] of Object.entries(glossary)) assert.deepEqual(Object.keys(words).sort(), [...LANGS].sort(), key);
  });

  for (const lang of LANGS) {
    it(`${lang}: every form that labels one of them says the glossary's word`, () => {
      const differ = [];
      for (const name of nodeNames) {
        const label = JSON.parse(fs.readFileSync(path.join(nodesDir, 'locales', lang, `${name}.json`), 'utf8'))[name].label ?? {};
        for (const [key, words] of Object.entries(glossary)) if (key in label && label[key] !== words[lang]) differ.push(`${name}.label.${key}: "${label[key]}", not "${words[lang]}"`);
      }
      assert.deepEqual(differ, []);
    });
  }
});
