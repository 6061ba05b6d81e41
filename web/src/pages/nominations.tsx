import { useState } from 'preact/hooks';
import { ApiError, gql, type Connection } from '../api';
import { Empty, ErrorBox, Loading, day, usePagedList } from '../ui';
import { useViewer } from '../session';

interface Nomination {
  id: string;
  status: string;
  moves: string[];
  reason: string;
  country: string;
  createdAt: string;
  updatedAt: string;
  person: { id: string; name: string; member: { handle: string } | null };
  expertise: { name: string };
  lead: { name: string };
}

const columnQuery = `query NominationsBoard($where: NominationWhere, $after: String) {
  nominations(where: $where, orderBy: [{field: UPDATED_AT, direction: DESC}], first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id status moves reason country createdAt updatedAt person { id name member { handle } } expertise { name } lead { name } } }
  }
}`;

const moveMutation = `mutation MoveNomination($input: MoveNominationInput!) { moveNomination(input: $input) { nomination { id status } } }`;

const statuses = [
  { status: 'NOMINATED', title: 'Nominated', note: 'put forward by a lead' },
  { status: 'UNDER_REVIEW', title: 'Under review', note: 'with the program' },
  { status: 'AWARDED', title: 'Awarded', note: 'MVPs now' },
  { status: 'DECLINED', title: 'Declined', note: 'not this time' },
  { status: 'WITHDRAWN', title: 'Withdrawn', note: 'taken back' },
];

const moveName: Record<string, string> = {
  UNDER_REVIEW: 'Send to review',
  AWARDED: 'Award',
  DECLINED: 'Decline',
  WITHDRAWN: 'Withdraw',
};

export function Nominations() {
  const [round, setRound] = useState(0);
  return (
    <section aria-labelledby="nom-title">
      <h1 id="nom-title">Nominations</h1>
      <p class="muted">
        The people nominated for an award that you may see, by status, latest move first. Nominate from the award candidates; awarding makes the person an
        MVP of the expertise in one step.
      </p>
      <div class="board">
        {statuses.map((s) => (
          <Column key={`${s.status}-${round}`} {...s} onMoved={() => setRound((r) => r + 1)} />
        ))}
      </div>
    </section>
  );
}

function Column({ status, title, note, onMoved }: { status: string; title: string; note: string; onMoved: () => void }) {
  const viewer = useViewer();
  const mayMove = viewer?.role === 'ADMIN' || viewer?.role === 'LEAD';
  const where = { status: [status] };
  const [moving, setMoving] = useState<{ id: string; error: ApiError | null } | null>(null);
  const { load, reload, items, next, loadMore } = usePagedList(
    (after, signal) => gql<{ nominations: Connection<Nomination> }>(columnQuery, { where, after }, signal).then((d) => d.nominations),
    [],
  );
  const move = async (n: Nomination, to: string) => {
    setMoving({ id: n.id, error: null });
    try {
      await gql(moveMutation, { input: { id: n.id, status: to } });
      setMoving(null);
      onMoved();
    } catch (e) {
      setMoving({ id: n.id, error: e instanceof ApiError ? e : new ApiError(String(e), 'INTERNAL') });
    }
  };
  return (
    <section class="column" aria-labelledby={`col-${status}`} data-testid={`nominations-${status}`}>
      <h2 id={`col-${status}`}>
        {title} <span class="muted">{load.state === 'done' ? load.data.totalCount : ''}</span>
      </h2>
      <p class="muted small">{note}</p>
      {load.state === 'loading' ? <Loading what={title.toLowerCase()} /> : null}
      {load.state === 'error' ? <ErrorBox error={load.error} retry={reload} /> : null}
      {load.state === 'done' ? (
        load.data.edges.length === 0 ? (
          <Empty>None.</Empty>
        ) : (
          <ul class="plain">
            {items.map((n) => (
              <li key={n.id} class="ticket" data-person={n.person.id}>
                <strong>{n.person.member ? <a href={`#/mvp/${encodeURIComponent(n.person.member.handle)}`}>{n.person.name}</a> : n.person.name}</strong> ·{' '}
                {n.expertise.name}
                <br />
                <span class="small">{n.reason}</span>
                <br />
                <span class="muted small">
                  {n.country} · lead {n.lead.name} · nominated {day(n.createdAt)}
                  {n.updatedAt !== n.createdAt ? ` · moved ${day(n.updatedAt)}` : ''}
                </span>
                {mayMove && n.moves.length > 0 ? (
                  <div class="moves">
                    {n.moves.map((to) => (
                      <button key={to} type="button" class={to === 'AWARDED' ? undefined : 'secondary'} disabled={moving?.id === n.id && !moving.error} onClick={() => move(n, to)}>
                        {moveName[to] ?? to}
                      </button>
                    ))}
                  </div>
                ) : null}
                {moving?.id === n.id && moving.error ? <ErrorBox error={moving.error} /> : null}
              </li>
            ))}
          </ul>
        )
      ) : null}
      {next.error ? <ErrorBox error={next.error} /> : null}
      {next.cursor ? (
        <button type="button" onClick={loadMore} disabled={next.loading}>
          {next.loading ? 'Loading…' : 'Load more'}
        </button>
      ) : null}
    </section>
  );
}
