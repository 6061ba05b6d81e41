import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

// Charts are uPlot canvases inside a figure: the figure names the chart for
// screen readers, and a table of the same numbers sits beside it.

const palette = ['#1f5fa8', '#b4490f', '#2a7a3b', '#7a3fa0', '#a1264b', '#4d5b6b', '#8a6d00'];

function useChart(make: (width: number) => uPlot.Options, data: uPlot.AlignedData, deps: unknown[]) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(320, el.clientWidth);
    const chart = new uPlot(make(width), data, el);
    const ro = new ResizeObserver(() => chart.setSize({ width: Math.max(320, el.clientWidth), height: chart.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      chart.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return box;
}

function Figure({ label, caption, children, table }: { label: string; caption: string; children: ComponentChildren; table: ComponentChildren }) {
  return (
    <figure class="chart">
      <div role="img" aria-label={label}>
        {children}
      </div>
      <figcaption>{caption}</figcaption>
      <details>
        <summary>The numbers</summary>
        {table}
      </details>
    </figure>
  );
}

const dayAxis: uPlot.Axis = { stroke: '#333', grid: { stroke: '#e4e4e4' }, ticks: { stroke: '#ccc' } };

/** Followers per day, one line per account. */
export function ReachChart({ days, series, label }: { days: string[]; series: { name: string; values: (number | null)[] }[]; label: string }) {
  const xs = days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
  const data = [xs, ...series.map((s) => s.values)] as uPlot.AlignedData;
  const box = useChart(
    (width) => ({
      width,
      height: 260,
      scales: { x: { time: true } },
      axes: [dayAxis, { ...dayAxis, size: 70, values: (_u, v) => v.map((x) => Intl.NumberFormat('en', { notation: 'compact' }).format(x)) }],
      series: [{}, ...series.map((s, i) => ({ label: s.name, stroke: palette[i % palette.length], width: 2, spanGaps: true }))],
    }),
    data,
    [JSON.stringify(days), JSON.stringify(series)],
  );
  return (
    <Figure
      label={label}
      caption={`${label}, ${days[0]} to ${days[days.length - 1]}`}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Account</th>
              <th scope="col">First</th>
              <th scope="col">Last</th>
            </tr>
          </thead>
          <tbody>
            {series.map((s) => {
              const vals = s.values.filter((v): v is number => v != null);
              return (
                <tr key={s.name}>
                  <th scope="row">{s.name}</th>
                  <td>{vals[0] ?? '—'}</td>
                  <td>{vals[vals.length - 1] ?? '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      }
    >
      <div ref={box} class="chart-box" data-chart="reach" />
    </Figure>
  );
}

/**
 * A Pareto chart: spaces as bars by activity, most first, the cumulative
 * share as a line on the right axis, with the 50 % and 80 % marks.
 */
export function ParetoChart({ spaces }: { spaces: { name: string; count: number; cumulativeShare: number }[] }) {
  const xs = spaces.map((_, i) => i + 1);
  const counts = spaces.map((s) => s.count);
  const cum = spaces.map((s) => s.cumulativeShare * 100);
  const data = [xs, counts, cum, xs.map(() => 50), xs.map(() => 80)] as uPlot.AlignedData;
  const box = useChart(
    (width) => ({
      width,
      height: 300,
      scales: { x: { time: false, range: [0.5, spaces.length + 0.5] }, y: { range: [0, Math.max(1, ...counts) * 1.05] }, pct: { range: [0, 100] } },
      axes: [
        { ...dayAxis, label: 'Spaces, most active first', values: (_u, v) => v.map((x) => (Number.isInteger(x) ? String(x) : '')) },
        { ...dayAxis, label: 'Activity', size: 60 },
        { ...dayAxis, scale: 'pct', side: 1, label: 'Cumulative share', grid: { show: false }, values: (_u, v) => v.map((x) => `${x} %`) },
      ],
      series: [
        { label: 'Rank' },
        { label: 'Activity', scale: 'y', fill: 'rgba(31,95,168,0.55)', stroke: '#1f5fa8', paths: uPlot.paths.bars!({ size: [0.7, 60] }), points: { show: false } },
        { label: 'Cumulative share', scale: 'pct', stroke: '#b4490f', width: 2, value: (_u, v) => (v == null ? '' : `${v.toFixed(1)} %`) },
        { label: '50 %', scale: 'pct', stroke: '#555', dash: [6, 4], width: 1, points: { show: false } },
        { label: '80 %', scale: 'pct', stroke: '#555', dash: [2, 4], width: 1, points: { show: false } },
      ],
    }),
    data,
    [JSON.stringify(spaces)],
  );
  return (
    <Figure
      label="Pareto chart of activity by space"
      caption="Spaces as bars by activity, the cumulative share as a line; dashed lines mark 50 % and 80 %."
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Space</th>
              <th scope="col">Activity</th>
              <th scope="col">Cumulative share</th>
            </tr>
          </thead>
          <tbody>
            {spaces.map((s, i) => (
              <tr key={s.name}>
                <td>{i + 1}</td>
                <th scope="row">{s.name}</th>
                <td>{s.count}</td>
                <td>{(s.cumulativeShare * 100).toFixed(1)} %</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div ref={box} class="chart-box" data-chart="pareto" />
    </Figure>
  );
}

/** Each space's answer rate as bars and its median time to first answer as a line, in the Pareto chart's order. */
export function NeedsChart({ spaces }: { spaces: { name: string; answeredShare: number | null; medianHours: number | null }[] }) {
  const xs = spaces.map((_, i) => i + 1);
  const rates = spaces.map((s) => (s.answeredShare == null ? null : s.answeredShare * 100));
  const hours = spaces.map((s) => s.medianHours);
  const data = [xs, rates, hours] as uPlot.AlignedData;
  const box = useChart(
    (width) => ({
      width,
      height: 260,
      scales: { x: { time: false, range: [0.5, spaces.length + 0.5] }, y: { range: [0, 100] }, h: { range: [0, Math.max(1, ...hours.map((h) => h ?? 0)) * 1.1] } },
      axes: [
        { ...dayAxis, label: 'Spaces, most active first', values: (_u, v) => v.map((x) => (Number.isInteger(x) ? String(x) : '')) },
        { ...dayAxis, label: 'Questions answered', size: 60, values: (_u, v) => v.map((x) => `${x} %`) },
        { ...dayAxis, scale: 'h', side: 1, label: 'Median hours to a first answer', grid: { show: false } },
      ],
      series: [
        { label: 'Rank' },
        { label: 'Answered', scale: 'y', fill: 'rgba(26,127,55,0.5)', stroke: '#1a7f37', paths: uPlot.paths.bars!({ size: [0.7, 60] }), points: { show: false } },
        { label: 'Median hours', scale: 'h', stroke: '#b4490f', width: 2, spanGaps: true },
      ],
    }),
    data,
    [JSON.stringify(spaces)],
  );
  return (
    <Figure
      label="Questions answered and time to a first answer by space"
      caption="Spaces in the Pareto chart's order: the share of their questions answered as bars, the median hours to a first answer as a line."
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">Rank</th>
              <th scope="col">Space</th>
              <th scope="col">Answered</th>
              <th scope="col">Median hours</th>
            </tr>
          </thead>
          <tbody>
            {spaces.map((s, i) => (
              <tr key={s.name}>
                <td>{i + 1}</td>
                <th scope="row">{s.name}</th>
                <td>{s.answeredShare == null ? '—' : `${(s.answeredShare * 100).toFixed(0)} %`}</td>
                <td>{s.medianHours == null ? '—' : s.medianHours.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div ref={box} class="chart-box" data-chart="needs" />
    </Figure>
  );
}

/** Activity per week or month. */
export function SeriesChart({ points, bucket }: { points: { start: string; count: number }[]; bucket: string }) {
  const xs = points.map((p) => Date.parse(`${p.start}T00:00:00Z`) / 1000);
  const data = [xs, points.map((p) => p.count)] as uPlot.AlignedData;
  const box = useChart(
    (width) => ({
      width,
      height: 220,
      scales: { x: { time: true } },
      axes: [dayAxis, { ...dayAxis, size: 60 }],
      series: [{}, { label: 'Activity', stroke: '#2a7a3b', fill: 'rgba(42,122,59,0.15)', width: 2 }],
    }),
    data,
    [JSON.stringify(points)],
  );
  const per = bucket === 'MONTH' ? 'month' : 'week';
  return (
    <Figure
      label={`Activity per ${per}`}
      caption={`Activity per ${per}, empty ${per}s included.`}
      table={
        <table>
          <thead>
            <tr>
              <th scope="col">{bucket === 'MONTH' ? 'Month' : 'Week of'}</th>
              <th scope="col">Activity</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.start}>
                <td>{p.start}</td>
                <td>{p.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      }
    >
      <div ref={box} class="chart-box" data-chart="series" />
    </Figure>
  );
}
