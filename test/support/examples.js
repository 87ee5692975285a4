'use strict';
// The example flows as a test runs them: as they are, but for the addresses
// of the simulators they name (7890, 2775, 4443, 7000, where `npx
// smsflow-simulators` listens), which point at the test's own simulators on
// free ports, as a user points them at a gateway of theirs.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');

/** Example `file` with its connections aimed at `ports` ({ cmpp, smpp, imsp, modem }). */
function exampleOn(file, ports) {
  const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', file), 'utf8'));
  return flow.map((node) => {
    switch (node.type) {
      case 'cmpp-connection':
        return { ...node, port: ports.cmpp };
      case 'smpp-connection':
        return { ...node, port: ports.smpp };
      case 'imsp-account':
        return { ...node, baseUrl: node.baseUrl.replace(/:4443\//, `:${ports.imsp}/`) };
      case 'modem-port':
        return { ...node, port: node.port.replace(/:7000$/, `:${ports.modem}`) };
      default:
        return node;
    }
  });
}

module.exports = { exampleOn };
