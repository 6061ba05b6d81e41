// The GraphiQL console, bundled: it loads nothing but this server's assets
// and talks only to /graphql, over HTTP and, for subscriptions, a
// WebSocket (graphql-ws), so it works in a closed network. A token the
// leads' page signed in with (kept in this tab's session storage) is sent
// with every request, and shown masked in the headers editor: the console
// puts the token back in place of the mask as it sends.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';

const token = sessionStorage.getItem('mvpgraph.token');
const masked = token ? `${token.slice(0, 5)}${'•'.repeat(8)}${token.slice(-4)}` : '';
const ws = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
const base = createGraphiQLFetcher({
  url: `${location.origin}/graphql`,
  subscriptionUrl: ws,
  // A subscription authenticates in connection_init, as the server asks.
  wsConnectionParams: token ? { Authorization: `Bearer ${token}` } : undefined,
});

/** The headers with the masked token put back. */
function unmask(headers: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!headers || !token) return headers;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) out[k] = typeof v === 'string' ? v.replace(masked, token) : v;
  return out;
}

const fetcher: Fetcher = (params, opts) => base(params, opts ? { ...opts, headers: unmask(opts.headers) } : opts);

const defaultQuery = `# mvpgraph: send a token as {"Authorization": "Bearer <token>"} in the headers below;
# the token you signed in with is there, masked. Subscriptions run over a WebSocket.
{
  mvps(first: 5) {
    totalCount
    edges { node { handle name country awards { year status expertise { name } } } }
  }
}
`;

// A link may carry the query to start with: /graphiql?query=...
const linked = new URLSearchParams(location.search).get('query');

createRoot(document.getElementById('graphiql')!).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    ...(linked ? { query: linked } : {}),
    defaultHeaders: token ? JSON.stringify({ Authorization: `Bearer ${masked}` }, null, 2) : undefined,
    shouldPersistHeaders: false,
  }),
);
