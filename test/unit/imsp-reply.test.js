'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { imsp, SmsError } = require('../../dist/src/internal');
const { mulberry32, seed } = require('../support/random');

// Replies as the IMSP document prints them (§3.1 example 4, §3.2 examples 1-3, §3.3 examples 1-2).
describe('IMSP reply parser', () => {
  it('reads a SubmitSM reply (§3.1, example 4)', () => {
    assert.deepEqual(imsp.parseSubmitReply('<html> <header></header> <body> 09xxxxxxxx | 0 | H09E6D4C | Success </body> </html>'),
      [{ to: '09xxxxxxxx', code: 0, messageId: 'H09E6D4C', description: 'Success' }]);
  });
  it('reads several records, message ids of any length, and a failure without an id', () => {
    const body = '<html><header></header><body>0912345678 | 0 | H0123456789ABCDEF0123 | Success<br>0987654321|18||Destination msisdn format error(0987)<BR/>+886912345678 | 22 | Password error or no this account</body></html>';
    assert.deepEqual(imsp.parseSubmitReply(body), [
      { to: '0912345678', code: 0, messageId: 'H0123456789ABCDEF0123', description: 'Success' },
      { to: '0987654321', code: 18, messageId: '', description: 'Destination msisdn format error(0987)' },
      { to: '+886912345678', code: 22, messageId: '', description: 'Password error or no this account' },
    ]);
  });
  it('reads QuerySM replies (§3.2, examples 1 to 3)', () => {
    assert.deepEqual(imsp.parseQueryReply('<html> <header></header> <body> 0911222xxx | 0 | 20150324152300 | Successful </body> </html>'),
      [{ to: '0911222xxx', code: 0, doneTime: '20150324152300', description: 'Successful' }]);
    assert.deepEqual(imsp.parseQueryReply('<html> <header></header> <body> 0911225xxx | 2 | null | System contains no data <br> 0933444xxx | 1 | null \n| Message is processing </body> </html>'),
      [{ to: '0911225xxx', code: 2, description: 'System contains no data' }, { to: '0933444xxx', code: 1, description: 'Message is processing' }]);
    assert.deepEqual(imsp.parseQueryReply('<html><body>0911222xxx | 3 | Message can not send to GSM/Pager: 20150222112311</body></html>'),
      [{ to: '0911222xxx', code: 3, doneTime: '20150222112311', description: 'Message can not send to GSM/Pager: 20150222112311' }]);
  });
  it('reads ChangePasswd replies (§3.3, examples 1 and 2)', () => {
    assert.deepEqual(imsp.parseChangeReply('<html> <header></header> <body>0 | Successful</body> </html>'), { code: 0, description: 'Successful' });
    assert.deepEqual(imsp.parseChangeReply('<html> <header></header> <body>1 | Failed to change password </body> </html>'), { code: 1, description: 'Failed to change password' });
  });
  it('quotes what came back when it cannot read it', () => {
    assert.throws(() => imsp.parseSubmitReply('Service Unavailable'), (err) => err.code === 'IMSP_REPLY' && /no <body> in it\); it said: "Service Unavailable"/.test(err.message));
    assert.throws(() => imsp.parseSubmitReply('<body>0912345678 | OK | x | y</body>'), /"OK" is not a return code/);
    assert.throws(() => imsp.parseSubmitReply('<body>  </body>'), /the body is empty/);
    assert.throws(() => imsp.parseChangeReply('<body>Successful</body>'), /1 field\(s\), at least 2/);
  });
  it('knows every code of each servlet, in English and in the document\'s words, with its class', () => {
    assert.deepEqual(Object.keys(imsp.CODES.SubmitSM).map(Number).sort((a, b) => a - b),
      [-1, 0, 2, 3, 5, 11, 14, 15, 16, 17, 18, 19, 20, 22, 23, 24, 31, 32, 33, 34, 35, 36, 37, 41, 43, 44, 45, 46, 47, 48, 49, 50, 52]);
    assert.deepEqual(Object.keys(imsp.CODES.QuerySM).map(Number).sort((a, b) => a - b), [-1, 0, 1, 2, 3, 4, 5, 8, 9, 11, 12, 13, 16, 17, 18, 21, 23, 24, 31, 32, 33, 48]);
    assert.deepEqual(Object.keys(imsp.CODES.ChangePasswd).map(Number).sort((a, b) => a - b), [-1, 0, 1, 22, 23, 24, 56]);
    for (const table of Object.values(imsp.CODES)) {
      for (const info of Object.values(table)) {
        assert.ok(info.en && info.zh, JSON.stringify(info));
        assert.ok(['success', 'progress', 'retryable', 'permanent'].includes(info.class));
      }
    }
    assert.equal(imsp.codeInfo('QuerySM', 1).class, 'progress');
    assert.equal(imsp.codeInfo('QuerySM', 31).class, 'progress');
    assert.equal(imsp.codeInfo('SubmitSM', -1).class, 'retryable');
    assert.equal(imsp.codeInfo('SubmitSM', 48).class, 'permanent');
    assert.match(imsp.codeInfo('SubmitSM', 41).en, /write them with a dash/);
    assert.equal(imsp.codeInfo('SubmitSM', 999).class, 'permanent');
  });

  const SEED = seed();
  it(`returns records or typed errors for random and truncated bodies (seed ${SEED})`, () => {
    const random = mulberry32(SEED);
    const samples = [
      '<html> <header></header> <body> 09xxxxxxxx | 0 | H09E6D4C | Success <br> 0912345678 | 22 | | Password error </body> </html>',
      '<html> <header></header> <body> 0911225xxx | 2 | null | System contains no data <br> 0933444xxx | 1 | null | Message is processing </body> </html>',
      '<html> <header></header> <body>0 | Successful</body> </html>',
    ];
    let read = 0;
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const base = samples[Math.floor(random() * samples.length)];
      let body;
      const r = random();
      if (r < 0.3) body = base.slice(0, Math.floor(random() * base.length));
      else if (r < 0.6) body = crypto.randomBytes(Math.floor(random() * 80)).toString('latin1');
      else {
        const chars = [...base];
        for (let k = 0; k < 3; k++) chars[Math.floor(random() * chars.length)] = '|<>b 9-'[Math.floor(random() * 7)];
        body = chars.join('');
      }
      for (const parse of [imsp.parseSubmitReply, imsp.parseQueryReply, imsp.parseChangeReply]) {
        try {
          const out = parse(body);
          for (const rec of [].concat(out)) assert.ok(Number.isInteger(rec.code));
          read++;
        } catch (err) {
          assert.ok(err instanceof SmsError && err.code === 'IMSP_REPLY', String(err && err.stack));
          refused++;
        }
      }
    }
    assert.ok(read > 100 && refused > 100, `${read} read, ${refused} refused`);
  });
});

describe('IMSP parameters', () => {
  const base = { to_addr: '0912345678', msg: '5BB65EAD', msg_dcs: 8 };
  const refuse = (p, match) => assert.throws(() => imsp.checkSubmit({ ...base, ...p }), (err) => err.code === 'IMSP_PARAM' && match.test(err.message));
  it('accepts the number formats of note 4', () => {
    for (const n of ['0912345678', '886912345678', '+886912345678', '0400011234567', '886400011234567', '+886400011234567', '00886400011234567', '+8613812345678', '0085291234567']) imsp.checkRecipient(n);
  });
  it('names the parameter and the rule it broke', () => {
    refuse({ to_addr: '0812345678' }, /to_addr: "0812345678" is not a number IMSP takes/);
    refuse({ to_addr: Array(21).fill('0912345678').join(',') }, /to_addr: 21 numbers, at most 20 in one request/);
    refuse({ msg_type: 2 }, /dest_port: msg_type 2 needs the application port as 4 hex digits/);
    refuse({ dest_port: 'C350' }, /dest_port: only goes with msg_type 2 or 3/);
    refuse({ msg_expire_time: 2000 }, /msg_expire_time: minutes from 0 to 1440/);
    refuse({ msg: '5BB' }, /msg: must be a hex string/);
    refuse({ msg: 'AB'.repeat(141) }, /msg: 141 octets, at most 140 with msg_type 0 and msg_dcs 8/);
    refuse({ msg: 'AB'.repeat(133), msg_type: 3, dest_port: 'C350' }, /msg: 133 octets, at most 132 with msg_type 3/);
    refuse({ msg_dcs: 0, msg: Buffer.alloc(141, 0xae) }, /msg: 141 octets of Big5, at most 140/);
  });
  it('URL-encodes Big5 octets and a + sign as the document shows', () => {
    assert.equal(imsp.formEncode([['msg', Buffer.from('ae61ae78', 'hex')], ['to_addr', '+8613812345678']]), 'msg=%AEa%AEx&to_addr=%2B8613812345678');
    const back = imsp.formDecode('msg=%aea%aex&to_addr=%2B86138');
    assert.equal(back.get('msg').toString('hex'), 'ae61ae78');
    assert.equal(back.get('to_addr').toString(), '+86138');
  });
});

describe('self-signed certificate for the simulators', () => {
  const { selfSignedCertificate } = require('../../dist/src/internal');
  const tls = require('node:tls');
  it('is valid DER every time (minimal integers), for localhost and 127.0.0.1, usable as a CA', () => {
    for (let i = 0; i < 50; i++) {
      const { cert, key } = selfSignedCertificate();
      const x = new crypto.X509Certificate(cert);
      assert.equal(x.ca, true);
      assert.equal(x.checkIP('127.0.0.1'), '127.0.0.1');
      assert.equal(x.checkHost('localhost'), 'localhost');
      assert.ok(x.verify(x.publicKey), 'self-signed');
      tls.createSecureContext({ cert, key });
    }
  });
});
