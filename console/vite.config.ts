// Builds the web console (index.html: search, trace, tail, patterns) and the local GraphiQL
// (graphiql.html) into dist/console, which src/server/console.ts serves at / and /graphiql.
// Everything the browser loads is bundled here: the gateway serves no page from a CDN.

import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  // The console's JSX is Preact's; the GraphiQL entry is written without JSX, so React and
  // Preact never share a JSX runtime.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // GraphiQL's editor is large by nature and loads only on /graphiql.
    chunkSizeWarningLimit: 4096,
    rolldownOptions: {
      // React libraries mark modules "use client"; that means nothing to a static bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      input: {
        index: fileURLToPath(new URL('index.html', import.meta.url)),
        graphiql: fileURLToPath(new URL('graphiql.html', import.meta.url)),
      },
    },
  },
});
