// Vitest global setup for the console's browser tests: Debian's Chromium must be installed
// (scripts/ensure-chromium.sh installs it when missing) and dist/console must match the console's
// sources (console/build.ts rebuilds it when stale), once per run, before any test file starts.

import { execFileSync } from 'node:child_process';
import { ensureConsoleBuilt } from '../../console/build.js';

export default async function setup(): Promise<void> {
  try {
    execFileSync('bash', ['scripts/ensure-chromium.sh'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  } catch (err) {
    throw new Error(`Chromium is not available for the browser tests: see the message above, or run \`bash scripts/ensure-chromium.sh\` (${(err as Error).message})`);
  }
  await ensureConsoleBuilt();
}
