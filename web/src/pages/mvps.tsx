import { useMemo, useState } from 'preact/hooks';
import { allPages, gql, type Connection } from '../api';
import { useViewer } from '../session';
import { Empty, Field, Loaded, Sparkline, StaleBadge, StatusBadge, num, platformName, signed, useLoad } from '../ui';

interface Account {
  platform: string;
  status: string;
  staleness: { stale: boolean; ageSeconds: number | null };
  history: { date: string; followers: number | null }[];
}

interface Mvp {
  id: string;
  handle: string;
  name: string;
  country: string;
  awards: { status: string; expertise: { name: string } }[];
  reach: { total: number; growth: number };
  socialAccounts: Account[];
}

const mvpsQuery = `query LeadMvps($lead: ID!, $after: String, $since: Time) {
  node(id: $lead) {
    ... on Lead {
      mvps(first: 50, after: $after, orderBy: [{field: NAME}]) {
        totalCount
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
        edges { cursor node {
          id handle name country
          awards { status expertise { name } }
          reach { total growth(days: 30) }
          socialAccounts { platform status staleness { stale ageSeconds } history(from: $since) { date followers } }
        } }
      }
    }
  }
}`;

const leadsQuery = `query Leads($after: String) {
  leads(first: 100, after: $after, orderBy: [{field: KIND}, {field: NAME}]) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name kind } }
  }
}`;

interface Row extends Mvp {
  expertises: string[];
  problems: string[]; // account statuses that need someone: not found, suspended, failing
  stale: boolean;
  spark: number[];
}

/** The total followers per day over the accounts, each carried forward. */
function dailyTotal(accounts: Account[]): number[] {
  const days = [...new Set(accounts.flatMap((a) => a.history.map((h) => h.date)))].sort();
  const last = accounts.map(() => 0);
  const at = accounts.map((a) => new Map(a.history.map((h) => [h.date, h.followers])));
  return days.map((d) => {
    at.forEach((m, i) => {
      const v = m.get(d);
      if (v != null) last[i] = v;
    });
    return last.reduce((x, y) => x + y, 0);
  });
}

function toRow(m: Mvp): Row {
  return {
    ...m,
    expertises: m.awards.filter((a) => a.status === 'ACTIVE').map((a) => a.expertise.name),
    // FROZEN is no fault: its platform is switched off, its data kept.
    problems: [...new Set(m.socialAccounts.map((a) => a.status).filter((s) => s !== 'ACTIVE' && s !== 'FROZEN'))],
    stale: m.socialAccounts.some((a) => a.staleness.stale),
    spark: dailyTotal(m.socialAccounts),
  };
}

type SortKey = 'name' | 'country' | 'reach' | 'growth';
const columns: { key: SortKey | null; title: string }[] = [
  { key: 'name', title: 'Name' },
  { key: 'country', title: 'Country' },
  { key: null, title: 'Expertises' },
  { key: 'reach', title: 'Total reach' },
  { key: 'growth', title: '30-day growth' },
  { key: null, title: 'Accounts' },
];

function LeadPicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const [leads] = useLoad((signal) => allPages((after) => gql<{ leads: Connection<{ id: string; name: string; kind: string }> }>(leadsQuery, { after }, signal).then((d) => d.leads)), []);
  return (
    <Loaded load={leads} what="leads">
      {(list) => (
        <Field label="Lead">
          <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
            <option value="">Choose a lead…</option>
            {list.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name} ({l.kind === 'US' ? 'US' : 'international'})
              </option>
            ))}
          </select>
        </Field>
      )}
    </Loaded>
  );
}

export function MyMvps() {
  const viewer = useViewer();
  const [picked, setPicked] = useState(() => sessionStorage.getItem('mvpgraph.lead') ?? '');
  const leadId = viewer?.lead?.id ?? picked;
  return (
    <section aria-labelledby="mvps-title">
      <h1 id="mvps-title">{viewer?.lead ? 'My MVPs' : 'A lead’s MVPs'}</h1>
      {viewer?.lead ? null : (
        <LeadPicker
          value={picked}
          onChange={(id) => {
            sessionStorage.setItem('mvpgraph.lead', id);
            setPicked(id);
          }}
        />
      )}
      {leadId ? <MvpTable key={leadId} leadId={leadId} /> : <Empty>Choose a lead to see the MVPs the lead rule gives them.</Empty>}
    </section>
  );
}

function MvpTable({ leadId }: { leadId: string }) {
  const [progress, setProgress] = useState<[number, number | undefined]>([0, undefined]);
  const since = useMemo(() => new Date(Date.now() - 30 * 86400e3).toISOString(), []);
  const [load, reload] = useLoad(
    (signal) =>
      allPages(
        (after) =>
          gql<{ node: { mvps: Connection<Mvp> } | null }>(mvpsQuery, { lead: leadId, after, since }, signal).then((d) => {
            if (!d.node) throw new Error('That lead no longer exists: choose another.');
            return d.node.mvps;
          }),
        (n, total) => setProgress([n, total]),
      ).then((ms) => ms.map(toRow)),
    [leadId],
  );
  if (load.state === 'loading' && progress[1] != null)
    return (
      <p class="state loading" role="status" aria-live="polite">
        <span class="spinner" aria-hidden="true"></span> Loading MVPs… {progress[0]} of {progress[1]}
      </p>
    );
  return (
    <Loaded load={load} what="MVPs" retry={reload}>
      {(rows) => <Table rows={rows} />}
    </Loaded>
  );
}

function Table({ rows }: { rows: Row[] }) {
  const [sort, setSort] = useState<{ key: SortKey; dir: 1 | -1 }>({ key: 'name', dir: 1 });
  const [text, setText] = useState('');
  const [country, setCountry] = useState('');
  const [onlyProblems, setOnlyProblems] = useState(false);
  const countries = useMemo(() => [...new Set(rows.map((r) => r.country))].sort(), [rows]);
  const shown = useMemo(() => {
    const q = text.trim().toLowerCase();
    const list = rows.filter(
      (r) =>
        (!q || r.name.toLowerCase().includes(q) || r.handle.includes(q) || r.expertises.some((e) => e.toLowerCase().includes(q))) &&
        (!country || r.country === country) &&
        (!onlyProblems || r.problems.length > 0 || r.stale),
    );
    const val = (r: Row): string | number => (sort.key === 'reach' ? r.reach.total : sort.key === 'growth' ? r.reach.growth : sort.key === 'country' ? r.country : r.name);
    return list.sort((a, b) => {
      const x = val(a);
      const y = val(b);
      const c = typeof x === 'number' ? x - (y as number) : x.localeCompare(y as string);
      return (c || a.name.localeCompare(b.name)) * sort.dir;
    });
  }, [rows, sort, text, country, onlyProblems]);

  if (rows.length === 0) return <Empty>This lead has no MVPs yet: MVPs appear here once they hold an active award in the lead’s expertises or countries.</Empty>;
  return (
    <>
      <div class="filters" role="search" aria-label="Filter MVPs">
        <Field label="Search">
          <input type="search" value={text} size={28} placeholder="name, handle or expertise" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="Country">
          <select value={country} onChange={(e) => setCountry((e.target as HTMLSelectElement).value)}>
            <option value="">All countries</option>
            {countries.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </Field>
        <label class="check">
          <input type="checkbox" checked={onlyProblems} onChange={(e) => setOnlyProblems((e.target as HTMLInputElement).checked)} /> Only accounts needing attention
        </label>
      </div>
      <p class="muted" aria-live="polite">
        {shown.length} of {rows.length} MVPs
      </p>
      {shown.length === 0 ? (
        <Empty>No MVP matches these filters: clear the search or pick another country.</Empty>
      ) : (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="A table: scroll sideways for more columns">
          <table class="data" data-testid="mvp-table">
            <thead>
              <tr>
                {columns.map((c) => (
                  <th key={c.title} scope="col" aria-sort={c.key && sort.key === c.key ? (sort.dir === 1 ? 'ascending' : 'descending') : undefined}>
                    {c.key ? (
                      <button
                        type="button"
                        class="sort"
                        onClick={() => setSort((s) => (s.key === c.key ? { key: c.key!, dir: (s.dir * -1) as 1 | -1 } : { key: c.key!, dir: c.key === 'reach' || c.key === 'growth' ? -1 : 1 }))}
                      >
                        {c.title}
                        <span aria-hidden="true">{sort.key === c.key ? (sort.dir === 1 ? ' ▲' : ' ▼') : ' ↕'}</span>
                      </button>
                    ) : (
                      c.title
                    )}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {shown.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={`#/mvp/${encodeURIComponent(r.handle)}`}>{r.name}</a>
                  </th>
                  <td>{r.country}</td>
                  <td>{r.expertises.join(', ') || <span class="muted">none active</span>}</td>
                  <td class="num">{num(r.reach.total)}</td>
                  <td class="num growth">
                    <span class={r.reach.growth > 0 ? 'up' : r.reach.growth < 0 ? 'down' : ''}>{signed(r.reach.growth)}</span>{' '}
                    <Sparkline values={r.spark} label={`Followers of ${r.name} over 30 days, ${r.spark[0] ?? 0} to ${r.spark[r.spark.length - 1] ?? 0}`} />
                  </td>
                  <td>
                    {r.socialAccounts.length === 0 ? <span class="muted">none linked</span> : `${r.socialAccounts.length} `}
                    {r.problems.map((p) => (
                      <StatusBadge key={p} status={p} />
                    ))}
                    {r.stale ? <StaleBadge /> : null}
                    <span class="sr-only">{r.socialAccounts.map((a) => platformName[a.platform]).join(', ')}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
