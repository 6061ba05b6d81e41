// The GraphiQL console, bundled: it loads nothing but this server's assets
// and talks only to /graphql, so it works in a closed network. A token the
// leads' page signed in with (kept in this tab's session storage) is put in
// the headers editor.
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';

const token = sessionStorage.getItem('mvpgraph.token');
const fetcher = createGraphiQLFetcher({ url: `${location.origin}/graphql` });

const defaultQuery = `# mvpgraph: send a token as {"Authorization": "Bearer <token>"} in the headers below.
{
  mvps(first: 5) {
    totalCount
    edges { node { handle name country awards { year status expertise { name } } } }
  }
}
`;

createRoot(document.getElementById('graphiql')!).render(
  createElement(GraphiQL, {
    fetcher,
    defaultQuery,
    defaultHeaders: token ? JSON.stringify({ Authorization: `Bearer ${token}` }, null, 2) : undefined,
    shouldPersistHeaders: false,
  }),
);
