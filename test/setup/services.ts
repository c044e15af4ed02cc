// Vitest global setup: makes sure MariaDB, Redis and Kafka answer before any test runs, by
// calling the same script as `npm run services`. When it cannot start something it fails the
// run with the script's own message, which names the fix; no test is skipped for a missing service.

import { execFileSync } from 'node:child_process';

export default function setup(): void {
  if (process.env.LOGFED_SERVICES === 'running') return; // set by scripts that already ran it
  try {
    execFileSync('bash', ['scripts/services.sh'], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 600_000 });
  } catch (err) {
    throw new Error(`services are not available: see the message above, or run \`npm run services\` (${(err as Error).message})`);
  }
  process.env.LOGFED_SERVICES = 'running';
}
