import { exportSPKI, generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticate.js';
import { authConfigSchema, authSettings } from './config.js';
import { generateKey } from './keys.js';

const SECRET = 'a-test-secret-of-at-least-32-chars!!';
const hs256 = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string; exp?: string | number } = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(opts.iss ?? 'https://idp.test')
    .setAudience(opts.aud ?? 'logfed')
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '5m')
    .sign(new TextEncoder().encode(SECRET));

const jwtConfig = { secret: SECRET, issuer: 'https://idp.test', audience: 'logfed' };

describe('authenticate', () => {
  it('lets nobody in by default outside the demo, and anyone in as admin in the demo', async () => {
    const locked = await createAuthenticator(authSettings({ demo: { enabled: false } }));
    await expect(locked.authenticate({})).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    const demo = await createAuthenticator(authSettings({ demo: { enabled: true } }));
    const who = await demo.authenticate({ claimedUser: 'alice' });
    expect(who).toMatchObject({ user: 'alice', via: 'anonymous', role: 'admin' });
    expect(who.scope.unrestricted).toBe(true);
  });

  it('takes the user id from a header only for anonymous callers', async () => {
    const { key, id, hash } = generateKey('k00001');
    const auth = await createAuthenticator(
      authConfigSchema.parse({ anonymous: { enabled: true, scope: { domains: ['pay'] } }, keys: [{ id, hash, user: 'bot', scope: { domains: ['shop'] } }] }),
    );
    expect((await auth.authenticate({ authorization: `Bearer ${key}`, claimedUser: 'mallory' })).user).toBe('bot');
    expect((await auth.authenticate({ claimedUser: 'bad user!' })).user).toBe('anonymous');
    const anon = await auth.authenticate({});
    expect(anon.scope.domain('pay')).toBe(true);
    expect(anon.scope.domain('shop')).toBe(false);
  });

  it('refuses a wrong key, another scheme, and a token it cannot check', async () => {
    const auth = await createAuthenticator(authConfigSchema.parse({ anonymous: { enabled: true } }));
    await expect(auth.authenticate({ authorization: `Bearer ${generateKey().key}` })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(auth.authenticate({ authorization: 'Basic dXNlcjpwYXNz' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(auth.authenticate({ authorization: `Bearer ${await hs256({ sub: 'a' })}` })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reads user, role and scope from HS256 claims, checking issuer, audience and expiry', async () => {
    const auth = await createAuthenticator(authConfigSchema.parse({ jwt: jwtConfig }));
    const who = await auth.authenticate({
      authorization: `Bearer ${await hs256({ sub: 'u1', logfed_role: ['viewer', 'admin'], logfed_domains: 'shop-* pay', logfed_apps: { pay: ['core'] } })}`,
    });
    expect(who).toMatchObject({ user: 'u1', via: 'jwt', role: 'admin' });
    expect(who.scope.app('shop-eu', 'x')).toBe(true);
    expect(who.scope.app('pay', 'gateway')).toBe(false);
    for (const bad of [
      await hs256({ sub: 'u1' }, { iss: 'https://evil.test' }),
      await hs256({ sub: 'u1' }, { aud: 'other' }),
      await hs256({ sub: 'u1' }, { exp: Math.floor(Date.now() / 1000) - 3600 }),
      await hs256({ sub: 'u1', logfed_domains: ['BAD DOMAIN'] }),
    ]) {
      await expect(auth.authenticate({ authorization: `Bearer ${bad}` })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    // no domains claim: the configured default, here none
    const bare = await auth.authenticate({ authorization: `Bearer ${await hs256({ sub: 'u2' })}` });
    expect(bare.role).toBe('reader');
    expect(bare.scope.domain('shop')).toBe(false);
  });

  it('verifies RS256 with a PEM public key and configurable claim names, refusing HS256 tokens', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const auth = await createAuthenticator(
      authConfigSchema.parse({ jwt: { publicKey: await exportSPKI(publicKey), claims: { user: 'email', role: 'realm.role', domains: 'teams' } } }),
    );
    const token = await new SignJWT({ email: 'ops@example.com', realm: { role: 'reader' }, teams: ['pay'] })
      .setProtectedHeader({ alg: 'RS256' })
      .setExpirationTime('5m')
      .sign(privateKey);
    const who = await auth.authenticate({ authorization: `Bearer ${token}` });
    expect(who).toMatchObject({ user: 'ops@example.com', role: 'reader' });
    expect(who.scope.domain('pay')).toBe(true);
    await expect(auth.authenticate({ authorization: `Bearer ${await hs256({ email: 'x@y.z' })}` })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('refuses a config with no or two JWT keys, and duplicate key ids', () => {
    expect(() => authConfigSchema.parse({ jwt: {} })).toThrow(/exactly one of secret/);
    expect(() => authConfigSchema.parse({ jwt: { secret: SECRET, jwksUrl: 'https://idp.test/jwks' } })).toThrow(/exactly one of secret/);
    const k = generateKey('dup001');
    const entry = { id: k.id, hash: k.hash, user: 'a', scope: { domains: ['*'] } };
    expect(() => authConfigSchema.parse({ keys: [entry, entry] })).toThrow(/unique key ids/);
  });
});
