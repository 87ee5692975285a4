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

// The editor plugin (the SMS sidebar): its html and locales beside its built .js.
const pluginsFrom = path.join(root, 'plugins');
const pluginsTo = path.join(root, 'dist', 'plugins');
fs.mkdirSync(pluginsTo, { recursive: true });
for (const name of fs.readdirSync(pluginsFrom)) {
  if (name.endsWith('.html')) fs.copyFileSync(path.join(pluginsFrom, name), path.join(pluginsTo, name));
}
fs.cpSync(path.join(pluginsFrom, 'locales'), path.join(pluginsTo, 'locales'), { recursive: true });
