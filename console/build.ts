// Builds the console into dist/console when its sources changed since the last build, so a fresh
// clone's `npm start` (prestart) and `npm test` (browser tests' global setup) serve what is in
// the tree. `tsx console/build.ts` builds when stale; `--force` always builds.

import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const consoleDir = fileURLToPath(new URL('.', import.meta.url));
const root = join(consoleDir, '..');
export const outDir = join(root, 'dist', 'console');
const stampFile = join(outDir, '.build-stamp');

/** Every input of the build: the console's sources and what decides the bundled packages' versions. */
function inputs(): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (!/\.test\.tsx?$/.test(entry.name)) files.push(path);
    }
  };
  walk(consoleDir);
  files.push(join(root, 'package-lock.json'));
  return files.sort();
}

/** A digest of the inputs' contents: unlike mtimes it survives a checkout that rewrites unchanged files. */
export function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const file of inputs()) {
    if (!existsSync(file)) continue;
    hash.update(relative(root, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function isStale(): boolean {
  if (!existsSync(join(outDir, 'index.html')) || !existsSync(stampFile)) return true;
  return readFileSync(stampFile, 'utf8').trim() !== sourceDigest();
}

/** Builds when stale (or always with force); answers whether it built. */
export async function ensureConsoleBuilt(opts: { force?: boolean } = {}): Promise<boolean> {
  if (!opts.force && !isStale()) return false;
  const digest = sourceDigest();
  // vite is a development dependency: an install without it keeps whatever build there is.
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    if (existsSync(join(outDir, 'index.html'))) return false;
    throw new Error('the console is not built and vite is not installed: run `npm ci` (with dev dependencies), then `npm run build:console`');
  }
  await vite.build({ configFile: join(consoleDir, 'vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, `${digest}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  ensureConsoleBuilt({ force: process.argv.includes('--force') })
    .then((built) => {
      if (built) console.log(`console: built into ${relative(process.cwd(), outDir)} in ${Date.now() - started} ms`);
    })
    .catch((err: Error) => {
      console.error(`console: ${err.message}`);
      process.exit(1);
    });
}
