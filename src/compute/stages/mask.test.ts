import { describe, expect, it } from 'vitest';
import type { LogEvent } from '../../core/event.js';
import { validateRule, type MaskRule } from '../rules/index.js';
import { cardNumber, chineseId, luhn } from './detect.js';
import { compileMasker, pseudonymiser } from './mask.js';

const SECRET = 'test-secret-0123456789';
const p = pseudonymiser({ secret: SECRET });
const rule = (extra: object = {}) => validateRule({ id: 'm', kind: 'mask', version: 1, online: true, ...extra }) as MaskRule;
const event = (message: string, fields: Record<string, unknown> = {}): LogEvent => ({ ts: 0, domain: 'd', env: 'e', app: 'a', file: 'f', message, fields: { _type: 't', ...fields } });
const maskAll = compileMasker([rule()], { secret: SECRET });
const masked = (text: string) => {
  const e = event(text);
  maskAll(e);
  return e.message;
};

describe('mask golden table', () => {
  const golden: [string, string, string][] = [
    ['CN mobile', 'sms to 13812345678 sent', `sms to ${p('phone', '13812345678')} sent`],
    ['CN mobile with +86', 'call +8613812345678 now', `call ${p('phone', '13812345678')} now`],
    ['CN mobile with +86 and a space', 'call +86 13812345678', `call ${p('phone', '13812345678')}`],
    ['E.164', 'dial +14155552671.', `dial ${p('phone', '+14155552671')}.`],
    ['CN mobile inside text', '手机号13912345678已绑定', `手机号${p('phone', '13912345678')}已绑定`],
    ['national id', 'id=11010519491231002X ok', `id=${p('idCard', '11010519491231002X')} ok`],
    ['national id lower-case x', 'id 11010519491231002x', `id ${p('idCard', '11010519491231002X')}`],
    ['e-mail', 'mail Alice.B+x@Example.COM.', `mail ${p('email', 'alice.b+x@example.com')}.`],
    ['e-mail with digits', '13812345678@qq.com', p('email', '13812345678@qq.com')],
    ['bearer', 'Authorization: Bearer abc.DEF-123_xyz', `Authorization: Bearer ${p('token', 'abc.DEF-123_xyz')}`],
    ['JWT', 'jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nat-ure', `jwt=${p('token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nat-ure')}`],
    ['password pair', 'login db_password=hunter22 ok', `login db_password=${p('token', 'hunter22')} ok`],
    ['JSON secret', '{"apiKey": "k-123456"}', `{"apiKey": "${p('token', 'k-123456')}"}`],
    ['provider key', 'using sk-abcdefghijklmnopqrstuvwx', `using ${p('token', 'sk-abcdefghijklmnopqrstuvwx')}`],
    ['AWS key', 'AKIAIOSFODNN7EXAMPLE', p('token', 'AKIAIOSFODNN7EXAMPLE')],
    ['Visa', 'card 4111111111111111 ok', `card ${p('card', '4111111111111111')} ok`],
    ['grouped card', 'card 5500-0000-0000-0004 ok', `card ${p('card', '5500000000000004')} ok`],
    ['UnionPay 19 digits', 'pan=6212345678901234569', `pan=${p('card', '6212345678901234569')}`],
    // values that look close but are not sensitive stay as they are
    ['failing Luhn', 'card 4111111111111112', 'card 4111111111111112'],
    ['epoch ms', 'at 1795227302123 done', 'at 1795227302123 done'],
    ['order number', 'order 2026112110150212 paid', 'order 2026112110150212 paid'],
    ['id with wrong check', 'id 110105194912310021', 'id 110105194912310021'],
    ['12 digits', 'sku 138123456789', 'sku 138123456789'],
    ['digits in a word', 'req-13812345678abc', 'req-13812345678abc'],
    ['token count', 'token: 5', 'token: 5'],
    ['version', 'v1.13.812345678', 'v1.13.812345678'],
    ['already masked', `to <phone:1234abcd> and <field:00112233>`, `to <phone:1234abcd> and <field:00112233>`],
    ['no @ domain', 'user@localhost', 'user@localhost'],
  ];
  it.each(golden)('%s', (_name, input, expected) => {
    expect(masked(input)).toBe(expected);
  });
});

describe('pseudonyms', () => {
  it('are keyed, consistent and prefixed by kind', () => {
    expect(p('phone', '13812345678')).toMatch(/^<phone:[0-9a-f]{8}>$/);
    expect(p('phone', '13812345678')).toBe(pseudonymiser({ secret: SECRET })('phone', '13812345678'));
    expect(p('phone', '13812345678')).not.toBe(pseudonymiser({ secret: 'another-secret-000000' })('phone', '13812345678'));
    expect(pseudonymiser({ secret: SECRET, hashLength: 12 })('email', 'a@b.co')).toMatch(/^<email:[0-9a-f]{12}>$/);
  });

  it('match between the message and a field, so masked values still join', () => {
    const e = event('paid by 13812345678', { mobile: '13812345678', note: 'contact alice@example.com' });
    maskAll(e);
    expect(e.fields!.mobile).toBe(p('phone', '13812345678'));
    expect(e.message).toBe(`paid by ${e.fields!.mobile}`);
    expect(e.fields!.note).toBe(`contact ${p('email', 'alice@example.com')}`);
  });
});

describe('compileMasker', () => {
  it('masks named fields whole, at any depth and any case, and where they recur in the message', () => {
    const masker = compileMasker([rule({ detect: ['phone'], fields: ['userName', 'password'] })], { secret: SECRET });
    const e = event('user zhangsan logged in with 13812345678', { username: 'zhangsan', auth: { Password: 'p@ss w0rd' }, tags: ['13812345678'] });
    const count = masker(e);
    expect(e.fields).toEqual({
      _type: 't',
      username: p('field', 'zhangsan'),
      auth: { Password: p('field', 'p@ss w0rd') },
      tags: [p('phone', '13812345678')],
    });
    expect(e.message).toBe(`user ${p('field', 'zhangsan')} logged in with ${p('phone', '13812345678')}`);
    expect(count).toBe(4);
  });

  it('gives a named field its detected kind when its whole value is one', () => {
    const masker = compileMasker([rule({ detect: ['email'], fields: ['contact'] })], { secret: SECRET });
    const e = event('x', { contact: 'bob@example.com' });
    masker(e);
    expect(e.fields!.contact).toBe(p('email', 'bob@example.com'));
  });

  it('masks phone and card numbers stored as JSON numbers', () => {
    const e = event('x', { mobile: 13812345678, amount: 12345678901234, card: 4111111111111111 });
    maskAll(e);
    expect(e.fields).toMatchObject({ mobile: p('phone', '13812345678'), amount: 12345678901234, card: p('card', '4111111111111111') });
  });

  it('detects only the kinds a rule names', () => {
    const masker = compileMasker([rule({ detect: ['email'] })], { secret: SECRET });
    const e = event('13812345678 a@b.io');
    masker(e);
    expect(e.message).toBe(`13812345678 ${p('email', 'a@b.io')}`);
  });

  it('leaves pipeline metadata alone', () => {
    const e = event('x', { _type: '13812345678' });
    maskAll(e);
    expect(e.fields!._type).toBe('13812345678');
  });

  it('masks only the named fields when asked', () => {
    const e = event('13812345678', { owner: 'bob@example.com', other: 'carol@example.com' });
    maskAll.only(e, ['owner']);
    expect(e.fields).toMatchObject({ owner: p('email', 'bob@example.com'), other: 'carol@example.com' });
    expect(e.message).toBe('13812345678');
  });

  it('stays linear on hostile text', () => {
    const hostile = 'a'.repeat(200_000) + '@' + '1'.repeat(100_000) + 'password='.repeat(10_000);
    const e = event(hostile);
    maskAll(e);
    expect(e.message.length).toBeGreaterThan(0);
  });
});

describe('validators', () => {
  it.each([
    ['11010519491231002X', true],
    ['110105194912310021', false],
    ['110105194902300029', false],
    ['91010519491231002X', false],
  ])('chineseId(%s) is %s', (id, ok) => expect(chineseId(id)).toBe(ok));

  it.each([
    ['4111111111111111', true],
    ['378282246310005', true],
    ['6011111111111117', true],
    ['5555555555554444', true],
    ['1795227302123000', false],
    ['4111111111111', false],
  ])('cardNumber(%s) is %s', (n, ok) => expect(cardNumber(n)).toBe(ok));

  it('luhn', () => {
    expect(luhn('79927398713')).toBe(true);
    expect(luhn('79927398710')).toBe(false);
  });
});
