// Serves the web console built into dist/console (console/build.ts): the console at / and the
// local GraphiQL at /graphiql, with their hashed assets. Mounted by http.ts beside /graphql;
// pages load nothing but what this router serves.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Request, type Response, type Router } from 'express';

export const defaultConsoleDir = fileURLToPath(new URL('../../dist/console', import.meta.url));

// The pages talk only to this origin (HTTP and WebSocket); GraphiQL's editor runs web workers
// and sets inline styles. Nothing else is allowed to load.
const CSP = [
  "default-src 'self'",
  "connect-src 'self' ws: wss:",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "style-src 'self' 'unsafe-inline'",
  "worker-src 'self' blob:",
  "frame-ancestors 'none'",
].join('; ');

export function consoleRouter(dir: string = defaultConsoleDir): Router {
  const router = express.Router();
  const page = (name: string) => (_req: Request, res: Response) => {
    const file = join(dir, name);
    res.setHeader('content-security-policy', CSP);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('cache-control', 'no-cache');
    if (!existsSync(file)) {
      // Checked per request: a build that finishes after start is served without a restart.
      res.status(503).type('text/plain').send('The web console is not built: run `npm run build:console` (npm start does it when needed). GraphQL is at /graphql.\n');
      return;
    }
    res.sendFile(file);
  };
  router.get('/', page('index.html'));
  router.get(['/graphiql', '/graphiql/'], page('graphiql.html'));
  // File names carry a content hash, so a browser may keep them for good.
  router.use('/assets', express.static(join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: false }));
  return router;
}
