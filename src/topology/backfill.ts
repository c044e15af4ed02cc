// Structure back-fill: an env-layout logstore holds many apps and files the topology was never
// told about. After a query answers, the apps and files seen in its results are added to the
// topology, so pickers and the unknown-app check learn them. Runs off the request path.

import { log } from '../observe/logger.js';
import type { SearchResult } from '../query/request.js';
import type { TopologyStore } from './types.js';
import { isName } from './validate.js';

const logger = log.child({ component: 'backfill' });

export async function backfillFromResult(store: TopologyStore, result: SearchResult): Promise<number> {
  if (result.edges.length === 0) return 0;
  const domains = [...new Set(result.edges.map((e) => e.event.domain))];
  const envLayout = new Set(
    (await store.listLogstores({ domains })).filter((ls) => ls.layout === 'env').map((ls) => `${ls.domain}\u0000${ls.env}`),
  );
  // domain -> app -> files seen
  const seen = new Map<string, Map<string, Set<string>>>();
  for (const { event: e } of result.edges) {
    if (!envLayout.has(`${e.domain}\u0000${e.env}`)) continue;
    // Names the topology cannot hold (paths, upper case) are left out rather than failing the batch.
    if (!isName(e.app)) continue;
    const byApp = seen.get(e.domain) ?? new Map<string, Set<string>>();
    seen.set(e.domain, byApp);
    const files = byApp.get(e.app) ?? new Set<string>();
    byApp.set(e.app, files);
    if (isName(e.file)) files.add(e.file);
  }
  let added = 0;
  for (const [domain, byApp] of seen) {
    const known = new Map((await store.listApps(domain)).map((a) => [a.name, new Set(a.files)]));
    for (const [app, files] of byApp) {
      const have = known.get(app);
      const fresh = [...files].filter((f) => !have?.has(f));
      if (have && fresh.length === 0) continue;
      await store.addAppFiles(domain, app, fresh);
      added++;
      logger.debug({ domain, app, files: fresh }, 'learned app structure from results');
    }
  }
  return added;
}
