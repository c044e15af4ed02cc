// Signs SLS API requests with signature V1, as Aliyun's SDKs do:
//   Authorization: LOG <AccessKeyId>:<base64(HMAC-SHA1(AccessKeySecret, StringToSign))>
//   StringToSign = VERB \n Content-MD5 \n Content-Type \n Date \n CanonicalizedLOGHeaders \n CanonicalizedResource
// CanonicalizedLOGHeaders: the x-log-* and x-acs-* headers, lower-cased and sorted, name:value per
// line; CanonicalizedResource: the path, then ? and the parameters sorted by name as k=v joined by
// &, not URL-encoded.

import { createHmac } from 'node:crypto';

export const API_VERSION = '0.6.0';

export interface SignInput {
  method: string;
  path: string;
  params: Record<string, string>;
  /** Every header that will be sent; the x-log-/x-acs- ones are signed. */
  headers: Record<string, string>;
  accessKeyId: string;
  accessKeySecret: string;
}

export function canonicalHeaders(headers: Record<string, string>): string {
  return Object.entries(headers)
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .filter(([k]) => k.startsWith('x-log-') || k.startsWith('x-acs-'))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}:${v}`)
    .join('\n');
}

export function canonicalResource(path: string, params: Record<string, string>): string {
  const names = Object.keys(params).sort();
  return names.length ? `${path}?${names.map((k) => `${k}=${params[k]}`).join('&')}` : path;
}

export function stringToSign(s: Omit<SignInput, 'accessKeyId' | 'accessKeySecret'>): string {
  const h = Object.fromEntries(Object.entries(s.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const logHeaders = canonicalHeaders(s.headers);
  const head = [s.method, h['content-md5'] ?? '', h['content-type'] ?? '', h['date'] ?? ''].join('\n');
  return `${head}\n${logHeaders ? `${logHeaders}\n` : ''}${canonicalResource(s.path, s.params)}`;
}

export function authorization(s: SignInput): string {
  const signature = createHmac('sha1', s.accessKeySecret).update(stringToSign(s), 'utf8').digest('base64');
  return `LOG ${s.accessKeyId}:${signature}`;
}

/** The headers of a body-less request, signed: what GetLogs sends. */
export function signedHeaders(o: { method: string; path: string; params: Record<string, string>; host: string; date: Date; accessKeyId: string; accessKeySecret: string; securityToken?: string }): Record<string, string> {
  const headers: Record<string, string> = {
    host: o.host,
    date: o.date.toUTCString(),
    'x-log-apiversion': API_VERSION,
    'x-log-signaturemethod': 'hmac-sha1',
    'x-log-bodyrawsize': '0',
    ...(o.securityToken ? { 'x-acs-security-token': o.securityToken } : {}),
  };
  headers.authorization = authorization({ method: o.method, path: o.path, params: o.params, headers, accessKeyId: o.accessKeyId, accessKeySecret: o.accessKeySecret });
  return headers;
}
