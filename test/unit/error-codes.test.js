'use strict';
// The README's error table and the source agree, both ways: every code the
// package can give is explained, and the table explains no code that
// nothing gives. Codes are read from the source as it is written: string
// literals of the code families, codes made per protocol (`${protocol}_...`),
// and the families that carry a carrier's or modem's number.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const FAMILY = /^(SMS|WIRE|CMPP|SMPP|IMSP|CMS|CME|MODEM|STORE|PDU)_[A-Z0-9_]*[A-Z0-9]$/;
const PROTOCOLS = ['CMPP', 'SMPP'];

/** The .ts files that run in the package (the simulators under src/testing answer, they give no outcome). */
function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return d.name === 'testing' ? [] : sources(full);
    return d.name.endsWith('.ts') && d.name !== 'codes.ts' ? [full] : [];
  });
}

function codesInSource() {
  const codes = new Set();
  for (const file of [...sources(path.join(root, 'src')), ...sources(path.join(root, 'nodes'))]) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(/'([A-Z][A-Z0-9_]+)'/g)) if (FAMILY.test(m[1])) codes.add(m[1]);
    for (const m of text.matchAll(/`\$\{[^}]*protocol[^}]*\}_([A-Z_]+)`/gi)) for (const p of PROTOCOLS) codes.add(`${p}_${m[1]}`);
    // A number from the modem or the gateway's login answer: CMS_<n>, CME_<n>, CMPP_CONNECT_<n>.
    for (const m of text.matchAll(/`([A-Z][A-Z_]*)_\$\{(?:code|status)\}`/g)) codes.add(`${m[1]}_<n>`);
    // A failed part's status code (a number) when nothing else names it: `?? 'ERROR'`.
    if (/\?\? 'ERROR'/.test(text)) codes.add('ERROR');
  }
  // A carrier's own result number, named by the channel whose results carry numbers (CMPP Result, SMPP command_status, IMSP return code).
  for (const channel of ['CMPP', 'SMPP', 'IMSP']) codes.add(`${channel}_<n>`);
  return codes;
}

function codesInTable() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const start = readme.indexOf('| `err.code` |');
  const table = readme.slice(start, readme.indexOf('\n\n', start));
  const codes = new Set();
  for (const row of table.split('\n').slice(2)) {
    const first = row.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_<>n]*)`/g)) codes.add(m[1]);
  }
  return codes;
}

describe('error codes', () => {
  const source = codesInSource();
  const table = codesInTable();

  it('reads a plausible number of codes from each side', () => {
    assert.ok(source.size > 80, `${source.size} codes in the source`);
    assert.ok(table.size > 80, `${table.size} codes in the table`);
  });

  it('the README explains every code the source can give', () => {
    assert.deepEqual([...source].filter((c) => !table.has(c)).sort(), []);
  });

  it('the README explains no code that nothing gives', () => {
    assert.deepEqual([...table].filter((c) => !source.has(c)).sort(), []);
  });

  it('the typed list in src/codes.ts names every code the source can give', () => {
    const text = fs.readFileSync(path.join(root, 'src', 'codes.ts'), 'utf8');
    const typed = new Set([...text.matchAll(/'([A-Z0-9_]+)'/g)].map((m) => m[1]));
    const links = [.../export type LinkCode =([^;]+);/.exec(text)[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]);
    for (const p of PROTOCOLS) for (const l of links) typed.add(`${p}_${l}`);
    for (const m of text.matchAll(/`([A-Z_]+)_\$\{number\}`/g)) typed.add(`${m[1]}_<n>`);
    typed.add('ERROR'); // the status's word, not an err.code
    assert.deepEqual([...source].filter((c) => !typed.has(c)).sort(), []);
  });
});
