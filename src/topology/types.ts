// The topology: which domains, envs, apps and files exist, and which logstore holds each.
// The planner reads it; admin mutations and structure back-fill write it.

export type Layout = 'env' | 'app' | 'file';

export interface Domain {
  name: string;
  description?: string;
}

/** One queryable unit on a backend. Its layout says which of env/app/file it is keyed by. */
export interface Logstore {
  id: string;
  domain: string;
  layout: Layout;
  env: string;
  /** Set for `app` and `file` layouts. */
  app?: string;
  /** Set for the `file` layout. */
  file?: string;
  /** Name of a configured backend instance (adapter + endpoint). */
  backend: string;
  /** Adapter-specific location: a glob, a table, an index pattern, a selector... */
  location: Record<string, unknown>;
  /** Known time bounds of the data (epoch ms), used to prune before asking the backend. */
  minTs?: number;
  maxTs?: number;
  /** An inactive logstore is opened lazily the first time a query needs it. */
  active?: boolean;
  /** Field names whose values are masked on read. */
  sensitiveFields?: string[];
}

export interface App {
  domain: string;
  name: string;
  files: string[];
}

/** (fromDomain, fromTraceId) -> (toDomain, toTraceId): a call crossed a gateway and its trace id changed. */
export interface GatewayMapping {
  fromDomain: string;
  fromTraceId: string;
  toDomain: string;
  toTraceId: string;
  ts?: number;
}

export interface TopologyStore {
  listDomains(): Promise<Domain[]>;
  getDomains(names: readonly string[]): Promise<Array<Domain | undefined>>;
  upsertDomain(domain: Domain): Promise<Domain>;
  /** Deletes the domain with its logstores, apps and gateway mappings. Returns false when unknown. */
  deleteDomain(name: string): Promise<boolean>;

  listLogstores(filter?: { domains?: readonly string[] }): Promise<Logstore[]>;
  getLogstore(id: string): Promise<Logstore | undefined>;
  upsertLogstore(store: Logstore): Promise<Logstore>;
  deleteLogstore(id: string): Promise<boolean>;

  listApps(domain: string): Promise<App[]>;
  /** Adds apps/files learned from results (structure back-fill); idempotent. */
  addAppFiles(domain: string, app: string, files: readonly string[]): Promise<void>;

  addGatewayMapping(mapping: GatewayMapping): Promise<void>;
  deleteGatewayMapping(mapping: Omit<GatewayMapping, 'ts'>): Promise<boolean>;
  /** Mappings that touch (domain, traceId) on either side. */
  gatewayMappingsFor(domain: string, traceId: string): Promise<GatewayMapping[]>;
  /** Mappings by trace id alone, on either side, in any domain. */
  gatewayMappingsByTrace(traceId: string): Promise<GatewayMapping[]>;

  close(): Promise<void>;
}
