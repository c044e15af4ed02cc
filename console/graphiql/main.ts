// The local GraphiQL at /graphiql: ad-hoc queries over HTTP and subscriptions over graphql-ws,
// both against this gateway's /graphql, with the console's saved credentials. Bundled with its
// editor's workers by vite (console/vite.config.ts), so it needs no network beyond the gateway.

import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { parse } from 'graphql';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { credentialHeaders, endpoints } from '../src/api/endpoint.js';

const { httpUrl, wsUrl } = endpoints(window.location);
const headers = credentialHeaders();
const base = createGraphiQLFetcher({ url: httpUrl, subscriptionUrl: wsUrl, headers, wsConnectionParams: headers });
// The toolkit routes a subscription to the WebSocket only when the editor has already parsed the
// document; a run clicked before that would go over HTTP. Parse here when the editor has not.
const fetcher: Fetcher = (params, opts) => base(params, { ...opts, documentAST: opts?.documentAST ?? tryParse(params.query) });

function tryParse(query: string) {
  try {
    return parse(query);
  } catch {
    return undefined;
  }
}

const example = `# Logfed: one GraphQL endpoint for every team's logs. The console is at /.
{
  logs(query: { levels: ["ERROR"] }, first: 10) {
    edges { node { ts domain app level traceId message } }
    sources { logstore status rows ms error reason }
  }
}
`;

// `/graphiql?query=…` opens with that operation, so a link can carry a query to run.
const initialQuery = new URLSearchParams(window.location.search).get('query') ?? undefined;

createRoot(document.getElementById('graphiql')!).render(createElement(GraphiQL, { fetcher, defaultQuery: example, initialQuery }));
