/**
 * Editor endpoints: the live part count of a form's static message comes from
 * the same segmenter the nodes use, so the editor never guesses; the forms
 * say which SQLite driver a store would use here.
 */
import type { Encoding, Target } from '../src/internal';
import { SmsError } from '../src/errors';
import { sqliteDriverName } from '../src/store/sqlite-driver';
import { NodeAPI } from './red';
import { core } from './core';

const served = new WeakSet<object>();

export function registerAdminRoutes(RED: NodeAPI): void {
  if (served.has(RED.httpAdmin)) return;
  served.add(RED.httpAdmin);
  RED.httpAdmin.get('/smsflow/segment', RED.auth.needsPermission('flows.read'), (req, res) => {
    const q = (req as { query: Record<string, string> }).query;
    try {
      const s = core.text.segment(String(q.text ?? ''), {
        target: (q.target as Target) || 'generic',
        encoding: (q.encoding as Encoding) || 'auto',
        referenceBits: q.referenceBits === '16' ? 16 : 8,
        reference: 0,
      });
      // What a part holds, in characters the user counts: UCS-2 takes two octets a character.
      const perPart = s.encoding === 'ucs2' ? Math.floor(s.capacity / 2) : s.capacity;
      res.json({ count: s.count, encoding: s.encoding, code: s.code, perPart: s.count > 1 ? perPart : undefined });
    } catch (err) {
      res.status(400).json({ error: (err as SmsError).message, code: (err as SmsError).code });
    }
  });
  // better-sqlite3, node:sqlite (Node 22.13+ without a compiler), or none: what a SQLite store here is written with.
  RED.httpAdmin.get('/smsflow/sqlite-driver', RED.auth.needsPermission('flows.read'), (_req, res) => {
    res.json({ driver: sqliteDriverName() ?? null, node: process.versions.node });
  });
}
