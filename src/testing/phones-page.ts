/**
 * A small web page that shows the simulated phones' inboxes as a person would
 * see them, long messages joined: the CMPP gateway's recipients, the IMSP
 * server's recipients and the virtual network's phone.
 */
import * as http from 'node:http';
import type { RunningSimulators } from './simulators';

export interface InboxEntry {
  phone: string;
  channel: 'cmpp' | 'smpp' | 'imsp' | 'modem';
  from: string;
  text: string;
  parts: number;
  incomplete: boolean;
  at: number;
}

export function inboxes(sims: RunningSimulators): InboxEntry[] {
  const out: InboxEntry[] = [];
  for (const [phone, list] of sims.cmpp.inboxes)
    for (const m of list) out.push({ phone, channel: 'cmpp', from: m.from, text: m.text ?? (m.data ? m.data.toString('hex') : ''), parts: m.parts, incomplete: m.incomplete, at: m.at });
  for (const [phone, list] of sims.smpp.inboxes)
    for (const m of list) out.push({ phone, channel: 'smpp', from: m.from, text: m.text ?? (m.data ? m.data.toString('hex') : ''), parts: m.parts, incomplete: m.incomplete, at: m.at });
  for (const [phone, list] of sims.imsp.inboxes) for (const m of list) out.push({ phone, channel: 'imsp', from: 'IMSP', text: m.text, parts: m.parts, incomplete: m.incomplete, at: m.at });
  for (const m of sims.phone.inbox) out.push({ phone: sims.phone.number, channel: 'modem', ...m });
  return out.sort((a, b) => b.at - a.at);
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string);

function page(entries: InboxEntry[]): string {
  const phones = [...new Set(entries.map((e) => e.phone))];
  const cards =
    phones
      .map((phone) => {
        const messages = entries
          .filter((e) => e.phone === phone)
          .map(
            (e) => `
      <div class="sms"><div class="meta">${escape(e.from)} · ${e.channel.toUpperCase()} · ${new Date(e.at).toLocaleTimeString()}${e.parts > 1 ? ` · ${e.parts} parts joined` : ''}${e.incomplete ? ' · <b>incomplete</b>' : ''}</div>${escape(e.text).replace(/\n/g, '<br>')}</div>`,
          )
          .join('');
        return `<section class="phone"><h2>📱 ${escape(phone)}</h2>${messages}</section>`;
      })
      .join('') || '<p class="empty">No message yet: press an Inject button in the demo flow.</p>';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
<title>Simulated phones</title><style>
body{font-family:system-ui,sans-serif;background:#f3f3f3;margin:20px}h1{font-size:20px}
.phone{display:inline-block;vertical-align:top;width:320px;margin:0 16px 16px 0;background:#fff;border-radius:24px;padding:16px;box-shadow:0 1px 4px #0003}
.phone h2{font-size:15px;margin:0 0 12px}.sms{background:#e9f1fb;border-radius:14px;padding:8px 12px;margin:8px 0;white-space:pre-wrap}
.meta{font-size:11px;color:#667;margin-bottom:4px}.empty{color:#667}</style></head>
<body><h1>Simulated phones: what they received</h1>${cards}</body></html>`;
}

/** Serves the page on loopback; resolves with its URL. */
export function servePhonesPage(sims: RunningSimulators, port = 0, host = '127.0.0.1'): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const entries = inboxes(sims);
    if (req.url?.startsWith('/inboxes.json')) {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(entries));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page(entries));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as { port: number };
      resolve({ url: `http://${host}:${address.port}/`, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}
