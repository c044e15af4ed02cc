// Golden table for topology validation: each bad input, the field it names, and what the
// message must say; plus the clean copies the checks hand back.

import { describe, expect, it } from 'vitest';
import { LogfedError } from '../errors/index.js';
import { validateAppFiles, validateDomain, validateGatewayMapping, validateLogstore } from './validate.js';

const base = { id: 'shop-prod', domain: 'shop', layout: 'env', env: 'prod', backend: 'sls', location: { logstore: 'prod' } };

function failure(run: () => unknown): LogfedError {
  try {
    run();
  } catch (err) {
    expect(err).toBeInstanceOf(LogfedError);
    return err as LogfedError;
  }
  throw new Error('expected validation to fail');
}

describe('validateLogstore', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['not an object', null as never, /^logstore: expected an object, got null$/],
    ['uppercase env', { env: 'Prod' }, /^logstore\.env: expected a name matching \^\[a-z0-9\]\[a-z0-9\._-\]\{0,63\}\$ .*, got "Prod"$/],
    ['name too long', { env: 'a'.repeat(65) }, /^logstore\.env: expected a name matching .*1 to 64 characters.*, got "a{65}"$/],
    ['unknown layout', { layout: 'host' }, /^logstore\.layout: expected one of env, app, file, got "host"$/],
    ['app on env layout', { app: 'cart' }, /^logstore\.app: expected no app for the env layout .*, got "cart"$/],
    ['file on app layout', { layout: 'app', app: 'cart', file: 'a.log' }, /^logstore\.file: expected no file for the app layout .*, got "a\.log"$/],
    ['no app on file layout', { layout: 'file', file: 'a.log' }, /^logstore\.app: expected an app for the file layout, got undefined$/],
    ['no file on file layout', { layout: 'file', app: 'cart' }, /^logstore\.file: expected a file for the file layout, got undefined$/],
    ['blank backend', { backend: '  ' }, /^logstore\.backend: expected the non-empty name .*, got "  "$/],
    ['string location', { location: 'prod' }, /^logstore\.location: expected an object, got "prod"$/],
    ['non-JSON in location', { location: { at: new Date(0) } }, /^logstore\.location\.at: expected a JSON value .*, got "1970-01-01T00:00:00\.000Z"$/],
    ['infinite number in location', { location: { n: [1, Infinity] } }, /^logstore\.location\.n\[1\]: expected a finite number, got Infinity$/],
    ['fractional minTs', { minTs: 1.5 }, /^logstore\.minTs: expected an integer number of epoch milliseconds, got 1\.5$/],
    ['minTs after maxTs', { minTs: 20, maxTs: 10 }, /^logstore\.minTs: expected at most logstore\.maxTs \(10\), got 20$/],
    ['string active', { active: 'yes' }, /^logstore\.active: expected a boolean, got "yes"$/],
    ['empty sensitive field', { sensitiveFields: ['phone', ''] }, /^logstore\.sensitiveFields\[1\]: expected a non-empty field name/],
    ['unknown detected kind', { sensitiveFields: ['phone', '@passport'] }, /^logstore\.sensitiveFields\[1\]: expected a field name, or a detected kind: @phone/],
    ['bad id', { id: 'has space' }, /^logstore\.id: expected an id matching .*, got "has space"$/],
    ['unknown key', { region: 'eu' }, /^logstore\.region: unknown key; expected only id, domain, layout/],
  ])('refuses %s', (_, over, message) => {
    const err = failure(() => validateLogstore(over === null ? null : { ...base, ...over }));
    expect(err.code).toBe('BAD_USER_INPUT');
    expect(err.message).toMatch(message);
  });

  it('returns a clean copy: null optionals dropped, location deep-copied', () => {
    const input = { ...base, layout: 'file', app: 'cart', file: 'app.log', minTs: null, active: undefined, location: { a: [1] } };
    const out = validateLogstore(input);
    expect(out).toStrictEqual({ ...base, layout: 'file', app: 'cart', file: 'app.log', location: { a: [1] } });
    expect(out.location).not.toBe(input.location);
    expect((out.location.a as number[])).not.toBe(input.location.a);
  });

  it('shortens a long echoed value', () => {
    expect(failure(() => validateLogstore({ ...base, env: 'X'.repeat(500) })).message).toMatch(/got "X{76}\.\.\.$/);
  });
});

describe('validateDomain', () => {
  it('keeps the description and refuses a non-string one', () => {
    expect(validateDomain({ name: 'shop', description: null })).toStrictEqual({ name: 'shop' });
    expect(failure(() => validateDomain({ name: 'shop', description: 3 })).message).toBe(
      'domain.description: expected a string of at most 1000 characters, got 3',
    );
    expect(failure(() => validateDomain({ name: '-shop' })).message).toMatch(/^domain\.name: .*, got "-shop"$/);
  });
});

describe('validateGatewayMapping', () => {
  const hop = { fromDomain: 'shop', fromTraceId: 'abc', toDomain: 'pay', toTraceId: 'XYZ-1' };
  it('accepts printable trace ids and refuses spaces, empties and self-mappings', () => {
    expect(validateGatewayMapping({ ...hop, ts: null })).toStrictEqual(hop);
    expect(failure(() => validateGatewayMapping({ ...hop, toTraceId: '' })).message).toMatch(/^gatewayMapping\.toTraceId: expected a trace id .*, got ""$/);
    expect(failure(() => validateGatewayMapping({ ...hop, fromTraceId: 'a\tb' })).message).toMatch(/^gatewayMapping\.fromTraceId: /);
    expect(failure(() => validateGatewayMapping({ ...hop, toDomain: 'shop', toTraceId: 'abc' })).message).toMatch(
      /^gatewayMapping\.toTraceId: expected a different \(toDomain, toTraceId\)/,
    );
    expect(validateGatewayMapping({ ...hop, toDomain: 'shop' })).toStrictEqual({ ...hop, toDomain: 'shop' });
  });
});

describe('validateAppFiles', () => {
  it('deduplicates and sorts files, naming the index of a bad one', () => {
    expect(validateAppFiles('shop', 'cart', ['b.log', 'a.log', 'b.log'])).toStrictEqual({ domain: 'shop', name: 'cart', files: ['a.log', 'b.log'] });
    expect(failure(() => validateAppFiles('shop', 'cart', 'a.log')).message).toBe('app.files: expected an array of file names, got "a.log"');
    expect(failure(() => validateAppFiles('shop', 'cart', ['a.log', 7])).message).toMatch(/^app\.files\[1\]: .*, got 7$/);
  });
});
