import { useState } from 'preact/hooks';
import { gql, type Connection } from '../api';
import { NeedsChart, ParetoChart, SeriesChart } from '../charts';
import { Empty, ErrorBox, Field, Loaded, Loading, day, num, pct, useLoad, usePagedList, webAddress } from '../ui';
import { useChosenExpertise, useExpertises } from './leaderboard';

interface Needs {
  questions: number;
  answered: number;
  answeredShare: number | null;
  acceptedShare: number | null;
  unanswered: number;
  medianFirstAnswerSeconds: number | null;
  p90FirstAnswerSeconds: number | null;
}

interface Trends {
  total: number;
  concentration: { spacesFor50: number; spacesFor80: number; top5Share: number; hhi: number };
  spaces: { space: { id: string; name: string; kind: string }; count: number; share: number; cumulativeShare: number; contributors: number; growth: number | null; needs: Needs }[];
  series: { start: string; count: number }[];
  needs: Needs;
}

const trendsQuery = `query Trends($expertise: ID!, $from: Time!, $to: Time!, $bucket: TrendBucket) {
  communityTrends(expertiseId: $expertise, from: $from, to: $to, bucket: $bucket) {
    total
    concentration { spacesFor50 spacesFor80 top5Share hhi }
    spaces { space { id name kind } count share cumulativeShare contributors growth needs { questions answered answeredShare acceptedShare unanswered medianFirstAnswerSeconds p90FirstAnswerSeconds } }
    series { start count }
    needs { questions answered answeredShare acceptedShare unanswered medianFirstAnswerSeconds p90FirstAnswerSeconds }
  }
}`;

interface Waiting {
  id: string;
  title: string | null;
  url: string | null;
  askedAt: string;
  waitingSeconds: number;
  space: { name: string };
}

const unansweredQuery = `query Unanswered($expertise: ID, $after: String) {
  unansweredQuestions(expertiseId: $expertise, first: 10, after: $after) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title url askedAt waitingSeconds space { name } } }
  }
}`;

/** A space answering fewer of its questions than this is marked. */
const answeredBelow = 0.5;

const hours = (s: number | null) => (s == null ? '—' : s < 3600 ? `${Math.round(s / 60)} min` : s < 172800 ? `${(s / 3600).toFixed(1)} h` : `${(s / 86400).toFixed(1)} days`);

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
  const [expertise, setExpertise] = useChosenExpertise();
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
            <div class="table-wrap" tabIndex={0} role="region" aria-label="A table: scroll sideways for more columns">
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
            <NeedsMet t={t} expertise={expertise} />
          </>
        )
      }
    </Loaded>
  );
}

/** Are customers' needs met? The period's questions: answered, how fast, and where they wait. */
function NeedsMet({ t, expertise }: { t: Trends; expertise: string }) {
  const asked = t.spaces.filter((s) => s.needs.questions > 0);
  return (
    <section aria-labelledby="needs-title" data-testid="needs">
      <h2 id="needs-title">Needs met</h2>
      {t.needs.questions === 0 ? (
        <Empty>No questions were asked in these spaces in the period: import questions and their answers (in_reply_to) to see how they are met.</Empty>
      ) : (
        <>
          <dl class="figures" aria-label="Questions">
            <div>
              <dt>Questions</dt>
              <dd>{num(t.needs.questions)}</dd>
            </div>
            <div>
              <dt>Answered</dt>
              <dd>{pct(t.needs.answeredShare)}</dd>
            </div>
            <div>
              <dt>Accepted answer</dt>
              <dd>{pct(t.needs.acceptedShare)}</dd>
            </div>
            <div>
              <dt>Median first answer</dt>
              <dd>{hours(t.needs.medianFirstAnswerSeconds)}</dd>
            </div>
            <div>
              <dt>90 % answered within</dt>
              <dd>{hours(t.needs.p90FirstAnswerSeconds)}</dd>
            </div>
            <div>
              <dt>Waiting</dt>
              <dd>{num(t.needs.unanswered)}</dd>
            </div>
          </dl>
          <NeedsChart
            spaces={asked.map((s) => ({
              name: s.space.name,
              answeredShare: s.needs.answeredShare,
              medianHours: s.needs.medianFirstAnswerSeconds == null ? null : s.needs.medianFirstAnswerSeconds / 3600,
            }))}
          />
          <div class="table-wrap" tabIndex={0} role="region" aria-label="A table: scroll sideways for more columns">
            <table class="data" data-testid="needs-table">
              <thead>
                <tr>
                  <th scope="col">Space</th>
                  <th scope="col" class="num">Questions</th>
                  <th scope="col" class="num">Answered</th>
                  <th scope="col" class="num">Accepted</th>
                  <th scope="col" class="num">Median first answer</th>
                  <th scope="col" class="num">90th percentile</th>
                  <th scope="col" class="num">Waiting</th>
                </tr>
              </thead>
              <tbody>
                {asked.map((s) => {
                  const low = s.needs.answeredShare != null && s.needs.answeredShare < answeredBelow;
                  return (
                    <tr key={s.space.id} class={low ? 'needs-help' : undefined}>
                      <th scope="row">
                        {s.space.name}
                        {low ? <span class="badge overdue">under {pct(answeredBelow, 0)} answered</span> : null}
                      </th>
                      <td class="num">{num(s.needs.questions)}</td>
                      <td class="num">{pct(s.needs.answeredShare, 0)}</td>
                      <td class="num">{pct(s.needs.acceptedShare, 0)}</td>
                      <td class="num">{hours(s.needs.medianFirstAnswerSeconds)}</td>
                      <td class="num">{hours(s.needs.p90FirstAnswerSeconds)}</td>
                      <td class="num">{num(s.needs.unanswered)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      )}
      <h3>Still waiting</h3>
      <Unanswered expertise={expertise} />
    </section>
  );
}

function Unanswered({ expertise }: { expertise: string }) {
  const { load, reload, items, next, loadMore } = usePagedList(
    (after, signal) => gql<{ unansweredQuestions: Connection<Waiting> }>(unansweredQuery, { expertise, after }, signal).then((d) => d.unansweredQuestions),
    [expertise],
  );
  if (load.state === 'loading') return <Loading what="the questions waiting" />;
  if (load.state === 'error') return <ErrorBox error={load.error} retry={reload} />;
  return (
    <>
      {items.length === 0 ? (
        <Empty>No question waits past the threshold.</Empty>
      ) : (
        <ol class="plain" data-testid="unanswered">
          {items.map((q) => (
            <li key={q.id}>
              {webAddress(q.url) ? (
                <a href={webAddress(q.url)} rel="noreferrer noopener" target="_blank">
                  {q.title ?? 'A question'}
                </a>
              ) : (
                (q.title ?? 'A question')
              )}{' '}
              <span class="muted small">
                in {q.space.name} · asked {day(q.askedAt)} · waiting {hours(q.waitingSeconds)}
              </span>
            </li>
          ))}
        </ol>
      )}
      {next.error ? <ErrorBox error={next.error} /> : null}
      {next.cursor ? (
        <button type="button" onClick={loadMore} disabled={next.loading}>
          {next.loading ? 'Loading…' : 'More waiting questions'}
        </button>
      ) : null}
    </>
  );
}
