// PostGraphile v4 as the peer of mvpgraph's benchmark: the same database,
// its public schema read as PostGraphile reads any schema, with the
// connection-filter plugin (and/or/in/ilike filters, and filters across
// relations) and the aggregates plugin (grouped counts). One worker per
// core, as PostGraphile's own CLI runs it with --cluster-workers.
// Usage: node server.js DATABASE_URL PORT
const cluster = require('node:cluster');
const http = require('node:http');
const os = require('node:os');
const { postgraphile } = require('postgraphile');
const ConnectionFilterPlugin = require('postgraphile-plugin-connection-filter');
const PgAggregatesPlugin = require('@graphile/pg-aggregates').default;

const [database, port] = process.argv.slice(2);
if (!database || !port) {
  console.error('usage: node server.js DATABASE_URL PORT');
  process.exit(2);
}

if (cluster.isPrimary) {
  for (let i = 0; i < os.availableParallelism(); i++) cluster.fork();
  cluster.on('exit', (w, code) => {
    console.error(`worker ${w.process.pid} exited with ${code}`);
    process.exit(1);
  });
} else {
  const middleware = postgraphile(database, 'public', {
    appendPlugins: [ConnectionFilterPlugin, PgAggregatesPlugin],
    graphileBuildOptions: { connectionFilterRelations: true },
    disableQueryLog: true,
    disableDefaultMutations: true,
    dynamicJson: true,
    setofFunctionsContainNulls: false,
    retryOnInitFail: false,
  });
  http.createServer(middleware).listen(Number(port), '127.0.0.1');
}
