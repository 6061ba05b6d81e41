import { gql } from '../api';
import { Empty, Loaded, num, platformName, useLoad } from '../ui';

interface Integration {
  platform: string;
  enabled: boolean;
  intervalSeconds: number;
  accounts: number;
  due: number;
  lastRunAt: string | null;
  quotaLimit: number | null;
  quotaRemaining: number | null;
  quotaReset: string | null;
  pausedUntil: string | null;
  lastError: string | null;
}

const integrationsQuery = `query Integrations {
  integrations { platform enabled intervalSeconds accounts due lastRunAt quotaLimit quotaRemaining quotaReset pausedUntil lastError }
}`;

const when = (t: string | null) => (t ? new Date(t).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC' : '—');

export function Integrations() {
  const [load, reload] = useLoad((signal) => gql<{ integrations: Integration[] }>(integrationsQuery, {}, signal), []);
  return (
    <section aria-labelledby="int-title">
      <h1 id="int-title">Integrations</h1>
      <p class="muted">Each platform’s sync: switched on or off, what its API last said about the quota, and the last error.</p>
      <Loaded load={load} what="integrations" retry={reload}>
        {({ integrations }) =>
          integrations.length === 0 ? (
            <Empty>No platform is configured.</Empty>
          ) : integrations.every((i) => !i.enabled) ? (
            <>
              <p class="state empty" role="status" data-testid="no-platform">
                Demo data: no platform is configured, so no account is synced. The accounts keep the reach they were loaded with, marked frozen, which is
                no fault of theirs. Give a platform its token (MVPGRAPH_&lt;PLATFORM&gt;_TOKEN) to sync it.
              </p>
              <IntegrationsTable integrations={integrations} />
            </>
          ) : (
            <IntegrationsTable integrations={integrations} />
          )
        }
      </Loaded>
    </section>
  );
}

function IntegrationsTable({ integrations }: { integrations: Integration[] }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="A table: scroll sideways for more columns">
      <table class="data" data-testid="integrations">
        <thead>
          <tr>
            <th scope="col">Platform</th>
            <th scope="col">Sync</th>
            <th scope="col" class="num">Accounts</th>
            <th scope="col" class="num">Due</th>
            <th scope="col">Last run</th>
            <th scope="col">Quota left</th>
            <th scope="col">Resets</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {integrations.map((i) => (
            <tr key={i.platform}>
              <th scope="row">{platformName[i.platform] ?? i.platform}</th>
              <td>
                {i.enabled ? <span class="badge status-active">on</span> : <span class="badge status-frozen">off</span>} every {Math.round(i.intervalSeconds / 3600)} h
                {i.pausedUntil ? <span class="badge status-error">paused until {when(i.pausedUntil)}</span> : null}
              </td>
              <td class="num">{num(i.accounts)}</td>
              <td class="num">{num(i.due)}</td>
              <td>{when(i.lastRunAt)}</td>
              <td>{i.quotaRemaining == null ? '—' : `${num(i.quotaRemaining)}${i.quotaLimit != null ? ` of ${num(i.quotaLimit)}` : ''}`}</td>
              <td>{when(i.quotaReset)}</td>
              <td>{i.lastError ? <span class="error-text">{i.lastError}</span> : <span class="muted">none</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
