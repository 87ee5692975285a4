'use strict';
// Puts each node's editor files, the locales and the icons beside the built
// node files: Node-RED looks for them next to each registered .js.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const from = path.join(root, 'nodes');
const to = path.join(root, 'dist', 'nodes');

fs.mkdirSync(to, { recursive: true });
for (const name of fs.readdirSync(from)) {
  if (name.endsWith('.html')) fs.copyFileSync(path.join(from, name), path.join(to, name));
}
fs.cpSync(path.join(from, 'locales'), path.join(to, 'locales'), { recursive: true });
fs.cpSync(path.join(root, 'icons'), path.join(to, 'icons'), { recursive: true });
