// Checks signature V1 against a vector derived independently of sign.ts: the StringToSign is
// written out by hand from the published algorithm, its HMAC-SHA1 computed here with Node's
// crypto, and the result also pinned to the value Aliyun's Python SDK's algorithm gives.

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { authorization, canonicalHeaders, canonicalResource, signedHeaders, stringToSign } from './sign.js';

const SECRET = '4fdO2fTDDnZPU/L7CHNdemB2Nsk=';
const params = { type: 'log', from: '1409529600', to: '1409533200', line: '100', offset: '0', reverse: 'true', topic: '', query: 'level: "ERROR" and "1001"' };
const headers = {
  Date: 'Mon, 09 Nov 2015 06:11:16 GMT',
  'X-Log-ApiVersion': '0.6.0',
  'x-log-signaturemethod': 'hmac-sha1',
  'x-log-bodyrawsize': '0',
  'x-acs-security-token': 'CAIS-sts-token',
  Host: 'my-project.cn-hangzhou.log.aliyuncs.com',
};

// VERB, Content-MD5 (none), Content-Type (none), Date, the x-log-/x-acs- headers lower-cased and
// sorted, then the path with its parameters sorted by name, not URL-encoded.
const HAND_WRITTEN =
  'GET\n' +
  '\n' +
  '\n' +
  'Mon, 09 Nov 2015 06:11:16 GMT\n' +
  'x-acs-security-token:CAIS-sts-token\n' +
  'x-log-apiversion:0.6.0\n' +
  'x-log-bodyrawsize:0\n' +
  'x-log-signaturemethod:hmac-sha1\n' +
  '/logstores/app-log?from=1409529600&line=100&offset=0&query=level: "ERROR" and "1001"&reverse=true&to=1409533200&topic=&type=log';

describe('SLS signature V1', () => {
  it('builds the StringToSign the algorithm describes', () => {
    expect(stringToSign({ method: 'GET', path: '/logstores/app-log', params, headers })).toBe(HAND_WRITTEN);
  });

  it('signs it with HMAC-SHA1 of the secret, base64, as "LOG <AccessKeyId>:<signature>"', () => {
    const expected = createHmac('sha1', SECRET).update(HAND_WRITTEN, 'utf8').digest('base64');
    // The same vector through the Python SDK's algorithm (hmac.new(secret, content, sha1), base64).
    expect(expected).toBe('9e5e53JtrfYI0oCIujM/UtZky+8=');
    expect(authorization({ method: 'GET', path: '/logstores/app-log', params, headers, accessKeyId: 'LTAI4Fexample', accessKeySecret: SECRET })).toBe(`LOG LTAI4Fexample:${expected}`);
  });

  it('signs only x-log- and x-acs- headers, and a path without parameters as it is', () => {
    expect(canonicalHeaders({ 'X-B': '1', 'x-log-b': '2', 'X-ACS-A': '3', host: 'h' })).toBe('x-acs-a:3\nx-log-b:2');
    expect(canonicalResource('/logstores/a', {})).toBe('/logstores/a');
  });

  it('sends the headers GetLogs needs, with the STS token only when there is one', () => {
    const date = new Date(Date.UTC(2015, 10, 9, 6, 11, 16));
    const h = signedHeaders({ method: 'GET', path: '/logstores/app-log', params, host: 'p.e', date, accessKeyId: 'id', accessKeySecret: SECRET, securityToken: 'CAIS-sts-token' });
    expect(h).toMatchObject({ host: 'p.e', date: 'Mon, 09 Nov 2015 06:11:16 GMT', 'x-log-apiversion': '0.6.0', 'x-log-signaturemethod': 'hmac-sha1', 'x-log-bodyrawsize': '0', 'x-acs-security-token': 'CAIS-sts-token' });
    expect(h.authorization).toBe('LOG id:9e5e53JtrfYI0oCIujM/UtZky+8=');
    expect(signedHeaders({ method: 'GET', path: '/x', params: {}, host: 'p.e', date, accessKeyId: 'id', accessKeySecret: SECRET })).not.toHaveProperty('x-acs-security-token');
  });
});
