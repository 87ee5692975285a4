'use strict';
// Wireshark's dissectors (tshark) as an independent decoder of our bytes:
// PDUs written as a text2pcap dump on a TCP port, read back as JSON layers.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { needTool } = require('./tools');

function installed(tool) {
  try {
    execFileSync('which', [tool], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Each frame's layers as tshark decodes it with `protocol` on `port`; a malformed frame fails the test. */
function dissect(frames, protocol, port) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `${protocol}-ws-`));
  const dump = frames.map((f) => {
    let text = '';
    for (let i = 0; i < f.length; i += 16) text += `${i.toString(16).padStart(6, '0')} ${[...f.subarray(i, i + 16)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}\n`;
    return text;
  }).join('\n');
  fs.writeFileSync(path.join(dir, 'frames.txt'), dump);
  execFileSync('text2pcap', ['-q', '-T', `40000,${port}`, path.join(dir, 'frames.txt'), path.join(dir, 'frames.pcap')]);
  const out = execFileSync('tshark', ['-r', path.join(dir, 'frames.pcap'), '-d', `tcp.port==${port},${protocol}`, '-T', 'json', '--no-duplicate-keys'], { stdio: ['ignore', 'pipe', 'ignore'] });
  fs.rmSync(dir, { recursive: true, force: true });
  return JSON.parse(out).map((p) => {
    assert.equal(p._source.layers._ws?.malformed, undefined, 'Wireshark found the frame malformed');
    return p._source.layers;
  });
}

/** For a describe's before(): skips, with a notice, where tshark is missing (fails under CI=true). */
function requireTshark(context) {
  needTool(context, installed('tshark') && installed('text2pcap'), 'tshark (with text2pcap)');
}

module.exports = { dissect, requireTshark };
