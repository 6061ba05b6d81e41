import { useState } from 'preact/hooks';
import { gql } from '../api';
import { Empty, Field, Loaded, day, useLoad, webAddress } from '../ui';
import { useExpertises } from './leaderboard';
import { PeriodFields, usePeriod } from './trends';

interface Candidate {
  rank: number;
  name: string;
  handle: string;
  score: number;
  member: { handle: string; name: string; country: string } | null;
  countsByKind: { kind: string; count: number }[];
  topSpaces: { name: string; count: number }[];
  bestItems: { space: string; kind: string; occurredAt: string; title: string | null; url: string | null; score: number | null }[];
}

const candidatesQuery = `query Candidates($expertise: ID!, $country: String, $from: Time!, $to: Time!, $first: Int) {
  awardCandidates(expertiseId: $expertise, country: $country, from: $from, to: $to, first: $first) {
    rank name handle score
    member { handle name country }
    countsByKind { kind count }
    topSpaces { name count }
    bestItems { space kind occurredAt title url score }
  }
}`;

export function Candidates() {
  const [expertises] = useExpertises();
  const [expertise, setExpertise] = useState('');
  const [country, setCountry] = useState('');
  const [first, setFirst] = useState(20);
  const period = usePeriod(180);
  const countryOk = country === '' || /^[A-Za-z]{2}$/.test(country);
  return (
    <section aria-labelledby="cand-title">
      <h1 id="cand-title">Award candidates</h1>
      <p class="muted">Contributors ranked by the weighted score of their activity, current MVPs and employees left out.</p>
      <form class="filters" aria-label="Candidate filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Expertise">
          <select value={expertise} onChange={(e) => setExpertise((e.target as HTMLSelectElement).value)}>
            <option value="">Choose an expertise…</option>
            {expertises.state === 'done' ? expertises.data.map((x) => <option key={x.id} value={x.id}>{x.name}</option>) : null}
          </select>
        </Field>
        <Field label="Country" hint="Optional, two letters">
          <input value={country} maxLength={2} size={4} onInput={(e) => setCountry((e.target as HTMLInputElement).value)} aria-invalid={!countryOk} />
        </Field>
        <PeriodFields p={period} />
        <Field label="How many">
          <select value={first} onChange={(e) => setFirst(Number((e.target as HTMLSelectElement).value))}>
            {[10, 20, 50, 100].map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </Field>
      </form>
      {!countryOk ? (
        <p class="field-error" role="alert">
          A country is two letters (ISO 3166-1), such as US or DE.
        </p>
      ) : expertise && period.valid ? (
        <List expertise={expertise} country={country ? country.toUpperCase() : null} from={period.fromTime} to={period.toTime} first={first} />
      ) : (
        <Empty>Choose an expertise and a period to rank its contributors.</Empty>
      )}
    </section>
  );
}

function List(props: { expertise: string; country: string | null; from: string; to: string; first: number }) {
  const [load, reload] = useLoad((signal) => gql<{ awardCandidates: Candidate[] }>(candidatesQuery, props, signal), [props.expertise, props.country, props.from, props.to, props.first]);
  return (
    <Loaded load={load} what="candidates" retry={reload}>
      {({ awardCandidates: list }) =>
        list.length === 0 ? (
          <Empty>No contributor outside the program was active in this expertise’s spaces then: widen the period or drop the country.</Empty>
        ) : (
          <ol class="cards" data-testid="candidates">
            {list.map((c) => (
              <li key={`${c.rank}-${c.handle}`} class="card">
                <h2>
                  {c.rank}. {c.member ? <a href={`#/mvp/${encodeURIComponent(c.member.handle)}`}>{c.member.name}</a> : c.name} <span class="muted">{c.handle}</span>
                </h2>
                <p>
                  Score <strong>{c.score.toFixed(1)}</strong>
                  {c.member ? ` · member in ${c.member.country}` : ' · not a member yet'}
                </p>
                <p>
                  <span class="muted">By kind:</span> {c.countsByKind.map((k) => `${k.count} ${k.kind.toLowerCase()}`).join(', ')}
                </p>
                <p>
                  <span class="muted">Top spaces:</span> {c.topSpaces.map((s) => `${s.name} (${s.count})`).join(', ')}
                </p>
                <details>
                  <summary>Best items</summary>
                  <ul>
                    {c.bestItems.map((i, n) => (
                      <li key={n}>
                        {webAddress(i.url) ? (
                          <a href={webAddress(i.url)} rel="noreferrer noopener" target="_blank">
                            {i.title ?? i.kind}
                          </a>
                        ) : (
                          i.title ?? i.kind
                        )}{' '}
                        · {i.space} · {day(i.occurredAt)}
                        {i.score != null ? ` · score ${i.score}` : ''}
                      </li>
                    ))}
                  </ul>
                </details>
              </li>
            ))}
          </ol>
        )
      }
    </Loaded>
  );
}
