// The sls adapter's config (endpoint, project, credentials, retries, which log keys hold the
// event fields, what the logstore indexes) and the location of one logstore. Checked when the
// adapter is built and when a logstore is first searched; unknown keys are errors.

import { z } from 'zod';

const key = z.string().min(1).max(128);

/** SLS's default token delimiters for full-text and text field indexes. */
export const DEFAULT_DELIMITERS = ' ,\'";=()[]{}?@&<>/:\n\t\r';

export const SlsConfigSchema = z
  .object({
    /** The region endpoint, e.g. cn-hangzhou.log.aliyuncs.com; https unless a scheme says otherwise. */
    endpoint: z.string().regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/, 'expected a host such as cn-hangzhou.log.aliyuncs.com, optionally with http(s):// and a port'),
    project: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'expected an SLS project name (3-63 characters: a-z, 0-9, -)'),
    accessKeyId: z.string().min(1),
    accessKeySecret: z.string().min(1),
    /** An STS token: sent as x-acs-security-token with temporary credentials. */
    securityToken: z.string().min(1).optional(),
    /** Retries of a request SLS answers with x-log-progress: Incomplete, before the source is reported partial. */
    maxRetries: z.number().int().min(0).max(20).default(3),
    /** The pause before the first such retry, doubled for each one after it (with jitter). */
    retryBaseMs: z.number().int().min(0).max(60_000).default(200),
    timeoutMs: z.number().int().min(100).max(600_000).default(30_000),
    /** The log keys that hold the event's fields. */
    fields: z
      .object({ message: key.optional(), level: key.optional(), app: key.optional(), file: key.optional(), host: key.optional(), traceId: key.optional() })
      .strict()
      .default({}),
    /** What the logstores' indexes allow: full-text search (with these delimiters) and field queries on level, app, file, trace id. */
    index: z
      .object({ fullText: z.boolean().default(true), fields: z.boolean().default(true), delimiters: z.string().min(1).default(DEFAULT_DELIMITERS) })
      .strict()
      .default({}),
  })
  .strict();

export type SlsAdapterConfig = z.input<typeof SlsConfigSchema>;
export type SlsConfig = z.output<typeof SlsConfigSchema>;

export const SlsLocationSchema = z
  .object({
    logstore: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,61}[a-z0-9]$/, 'expected an SLS logstore name (3-63 characters: a-z, 0-9, _, -)'),
    topic: z.string().optional(),
  })
  .strict();

export type SlsLocation = z.input<typeof SlsLocationSchema>;

export interface SlsFields {
  message: string;
  level: string;
  app: string;
  file: string;
  host: string;
  traceId: string;
}

export const DEFAULT_FIELDS: SlsFields = { message: 'content', level: 'level', app: 'app', file: 'file', host: '__source__', traceId: 'traceId' };

/** Where to connect and the Host header to send: <project>.<endpoint>, or the endpoint itself when it is an IP address. */
export function endpointOf(cfg: Pick<SlsConfig, 'endpoint' | 'project'>): { url: string; host: string } {
  const m = /^(?:(https?):\/\/)?([^/:]+)(?::(\d+))?\/?$/.exec(cfg.endpoint)!;
  const scheme = m[1] ?? 'https';
  const host = m[2]!;
  const port = m[3] ? `:${m[3]}` : '';
  const raw = /^\d{1,3}(\.\d{1,3}){3}$/.test(host);
  return { url: `${scheme}://${raw ? host : `${cfg.project}.${host}`}${port}`, host: `${cfg.project}.${host}` };
}
