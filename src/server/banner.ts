// The startup banner: where to go, where state lives, and a first query to paste.

export function banner(o: { url: string; source: string; embedded: boolean; demoDir?: string; access?: { how: string; openAdmin: boolean } }): string {
  const lines = [
    '',
    `  Logfed is serving GraphQL at ${o.url}  (WebSocket subscriptions on the same URL)`,
    `  web console: ${o.url.replace(/\/graphql$/, '/')}   GraphiQL: ${o.url.replace(/\/graphql$/, '/graphiql')}`,
    `  config: ${o.source}`,
    o.embedded
      ? '  state:  in memory (embedded default) — topology, patterns and metrics are lost on restart'
      : '  state:  MySQL',
  ];
  if (o.demoDir) lines.push(`  demo:   two domains (shop, pay) writing live logs under ${o.demoDir}`);
  if (o.access) {
    lines.push(`  access: ${o.access.how}`);
    // Anyone who can reach the port can change the topology: fine on a laptop, not elsewhere.
    if (o.access.openAdmin) lines.push('          anonymous callers are admins — configure auth: before exposing this port (docs/security.md)');
  }
  lines.push(
    '',
    '  Try:',
    `    curl -s ${o.url} -H 'content-type: application/json' \\`,
    `      -d '{"query":"{ logs(query: {keywords: \\"payment\\", levels: [\\"ERROR\\"]}, first: 5) { edges { node { ts domain app level message } } sources { logstore status rows } } }"}'`,
    '',
    '    subscription { tail(filter: {}) { ts domain app level message } }',
    '',
    `  Health: ${o.url.replace(/\/graphql$/, '/healthz')}   Metrics: ${o.url.replace(/\/graphql$/, '/metrics')}`,
    '',
  );
  return lines.join('\n') + '\n';
}
