// End-to-end tests of mvpgraph with the GraphQL client libraries front
// ends use, unchanged: a real `mvpgraph serve --demo` on a fresh SQLite
// database, driven from Node.js by graphql-ws (subscriptions over
// graphql-transport-ws), urql (queries, with its default Accept), and the
// schema builders of graphql-js and of Python's graphql-core.
//
// Run with `npm run e2e` in web/ (scripts/test runs it too).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { createClient as createWsClient } from 'graphql-ws';
import { Client as UrqlClient, fetchExchange } from '@urql/core';
import { buildClientSchema, buildSchema, getIntrospectionQuery, parse, printIntrospectionSchema, printSchema, validateSchema } from 'graphql';

const root = new URL('../../', import.meta.url).pathname;

let dir, bin, env, server, base;
let serverLog = '';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitReady(url) {
  for (let i = 0; i < 300; i++) {
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`mvpgraph did not become ready at ${url}:\n${serverLog}`);
}

/** Runs the mvpgraph command on the test's database; returns stdout and stderr. */
function mvpgraph(...args) {
  const out = spawnSync(bin, args, { env, encoding: 'utf8' });
  assert.equal(out.status, 0, `mvpgraph ${args.join(' ')}: ${out.stderr}`);
  return out;
}

/** Makes a token as an operator would; returns its secret and its number. */
function createToken(...args) {
  const out = mvpgraph('token', 'create', ...args);
  const id = Number(/token (\d+) /.exec(out.stderr)[1]);
  return { secret: out.stdout.trim().split('\n').pop().trim(), id };
}

async function graphql(query) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mvpgraph-clients-'));
  bin = join(dir, 'mvpgraph');
  execFileSync('go', ['build', '-o', bin, './cmd/mvpgraph'], { cwd: root, stdio: 'inherit' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = { ...process.env, MVPGRAPH_DATABASE_URL: `sqlite:${join(dir, 'demo.db')}` };
  server = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  await waitReady(`${base}/readyz`);
});

after(() => {
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A graphql-ws client of the server, counting its connection attempts. */
function wsClient(connectionParams) {
  const client = { attempts: 0 };
  client.ws = createWsClient({
    url: `${base.replace('http', 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams,
    on: { connecting: () => client.attempts++ },
  });
  return client;
}

/**
 * Subscribes and resolves with what the subscription delivered: up to its
 * first next when untilEnd is false, otherwise every next up to its error or
 * complete.
 */
function firstEvent(client, query, untilEnd = false) {
  return new Promise((resolve) => {
    const events = [];
    client.ws.subscribe(
      { query },
      {
        next: (v) => {
          events.push({ next: v });
          if (!untilEnd) resolve(events);
        },
        error: (e) => {
          events.push({ error: e });
          resolve(events);
        },
        complete: () => {
          events.push({ complete: true });
          resolve(events);
        },
      },
    );
  });
}

test('graphql-ws: a subscription without a valid token is refused with 4401, once', { timeout: 20000 }, async () => {
  for (const params of [{}, { Authorization: 'Bearer mvpg_not-a-real-token' }]) {
    const client = wsClient(params);
    const events = await firstEvent(client, '{ __typename }');
    client.ws.dispose();
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0].error?.code, 4401, `the client reports the close code: ${JSON.stringify(events)}`);
    assert.match(events[0].error.reason, /^Unauthorized: /);
    assert.equal(client.attempts, 1, 'the client does not reconnect to be refused again');
  }
});

test('graphql-ws: revoking the token ends the subscription for the client', { timeout: 60000 }, async () => {
  const { secret, id } = createToken('--role', 'ANALYST', '--name', 'graphql-ws');
  const { mvps } = await graphql('{ mvps(first: 1) { edges { node { id } } } }');
  const memberId = mvps.edges[0].node.id;
  const client = wsClient({ Authorization: `Bearer ${secret}` });
  // The demo's workers may publish reach while the test waits: those updates
  // are delivered, and the subscription still ends with 4401.
  const ended = firstEvent(client, `subscription { reachUpdated(memberId: "${memberId}") { handle } }`, true);
  // The subscription is running: the connection is open and acknowledged.
  await new Promise((resolve) => {
    const off = client.ws.on('connected', () => {
      off();
      resolve();
    });
  });
  mvpgraph('token', 'revoke', String(id));
  const events = await ended; // the token is checked again every 15 s
  client.ws.dispose();
  const last = events.at(-1);
  assert.ok(events.slice(0, -1).every((e) => e.next), JSON.stringify(events));
  assert.equal(last.error?.code, 4401, `the client reports the close code: ${JSON.stringify(events)}`);
  assert.match(last.error.reason, /revoked or has expired/);
  assert.equal(client.attempts, 1, 'the client does not reconnect with the revoked token');
});

/** Collects what the process reports as unhandled while fn runs, and a little after. */
async function unhandledDuring(fn) {
  const seen = [];
  const onRejection = (e) => seen.push(e);
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onRejection);
  try {
    const out = await fn();
    await new Promise((r) => setTimeout(r, 500));
    return { out, seen };
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onRejection);
  }
}

/** A urql client with its defaults; post: queries by POST, not GET. */
function urql({ post = true } = {}) {
  return new UrqlClient({ url: `${base}/graphql`, exchanges: [fetchExchange], requestPolicy: 'network-only', preferGetMethod: !post });
}

test('urql: a plain POST with its default Accept is answered as JSON, with nothing left unhandled', async () => {
  const query = '{ mvps(first: 3) { totalCount edges { node { handle } } } }';
  for (const post of [true, false]) {
    const { out, seen } = await unhandledDuring(() => urql({ post }).query(query, {}).toPromise());
    assert.equal(out.error, undefined, String(out.error));
    assert.equal(out.data.mvps.edges.length, 3);
    assert.equal(out.hasNext, false);
    assert.deepEqual(seen.map(String), [], `nothing unhandled, no AbortError (${post ? 'POST' : 'GET'})`);
  }

  // What urql sends, by hand: the answer is JSON, not multipart.
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/graphql+json, application/json, text/event-stream, multipart/mixed',
    },
    body: JSON.stringify({ query }),
  });
  assert.equal(r.headers.get('content-type'), 'application/graphql-response+json');
  assert.equal((await r.json()).data.mvps.edges.length, 3);
});

test('urql: a deferred fragment comes later, left out of the first result', async () => {
  const query = '{ leads(first: 3) { edges { node { name ... @defer { expertises { name } } } } } }';
  const { out: results, seen } = await unhandledDuring(
    () =>
      new Promise((resolve, reject) => {
        const all = [];
        urql()
          .query(query, {})
          .subscribe((result) => {
            if (result.error) reject(result.error);
            all.push(structuredClone({ data: result.data, hasNext: result.hasNext }));
            if (!result.hasNext) resolve(all);
          });
      }),
  );
  assert.deepEqual(seen.map(String), []);
  assert.ok(results.length >= 2, `the answer came in parts: ${JSON.stringify(results)}`);
  const first = results[0];
  assert.equal(first.hasNext, true);
  for (const e of first.data.leads.edges) {
    assert.ok(e.node.name);
    assert.equal('expertises' in e.node, false, `a deferred field is not in the first part: ${JSON.stringify(e.node)}`);
  }
  const last = results[results.length - 1];
  assert.equal(last.hasNext, false);
  for (const e of last.data.leads.edges) assert.ok(Array.isArray(e.node.expertises), JSON.stringify(e.node));
});

async function introspection() {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true }) }),
  });
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

test('graphql-js: the introspected schema builds, prints and parses again', async () => {
  const schema = buildClientSchema(await introspection());
  assert.deepEqual(validateSchema(schema).map(String), []);
  const again = buildSchema(printSchema(schema));
  assert.deepEqual(validateSchema(again).map(String), []);
  assert.ok(again.getType('Member'), 'the schema has its types');
  // The built-in directives and types as the server declares them parse too.
  parse(printIntrospectionSchema(schema));
});

test("graphql-core (Python): build_client_schema takes the introspection", async (t) => {
  const script = join(root, 'web', 'e2e', 'build_client_schema.py');
  const data = JSON.stringify(await introspection());
  // Python on the PATH, and Debian's (python3-graphql-core), when each has graphql-core.
  const tried = new Set();
  for (const python of ['python3', '/usr/bin/python3']) {
    const which = spawnSync(python, ['-c', 'import sys, graphql; print(sys.executable, graphql.__file__)'], { encoding: 'utf8' });
    if (which.status !== 0) {
      t.diagnostic(`${python}: no graphql-core (${(which.stderr || String(which.error)).trim().split('\n').pop()})`);
      continue;
    }
    if (tried.has(which.stdout)) continue;
    tried.add(which.stdout);
    const out = spawnSync(python, [script], { input: data, encoding: 'utf8' });
    assert.equal(out.status, 0, `${python} (${which.stdout.trim()}): ${out.stderr}`);
    t.diagnostic(`${python}: graphql-core ${out.stdout.trim()} builds it`);
  }
  if (tried.size === 0) t.skip('no Python with graphql-core: apt-get install python3-graphql-core');
});
