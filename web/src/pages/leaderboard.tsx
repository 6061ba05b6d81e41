import { useState } from 'preact/hooks';
import { allPages, gql, type Connection } from '../api';
import { Empty, Field, Loaded, Pager, num, platformName, signed, useCursors, useLoad } from '../ui';

interface Entry {
  rank: number;
  followers: number;
  growth: number;
  member: { id: string; handle: string; name: string; country: string };
}

const leaderboardQuery = `query Leaderboard($where: LeaderboardWhere, $order: LeaderboardOrder, $days: Int, $after: String) {
  reachLeaderboard(where: $where, orderBy: $order, days: $days, first: 25, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { rank followers growth member { id handle name country } } }
  }
}`;

const choicesQuery = `query Choices($after: String) {
  expertises(first: 100, after: $after, orderBy: [{field: NAME}]) {
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}`;

export interface Named {
  id: string;
  name: string;
}

/** Every expertise, by cursor, for the filters' choices. */
export function useExpertises() {
  return useLoad((signal) => allPages((after) => gql<{ expertises: Connection<Named> }>(choicesQuery, { after }, signal).then((d) => d.expertises)), []);
}

export function Leaderboard() {
  const [expertises] = useExpertises();
  const [expertiseId, setExpertise] = useState('');
  const [country, setCountry] = useState('');
  const [platform, setPlatform] = useState('');
  const [isMvp, setIsMvp] = useState('true');
  const [order, setOrder] = useState('FOLLOWERS');
  const [days, setDays] = useState(30);
  const countryOk = country === '' || /^[A-Za-z]{2}$/.test(country);
  const where = {
    ...(expertiseId ? { expertiseId } : {}),
    ...(country && countryOk ? { country: country.toUpperCase() } : {}),
    ...(platform ? { platform } : {}),
    isMvp: isMvp === 'true',
  };
  const key = JSON.stringify([where, order, days]);
  return (
    <section aria-labelledby="lb-title">
      <h1 id="lb-title">Reach leaderboard</h1>
      <form class="filters" aria-label="Leaderboard filters" onSubmit={(e) => e.preventDefault()}>
        <Field label="Expertise">
          <select value={expertiseId} onChange={(e) => setExpertise((e.target as HTMLSelectElement).value)}>
            <option value="">All expertises</option>
            {expertises.state === 'done' ? expertises.data.map((x) => <option key={x.id} value={x.id}>{x.name}</option>) : null}
          </select>
        </Field>
        <Field label="Country" hint={countryOk ? 'Two letters, such as US' : undefined}>
          <input value={country} maxLength={2} size={4} onInput={(e) => setCountry((e.target as HTMLInputElement).value)} aria-invalid={!countryOk} aria-describedby={countryOk ? undefined : 'country-error'} />
        </Field>
        {!countryOk ? (
          <p id="country-error" class="field-error" role="alert">
            A country is two letters (ISO 3166-1), such as US or DE.
          </p>
        ) : null}
        <Field label="Platform">
          <select value={platform} onChange={(e) => setPlatform((e.target as HTMLSelectElement).value)}>
            <option value="">All platforms</option>
            {Object.entries(platformName).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Members">
          <select value={isMvp} onChange={(e) => setIsMvp((e.target as HTMLSelectElement).value)}>
            <option value="true">MVPs</option>
            <option value="false">Others (alumni, candidates)</option>
          </select>
        </Field>
        <Field label="Rank by">
          <select value={order} onChange={(e) => setOrder((e.target as HTMLSelectElement).value)}>
            <option value="FOLLOWERS">Followers</option>
            <option value="GROWTH">Growth</option>
          </select>
        </Field>
        <Field label="Growth over (days)">
          <input type="number" min={1} max={365} value={days} onInput={(e) => setDays(Math.min(365, Math.max(1, Number((e.target as HTMLInputElement).value) || 30)))} />
        </Field>
      </form>
      <Ranking key={key} where={where} order={order} days={days} />
    </section>
  );
}

function Ranking({ where, order, days }: { where: Record<string, unknown>; order: string; days: number }) {
  const cursors = useCursors();
  const [load, reload] = useLoad((signal) => gql<{ reachLeaderboard: Connection<Entry> }>(leaderboardQuery, { where, order, days, after: cursors.after }, signal), [cursors.after]);
  return (
    <Loaded load={load} what="the ranking" retry={reload}>
      {({ reachLeaderboard: lb }) =>
        lb.edges.length === 0 ? (
          <Empty>No one ranks with these filters: widen them (all expertises, no country, all platforms).</Empty>
        ) : (
          <>
            <p class="muted">
              {lb.totalCount} ranked · page {cursors.page}
            </p>
            <table class="data" data-testid="leaderboard">
              <thead>
                <tr>
                  <th scope="col">Rank</th>
                  <th scope="col">Member</th>
                  <th scope="col">Country</th>
                  <th scope="col" class="num">
                    Followers
                  </th>
                  <th scope="col" class="num">
                    Growth ({days} days)
                  </th>
                </tr>
              </thead>
              <tbody>
                {lb.edges.map(({ node: e }) => (
                  <tr key={e.member.id}>
                    <td>{e.rank}</td>
                    <th scope="row">
                      <a href={`#/mvp/${encodeURIComponent(e.member.handle)}`}>{e.member.name}</a>
                    </th>
                    <td>{e.member.country}</td>
                    <td class="num">{num(e.followers)}</td>
                    <td class="num">{signed(e.growth)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager label="Leaderboard" hasPrevious={cursors.page > 1} hasNext={lb.pageInfo.hasNextPage} onPrevious={cursors.previous} onNext={() => cursors.next(lb.pageInfo.endCursor)} />
          </>
        )
      }
    </Loaded>
  );
}
