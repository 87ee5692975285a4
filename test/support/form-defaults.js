'use strict';
// Each node's editor defaults, read from its .html the way the editor reads
// them: the `defaults` object of its registerType, evaluated with the
// field rules stubbed (only the values matter here).
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const nodesDir = path.join(__dirname, '..', '..', 'nodes');

/** The text of the object literal that starts at `open` (a `{`), braces balanced, strings skipped. */
function objectAt(text, open) {
  let depth = 0;
  let quote = '';
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
    } else if (c === "'" || c === '"' || c === '`') quote = c;
    else if (c === '/' && /[(,:]\s*$/.test(text.slice(Math.max(0, i - 3), i))) {
      // a regular expression literal: skip to its end
      for (i++; i < text.length && text[i] !== '/'; i++) if (text[i] === '\\') i++;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return text.slice(open, i + 1);
  }
  throw new Error('unbalanced defaults');
}

/** { type: { property: default value } } for every node the package registers. */
function formDefaults() {
  const out = {};
  for (const file of fs.readdirSync(nodesDir).filter((f) => f.endsWith('.html'))) {
    const html = fs.readFileSync(path.join(nodesDir, file), 'utf8');
    for (const m of html.matchAll(/RED\.nodes\.registerType\('([\w-]+)'/g)) {
      const at = html.indexOf('defaults:', m.index);
      const literal = objectAt(html, html.indexOf('{', at));
      const rule = () => () => true;
      const sandbox = { lazyRule: rule, optionalRule: rule, smsflowRule: rule, validRules: () => true, window: { smsflowRule: rule }, RED: { validators: { number: rule, regex: rule } } };
      const defaults = vm.runInNewContext(`(${literal})`, sandbox);
      out[m[1]] = Object.fromEntries(Object.entries(defaults).map(([k, d]) => [k, d.value]));
    }
  }
  return out;
}

module.exports = { formDefaults };
