import { useEffect, useState } from 'preact/hooks';
import { allPages, gql, type Connection } from '../api';
import { Empty, Field, Loaded, Pager, num, platformName, signed, useCursors, useLoad } from '../ui';
import { useViewer } from '../session';

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

const leadWorkQuery = `query LeadWork($lead: ID!) {
  node(id: $lead) { ... on Lead { kind expertises { id } mvps(first: 100) { edges { node { awards { status expertise { id } } } } } } }
  activityStats(groupBy: [EXPERTISE]) { expertise { id } count }
}`;

const chosenKey = 'mvpgraph.expertise';

/**
 * The expertise the trends and candidates pages show: the one chosen
 * last in this tab's session, or else the lead's own work: of a US lead's
 * expertises, or of those an international lead's MVPs hold, the one with
 * the most community activity (then the most MVPs).
 */
export function useChosenExpertise(): [string, (id: string) => void] {
  const viewer = useViewer();
  const [chosen, setChosen] = useState(() => sessionStorage.getItem(chosenKey) ?? '');
  useEffect(() => {
    if (chosen || !viewer?.lead) return;
    const ctl = new AbortController();
    gql<{
      node: { kind: string; expertises: { id: string }[]; mvps: { edges: { node: { awards: { status: string; expertise: { id: string } }[] } }[] } } | null;
      activityStats: { expertise: { id: string } | null; count: number }[];
    }>(
      leadWorkQuery,
      { lead: viewer.lead.id },
      ctl.signal,
    ).then(
      (d) => {
        if (!d.node || ctl.signal.aborted) return;
        const held = new Map<string, number>();
        for (const e of d.node.mvps.edges) for (const a of e.node.awards) if (a.status === 'ACTIVE') held.set(a.expertise.id, (held.get(a.expertise.id) ?? 0) + 1);
        const mine = d.node.kind === 'INTERNATIONAL' ? [...held.keys()] : d.node.expertises.map((e) => e.id);
        const activity = new Map(d.activityStats.filter((g) => g.expertise).map((g) => [g.expertise!.id, g.count]));
        const pick = [...mine].sort((a, b) => (activity.get(b) ?? 0) - (activity.get(a) ?? 0) || (held.get(b) ?? 0) - (held.get(a) ?? 0))[0];
        if (pick) setChosen(pick);
      },
      () => undefined, // no default then: the lead chooses
    );
    return () => ctl.abort();
  }, [viewer?.lead?.id]);
  const choose = (id: string) => {
    setChosen(id);
    if (id) sessionStorage.setItem(chosenKey, id);
    else sessionStorage.removeItem(chosenKey);
  };
  return [chosen, choose];
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
