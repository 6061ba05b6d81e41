// End-to-end tests of the leads' page and the GraphiQL console: a real
// `mvpgraph serve --demo` on a fresh SQLite database, driven in Debian's
// headless Chromium through playwright-core. Each page is checked with
// axe-core (WCAG 2.1 A and AA) and photographed, into a temporary folder
// so that a test run leaves the tree as it was; with
// MVPGRAPH_SCREENSHOTS=docs/screenshots (from the repository's root), into
// the pictures of docs/page.md.
//
// Run with `npm run e2e` in web/ (scripts/test runs it too). CHROMIUM
// overrides the browser's path, /usr/bin/chromium by default.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const root = new URL('../../', import.meta.url).pathname;
const shots = process.env.MVPGRAPH_SCREENSHOTS
  ? join(root, process.env.MVPGRAPH_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'mvpgraph-screenshots-'));
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

let dir, server, base, browser, context, page, token;

// The demo is dated from the day it is loaded: its last half year.
const day = (d) => d.toISOString().slice(0, 10);
const period = { from: day(new Date(Date.now() - 180 * 86400e3)), to: day(new Date()) };
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

async function graphql(query, variables = {}, auth) {
  const r = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(auth ? { Authorization: `Bearer ${auth}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await r.json();
  assert.equal(body.errors, undefined, JSON.stringify(body.errors));
  return body.data;
}

/** Runs axe-core on the page and fails on any WCAG 2.1 A or AA violation. */
async function checkAccessibility(what) {
  await page.evaluate(axeSource); // through the debugger protocol: the page's CSP allows no inline script
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  const found = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
  assert.deepEqual(found, [], `${what}: accessibility violations`);
  assert.ok(result.passes.length > 10, `${what}: axe ran its checks`);
}

async function shoot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`) });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mvpgraph-e2e-'));
  mkdirSync(shots, { recursive: true });
  const bin = join(dir, 'mvpgraph');
  execFileSync('go', ['build', '-o', bin, './cmd/mvpgraph'], { cwd: root, stdio: 'inherit' });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const env = { ...process.env, MVPGRAPH_DATABASE_URL: `sqlite:${join(dir, 'demo.db')}` };
  server = spawn(bin, ['serve', '--demo', '--addr', `127.0.0.1:${port}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  server.stdout.on('data', (d) => (serverLog += d));
  server.stderr.on('data', (d) => (serverLog += d));
  await waitReady(`${base}/readyz`);

  // A token for the US lead of Dynamics CRM, made as an operator would.
  const { expertises } = await graphql(`{ expertises(where: {name: {_eq: "Dynamics CRM"}}) { edges { node { usLead { id name } } } } }`);
  const lead = expertises.edges[0].node.usLead;
  const out = execFileSync(bin, ['token', 'create', '--role', 'LEAD', '--lead', lead.id, '--name', `${lead.name}'s page`], { env, encoding: 'utf8' });
  token = out.trim().split('\n').pop().trim();
  assert.match(token, /^mvpg_/);

  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-quic', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
  page = await context.newPage();
  page.on('pageerror', (e) => {
    throw e;
  });
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a bad token is refused with what to do', async () => {
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill('mvpg_not-a-real-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.innerText(), /sign in again with a valid token/i);
  assert.match(await alert.innerText(), /^This token was refused\. [A-Z]/, 'it says what happened, in a sentence');
  assert.equal(await alert.getByRole('link').count(), 0, 'no link to the page it is on');
  assert.equal(await page.evaluate(() => sessionStorage.getItem('mvpgraph.token')), null, 'a refused token is not kept');
});

test('sign in with a token', async () => {
  await page.goto(`${base}/#/signin`);
  await page.getByLabel('API token').fill('');
  await checkAccessibility('sign-in');
  await shoot('signin');
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My MVPs' }).waitFor();
  const header = await page.locator('header').innerText();
  assert.match(header, /LEAD/, 'the header says what the token is');
  assert.match(await page.locator('.role-note').innerText(), /your MVPs with their personal data/);
  assert.ok(await page.evaluate(() => sessionStorage.getItem('mvpgraph.token')), 'the token is kept in session storage');
});

test('My MVPs: a sortable table, sorted by growth from the keyboard', async () => {
  await page.goto(`${base}/#/mvps`);
  const table = page.getByTestId('mvp-table');
  await table.waitFor();
  const rows = table.locator('tbody tr');
  assert.ok((await rows.count()) >= 10, 'the lead has MVPs');
  assert.ok((await table.locator('svg.spark').count()) > 0, 'growth sparklines are drawn');
  const sort = table.getByRole('button', { name: /30-day growth/ });
  await sort.focus();
  await page.keyboard.press('Enter');
  assert.equal(await table.locator('th[aria-sort]').getAttribute('aria-sort'), 'descending');
  const growth = (await table.locator('tbody td.growth > span:first-child').allInnerTexts()).map((t) => Number(t.replace(/[^\d-]/g, '')));
  assert.deepEqual(growth, [...growth].sort((a, b) => b - a), 'rows are in descending growth');
  assert.ok(growth[0] > growth[growth.length - 1], 'growth differs between MVPs');
  // Loaded today, the demo synced yesterday: nothing is stale, and only
  // accounts with a real problem need attention.
  assert.equal(await table.locator('.badge.stale').count(), 0, 'no account that synced within its interval is stale');
  const all = await rows.count();
  await page.getByLabel('Only accounts needing attention').check();
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="mvp-table"] tbody tr').length !== n || n === 0, all);
  const flagged = table.locator('tbody tr');
  assert.ok((await flagged.count()) < all, `the filter leaves the few with a problem (${await flagged.count()} of ${all})`);
  for (const badges of await flagged.evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('.badge')].map((b) => b.textContent)))) {
    assert.ok(badges.some((b) => /not found|suspended|error|stale/.test(b)), `a row left by the filter has a real problem: ${badges.join(', ')}`);
  }
  await page.getByLabel('Only accounts needing attention').uncheck();
  await checkAccessibility('My MVPs');
  await shoot('my-mvps');
});

test('an MVP profile with its reach chart', async () => {
  const first = page.getByTestId('mvp-table').locator('tbody tr th a').first();
  const name = await first.innerText();
  await first.click();
  await page.getByRole('heading', { level: 1, name: new RegExp(name) }).waitFor();
  const chart = page.locator('[data-chart="reach"] canvas').first();
  await chart.waitFor();
  const box = await chart.boundingBox();
  assert.ok(box && box.width > 300 && box.height > 100, 'the chart is drawn');
  // The chart has ink: a canvas of one colour would be blank.
  const colours = await chart.evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const seen = new Set();
    for (let i = 0; i < d.length; i += 4 * 97) seen.add(`${d[i]},${d[i + 1]},${d[i + 2]},${d[i + 3]}`);
    return seen.size;
  });
  assert.ok(colours > 3, 'the chart draws lines');
  for (const section of ['Accounts', 'Awards', 'Leads', 'Escalations']) await page.getByRole('heading', { level: 2, name: section }).waitFor();
  await checkAccessibility('profile');
  await shoot('profile');
});

test('community trends: the Pareto chart', async () => {
  await page.goto(`${base}/#/trends`);
  // It opens on the lead's own work: an expertise of theirs, charted.
  await page.locator('[data-chart="pareto"] canvas').first().waitFor();
  assert.notEqual(await page.getByLabel('Expertise').inputValue(), '', "the lead's expertise is chosen");
  await page.getByLabel('Expertise').selectOption({ label: 'Dynamics CRM' });
  await page.getByLabel('From', { exact: true }).fill(period.from);
  await page.getByLabel('To', { exact: true }).fill(period.to);
  const pareto = page.locator('[data-chart="pareto"] canvas').first();
  await pareto.waitFor();
  const figures = await page.getByLabel('Concentration').innerText();
  const held50 = Number(/Spaces holding 50 %\s+(\d+)/.exec(figures)[1]);
  const spaces = Number(/Spaces with activity\s+(\d+)/.exec(figures)[1]);
  assert.equal(spaces, 24);
  assert.ok(held50 >= 1 && held50 <= 6, `a few spaces hold half the activity (${held50})`);
  await page.locator('[data-chart="series"] canvas').first().waitFor();
  await checkAccessibility('trends');
  await shoot('trends');

  // Needs met: how the questions were answered, and where they wait.
  const needs = page.getByTestId('needs');
  await needs.locator('[data-chart="needs"] canvas').first().waitFor();
  const asked = await needs.getByLabel('Questions', { exact: true }).innerText();
  const answered = Number(/Answered\s+([\d.]+) %/.exec(asked)[1]);
  assert.ok(answered > 50 && answered < 100, `most questions are answered (${answered} %)`);
  const marked = await needs.getByTestId('needs-table').locator('tr.needs-help th').allInnerTexts();
  assert.deepEqual(marked.map((m) => m.split(/\s*under/)[0].trim()), ['Dynamics CRM Newsgroup'], 'the space that leaves people waiting is marked');
  const waiting = needs.getByTestId('unanswered').locator('li');
  await waiting.first().waitFor();
  assert.equal(await waiting.count(), 10, 'the oldest ten waiting questions');
  assert.match(await waiting.first().getByRole('link').getAttribute('href'), /^https:\/\//, 'each links to the question');
  await needs.getByRole('button', { name: 'More waiting questions' }).click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="unanswered"] li').length > 10);
  await needs.scrollIntoViewIfNeeded();
  await checkAccessibility('needs met');
  await shoot('needs-met');
});

test('leaderboard, candidates, escalations and integrations', async () => {
  await page.goto(`${base}/#/leaderboard`);
  const lb = page.getByTestId('leaderboard');
  await lb.waitFor();
  const ranks = await lb.locator('tbody tr td:first-child').allInnerTexts();
  assert.deepEqual(ranks.slice(0, 3), ['1', '2', '3']);
  await page.getByRole('button', { name: 'Next →' }).click();
  await page.getByText('page 2').waitFor();
  assert.equal(await lb.locator('tbody tr td:first-child').first().innerText(), '26', 'the second page by cursor');
  await checkAccessibility('leaderboard');
  await shoot('leaderboard');

  await page.goto(`${base}/#/candidates`);
  await page.getByLabel('Expertise').selectOption({ label: 'Dynamics CRM' });
  await page.getByLabel('From', { exact: true }).fill(period.from);
  await page.getByLabel('To', { exact: true }).fill(period.to);
  const cards = page.getByTestId('candidates').locator('li.card');
  await cards.first().waitFor();
  assert.equal(await cards.count(), 20);
  assert.match(await cards.first().innerText(), /By kind:.*Top spaces:/s, 'each candidate comes with reasons');
  await checkAccessibility('candidates');
  await shoot('candidates');

  await page.goto(`${base}/#/escalations`);
  await page.locator('.ticket').first().waitFor();
  assert.ok((await page.locator('.column').count()) === 4, 'a column per status');
  assert.ok((await page.locator('.ticket.late .badge.overdue').count()) > 0, 'overdue escalations stand out');
  await checkAccessibility('escalations');
  await shoot('escalations');

  await page.goto(`${base}/#/integrations`);
  const table = page.getByTestId('integrations');
  await table.waitFor();
  assert.equal(await table.locator('tbody tr').count(), 8, 'a row per platform');
  assert.match(await table.innerText(), /Bluesky/, 'Bluesky among them');
  assert.match(await table.innerText(), /off/, 'platforms without credentials are off');
  assert.match(await page.getByTestId('no-platform').innerText(), /Demo data: no platform is configured/);
  await checkAccessibility('integrations');
  await shoot('integrations');
});

test('candidates are people: each once, nominated from the card, then on the Nominations board', async () => {
  await page.goto(`${base}/#/candidates`);
  await page.getByLabel('Expertise').selectOption({ label: 'Dynamics CRM' });
  await page.getByLabel('From', { exact: true }).fill(period.from);
  await page.getByLabel('To', { exact: true }).fill(period.to);
  const cards = page.getByTestId('candidates').locator('li.card');
  await cards.first().waitFor();
  const people = await cards.evaluateAll((els) => els.map((e) => e.dataset.person));
  assert.equal(people.length, 20);
  assert.equal(new Set(people).size, people.length, 'no person is ranked twice');
  const several = await cards.filter({ hasText: /Known as:[^\n]* in [^\n]*, / }).count();
  assert.ok(several > 0, 'some people are known in several spaces');
  assert.equal(await page.locator('[data-testid="suggestions"]').count(), 0, 'suggestions are for admins');

  // The first candidate the program does not know yet, nominated for the US.
  const card = cards.filter({ hasText: 'not a member yet' }).filter({ has: page.getByRole('button', { name: 'Nominate' }) }).first();
  const person = await card.getAttribute('data-person');
  const name = (await card.locator('h2').innerText()).replace(/^\d+\.\s*/, '').trim();
  await card.getByRole('button', { name: 'Nominate' }).click();
  const form = card.getByRole('form', { name: `Nominate ${name}` });
  await form.getByLabel('Why').fill('Answers in the forum and on Stack Overflow every week.');
  await form.getByLabel('Country').fill('us');
  await checkAccessibility('nominate');
  await form.getByRole('button', { name: 'Nominate' }).click();
  await page.locator(`li.card[data-person="${person}"] .badge`, { hasText: 'nominated' }).waitFor();

  await page.goto(`${base}/#/nominations`);
  const nominated = page.getByTestId('nominations-NOMINATED').locator(`li[data-person="${person}"]`);
  await nominated.waitFor();
  assert.match(await nominated.innerText(), /Answers in the forum/);
  await checkAccessibility('nominations');
  await shoot('nominations');
  await nominated.getByRole('button', { name: 'Send to review' }).click();
  await page.getByTestId('nominations-UNDER_REVIEW').locator(`li[data-person="${person}"]`).waitFor();
  assert.equal(await page.getByTestId('nominations-NOMINATED').locator(`li[data-person="${person}"]`).count(), 0, 'moved, not copied');
});

test('an admin merges people the page suggests as one', async () => {
  const out = execFileSync(join(dir, 'mvpgraph'), ['token', 'create', '--role', 'ADMIN', '--name', 'program office'], {
    env: { ...process.env, MVPGRAPH_DATABASE_URL: `sqlite:${join(dir, 'demo.db')}` },
    encoding: 'utf8',
  });
  const admin = out.trim().split('\n').pop().trim();
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'UTC' });
  const p = await ctx.newPage();
  try {
    await p.goto(`${base}/#/signin`);
    await p.getByLabel('API token').fill(admin);
    await p.getByRole('button', { name: 'Sign in' }).click();
    await p.locator('header').getByText('ADMIN').waitFor();
    await p.goto(`${base}/#/candidates`);
    await p.getByLabel('Expertise').selectOption({ label: 'Dynamics CRM' });
    await p.getByLabel('From', { exact: true }).fill(period.from);
    await p.getByLabel('To', { exact: true }).fill(period.to);
    const list = p.getByTestId('suggestions').locator('li');
    await list.first().waitFor();
    const pair = (await list.first().innerText()).split('\n')[0];
    await list.first().getByRole('button', { name: 'Merge' }).click();
    // The list loads again without the pair (another may take its place).
    await p.waitForFunction(
      (text) => {
        const items = [...document.querySelectorAll('[data-testid="suggestions"] li')];
        return !document.querySelector('.suggestions .loading') && !items.some((li) => li.innerText.split('\n')[0] === text);
      },
      pair,
    );
    assert.equal(await p.getByRole('alert').count(), 0, 'the merge went through');
  } finally {
    await ctx.close();
  }
});

test('a lead acts from the page: links an account, raises a question, and moves it across the board', async () => {
  await page.goto(`${base}/#/mvps`);
  const first = page.getByTestId('mvp-table').locator('tbody tr th a').first();
  await first.click();
  const name = (await page.locator('h1').innerText()).split('@')[0].trim();

  // An account linked from a pasted profile address.
  const link = page.getByRole('form', { name: 'Link an account' });
  await link.getByLabel('Platform').selectOption('GITHUB');
  await link.getByLabel('Handle or profile address').fill('https://github.com/e2e-linked-login?tab=repositories');
  await link.getByRole('button', { name: 'Link account' }).click();
  await page.getByRole('region', { name: /GitHub account e2e-linked-login/ }).waitFor();
  // A Bluesky account, pasted as its bsky.app profile address.
  await link.getByLabel('Platform').selectOption('BLUESKY');
  await link.getByLabel('Handle or profile address').fill('https://bsky.app/profile/E2E-Linked.bsky.social');
  await link.getByRole('button', { name: 'Link account' }).click();
  await page.getByRole('region', { name: /Bluesky account e2e-linked\.bsky\.social/ }).waitFor();

  // A question raised from the profile.
  await page.getByText(`Raise a question for ${name}`).click();
  const raise = page.getByRole('form', { name: 'Raise a question' });
  await raise.getByLabel('Question in a line').fill('Raised from the page in a test');
  await raise.getByLabel('The question in full').fill('The sync fails since the last update.');
  await checkAccessibility('profile with its forms');
  await raise.getByRole('button', { name: 'Raise' }).click();
  await page.getByText('Raised from the page in a test').waitFor();

  // Across the board: escalated, answered, closed, each move recorded.
  await page.goto(`${base}/#/escalations`);
  const ticket = (status) => page.locator(`#col-${status}`).locator('xpath=..').locator('li.ticket', { hasText: 'Raised from the page in a test' });
  await ticket('OPEN').waitFor();
  await ticket('OPEN').getByRole('button', { name: 'Escalate…' }).click();
  await ticket('OPEN').getByRole('button', { name: 'Escalate', exact: true }).click();
  await ticket('ESCALATED').waitFor();
  await ticket('ESCALATED').getByRole('button', { name: 'Answer…' }).click();
  await ticket('ESCALATED').getByLabel('Answer', { exact: true }).fill('Fixed in the next update.');
  await ticket('ESCALATED').getByRole('button', { name: 'Record the answer' }).click();
  await ticket('ANSWERED').waitFor();
  await ticket('ANSWERED').getByRole('button', { name: 'Close' }).click();
  const closed = ticket('CLOSED');
  await closed.waitFor();
  await closed.getByText('4 moves').click();
  const moves = await closed.locator('details li').allInnerTexts();
  assert.deepEqual(moves.map((m) => m.split(' by ')[0]), ['raise', 'escalate', 'answer', 'close']);
  assert.ok(moves.every((m) => m.includes("page")), 'each move records the token that made it');
  await checkAccessibility('escalations with moves');
});

test('every page is accessible 390 px wide, a wide table saying it scrolls', async () => {
  const narrow = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'UTC' });
  await narrow.addInitScript((t) => sessionStorage.setItem('mvpgraph.token', t), token);
  const p = await narrow.newPage();
  const saved = page;
  page = p;
  try {
    for (const [path, ready] of [
      ['mvps', '[data-testid="mvp-table"]'],
      ['leaderboard', '[data-testid="leaderboard"]'],
      ['trends', '[data-chart="pareto"] canvas'],
      ['candidates', '[data-testid="candidates"]'],
      ['nominations', '.column'],
      ['escalations', '.ticket'],
      ['integrations', '[data-testid="integrations"]'],
    ]) {
      await p.goto(`${base}/#/${path}`);
      await p.locator(ready).first().waitFor();
      // A table wider than the screen scrolls in its frame, which says so.
      const hints = await p.evaluate(() =>
        [...document.querySelectorAll('.table-wrap')]
          .filter((w) => w.scrollWidth > w.clientWidth + 1)
          .map((w) => getComputedStyle(w, '::before').content),
      );
      for (const h of hints) assert.match(h, /Scroll sideways/, `${path}: a wide table says it scrolls`);
      await checkAccessibility(`${path} at 390 px`);
    }
    await p.goto(`${base}/#/mvps`);
    await p.locator('[data-testid="mvp-table"]').waitFor();
    await p.screenshot({ path: join(shots, 'my-mvps-390.png') });
  } finally {
    page = saved;
    await narrow.close();
  }
});

test('GraphiQL: the token masked, a way back, and a subscription answered over its WebSocket', async () => {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await ctx.addInitScript((t) => sessionStorage.setItem('mvpgraph.token', t), token);
  const p = await ctx.newPage();
  try {
    // One of the lead's MVPs, and an expertise of theirs.
    const { viewer } = await graphql(`{ viewer { lead { id } } }`, {}, token);
    const { node } = await graphql(
      `query ($lead: ID!) { node(id: $lead) { ... on Lead { expertises { id } mvps(first: 1) { edges { node { id awards { status expertise { id } } } } } } } }`,
      { lead: viewer.lead.id },
      token,
    );
    const mvp = node.mvps.edges[0].node;
    // An expertise of the lead's: the question is routed to them.
    const mine = new Set(node.expertises.map((e) => e.id));
    const expertise = mvp.awards.find((a) => a.status === 'ACTIVE' && mine.has(a.expertise.id)).expertise.id;
    const subscription = `subscription { escalationUpdated(leadId: "${viewer.lead.id}") { title status } }`;
    await p.goto(`${base}/graphiql?query=${encodeURIComponent(subscription)}`);
    await p.locator('.graphiql-query-editor .CodeMirror-code').getByText('escalationUpdated').first().waitFor();
    assert.ok(!(await p.content()).includes(token), 'the token is nowhere on the page');
    assert.equal(await p.getByRole('link', { name: /The leads' page/ }).getAttribute('href'), '/');
    await p.getByRole('button', { name: /Execute query/ }).click();
    // Questions raised until one comes through: the console connects its
    // WebSocket, and the server polls for changes, in their own time.
    const seen = () => p.evaluate(() => /Asked while GraphiQL listens/.test(document.querySelector('.result-window')?.textContent ?? ''));
    for (let i = 0; i < 15 && !(await seen()); i++) {
      await graphql(`mutation ($m: ID!, $e: ID!) { raiseEscalation(input: {memberId: $m, expertiseId: $e, title: "Asked while GraphiQL listens", body: "B"}) { escalation { id } } }`, { m: mvp.id, e: expertise }, token);
      await p.waitForTimeout(2000);
    }
    assert.ok(await seen(), `the subscription answered in the result pane: ${await p.locator('.result-window').innerText()}`);
  } finally {
    await ctx.close();
  }
});

test('GraphiQL runs a query with no network but the server', async () => {
  const offline = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const elsewhere = [];
  await offline.route('**/*', (route) => {
    const url = new URL(route.request().url());
    if (url.origin === base) return route.continue();
    elsewhere.push(url.href);
    return route.abort('internetdisconnected');
  });
  const p = await offline.newPage();
  const errors = [];
  p.on('pageerror', (e) => errors.push(e.message));
  await p.goto(`${base}/graphiql`);
  // The query editor holds the starting query once GraphiQL has loaded.
  await p.locator('.graphiql-query-editor .CodeMirror-code').getByText('mvps').first().waitFor();
  await p.getByRole('button', { name: /Execute query/ }).click();
  const result = p.locator('.result-window');
  try {
    await p.waitForFunction(() => /"handle"/.test(document.querySelector('.result-window')?.textContent ?? ''), null, { timeout: 15000 });
  } catch (e) {
    await p.screenshot({ path: join(dir, 'graphiql-failed.png') });
    throw new Error(`no answer in GraphiQL's result pane: ${await result.innerText()}`, { cause: e });
  }
  assert.deepEqual(elsewhere, [], 'GraphiQL asked for nothing outside the server');
  assert.deepEqual(errors, []);
  await p.screenshot({ path: join(shots, 'graphiql.png') });
  await offline.close();
});
