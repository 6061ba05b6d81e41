import { useState } from 'preact/hooks';
import { gql } from '../api';
import { ParetoChart, SeriesChart } from '../charts';
import { Empty, Field, Loaded, num, pct, useLoad } from '../ui';
import { useExpertises } from './leaderboard';

interface Trends {
  total: number;
  concentration: { spacesFor50: number; spacesFor80: number; top5Share: number; hhi: number };
  spaces: { space: { id: string; name: string; kind: string }; count: number; share: number; cumulativeShare: number; contributors: number; growth: number | null }[];
  series: { start: string; count: number }[];
}

const trendsQuery = `query Trends($expertise: ID!, $from: Time!, $to: Time!, $bucket: TrendBucket) {
  communityTrends(expertiseId: $expertise, from: $from, to: $to, bucket: $bucket) {
    total
    concentration { spacesFor50 spacesFor80 top5Share hhi }
    spaces { space { id name kind } count share cumulativeShare contributors growth }
    series { start count }
  }
}`;

const isoDay = (d: Date) => d.toISOString().slice(0, 10);

/** A period picker's state: from and to as YYYY-MM-DD, the last `days` days by default. */
export function usePeriod(days: number) {
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - days * 86400e3)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(from) && /^\d{4}-\d{2}-\d{2}$/.test(to) && from < to;
  return { from, to, setFrom, setTo, valid, fromTime: `${from}T00:00:00Z`, toTime: `${to}T23:59:59Z` };
}

export function PeriodFields({ p }: { p: ReturnType<typeof usePeriod> }) {
  return (
    <>
      <Field label="From">
        <input type="date" value={p.from} onChange={(e) => p.setFrom((e.target as HTMLInputElement).value)} aria-invalid={!p.valid} />
      </Field>
      <Field label="To">
        <input type="date" value={p.to} onChange={(e) => p.setTo((e.target as HTMLInputElement).value)} aria-invalid={!p.valid} />
      </Field>
      {!p.valid ? (
        <p class="field-error" role="alert">
          The period needs a start before its end.
        </p>
      ) : null}
    </>
  );
}

export function Trends() {
  const [expertises] = useExpertises();
  const [expertise, setExpertise] = useState('');
  const [bucket, setBucket] = useState('WEEK');
  const period = usePeriod(90);
  return (
    <section aria-labelledby="trends-title">
      <h1 id="trends-title">Community trends</h1>
      <p class="muted">Of the spaces where a product is discussed, which few hold most of the activity?</p>
      <form class="filters" aria-label="Trend filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Expertise">
          <select value={expertise} onChange={(e) => setExpertise((e.target as HTMLSelectElement).value)}>
            <option value="">Choose an expertise…</option>
            {expertises.state === 'done' ? expertises.data.map((x) => <option key={x.id} value={x.id}>{x.name}</option>) : null}
          </select>
        </Field>
        <PeriodFields p={period} />
        <Field label="Per">
          <select value={bucket} onChange={(e) => setBucket((e.target as HTMLSelectElement).value)}>
            <option value="WEEK">Week</option>
            <option value="MONTH">Month</option>
          </select>
        </Field>
      </form>
      {expertise && period.valid ? (
        <TrendView expertise={expertise} from={period.fromTime} to={period.toTime} bucket={bucket} />
      ) : (
        <Empty>Choose an expertise and a period to see where it is discussed.</Empty>
      )}
    </section>
  );
}

function TrendView({ expertise, from, to, bucket }: { expertise: string; from: string; to: string; bucket: string }) {
  const [load, reload] = useLoad((signal) => gql<{ communityTrends: Trends }>(trendsQuery, { expertise, from, to, bucket }, signal), [expertise, from, to, bucket]);
  return (
    <Loaded load={load} what="trends" retry={reload}>
      {({ communityTrends: t }) =>
        t.total === 0 ? (
          <Empty>No activity in this period: widen the dates, or pick an expertise with community spaces.</Empty>
        ) : (
          <>
            <dl class="figures" aria-label="Concentration">
              <div>
                <dt>Activity</dt>
                <dd>{num(t.total)}</dd>
              </div>
              <div>
                <dt>Spaces with activity</dt>
                <dd>{t.spaces.filter((s) => s.count > 0).length}</dd>
              </div>
              <div>
                <dt>Spaces holding 50 %</dt>
                <dd>{t.concentration.spacesFor50}</dd>
              </div>
              <div>
                <dt>Spaces holding 80 %</dt>
                <dd>{t.concentration.spacesFor80}</dd>
              </div>
              <div>
                <dt>Top-5 share</dt>
                <dd>{pct(t.concentration.top5Share)}</dd>
              </div>
              <div>
                <dt>HHI</dt>
                <dd title="Herfindahl-Hirschman index: 0 to 10,000">{Math.round(t.concentration.hhi)}</dd>
              </div>
            </dl>
            <h2>Spaces by activity</h2>
            <ParetoChart spaces={t.spaces.map((s) => ({ name: s.space.name, count: s.count, cumulativeShare: s.cumulativeShare }))} />
            <div class="table-wrap">
              <table class="data">
                <thead>
                  <tr>
                    <th scope="col">Space</th>
                    <th scope="col">Kind</th>
                    <th scope="col" class="num">Activity</th>
                    <th scope="col" class="num">Share</th>
                    <th scope="col" class="num">Cumulative</th>
                    <th scope="col" class="num">Contributors</th>
                    <th scope="col" class="num">Growth</th>
                  </tr>
                </thead>
                <tbody>
                  {t.spaces.map((s) => (
                    <tr key={s.space.id}>
                      <th scope="row">{s.space.name}</th>
                      <td>{s.space.kind.toLowerCase().replace('_', ' ')}</td>
                      <td class="num">{num(s.count)}</td>
                      <td class="num">{pct(s.share)}</td>
                      <td class="num">{pct(s.cumulativeShare)}</td>
                      <td class="num">{num(s.contributors)}</td>
                      <td class="num">{s.growth == null ? 'new' : `${s.growth > 0 ? '+' : ''}${pct(s.growth, 0)}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <h2>Over time</h2>
            <SeriesChart points={t.series} bucket={bucket} />
          </>
        )
      }
    </Loaded>
  );
}
