import { useState } from 'preact/hooks';
import { gql, type Connection } from '../api';
import { Empty, ErrorBox, Loading, day, usePagedList } from '../ui';

interface Escalation {
  id: string;
  title: string;
  status: string;
  overdue: boolean;
  raisedAt: string;
  updatedAt: string;
  member: { handle: string; name: string };
  expertise: { name: string };
  lead: { name: string };
  contact: { name: string; role: string } | null;
}

const columnQuery = `query Board($where: EscalationWhere, $after: String) {
  escalations(where: $where, orderBy: [{field: CREATED_AT, direction: ASC}], first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title status overdue raisedAt updatedAt member { handle name } expertise { name } lead { name } contact { name role } } }
  }
}`;

const statuses = [
  { status: 'OPEN', title: 'Open', note: 'with the lead' },
  { status: 'ESCALATED', title: 'Escalated', note: 'with a product team' },
  { status: 'ANSWERED', title: 'Answered', note: 'waiting to be closed' },
  { status: 'CLOSED', title: 'Closed', note: 'done' },
];

export function Escalations() {
  const [onlyOverdue, setOnlyOverdue] = useState(false);
  return (
    <section aria-labelledby="esc-title">
      <h1 id="esc-title">Escalations</h1>
      <p class="muted">MVPs’ product questions you may see, by status, oldest first. Overdue ones wait past the target for an answer.</p>
      <div class="filters">
        <label class="check">
          <input type="checkbox" checked={onlyOverdue} onChange={(e) => setOnlyOverdue((e.target as HTMLInputElement).checked)} /> Only overdue
        </label>
      </div>
      <div class="board">
        {statuses.map((s) => (
          <Column key={`${s.status}-${onlyOverdue}`} {...s} onlyOverdue={onlyOverdue} />
        ))}
      </div>
    </section>
  );
}

function Column({ status, title, note, onlyOverdue }: { status: string; title: string; note: string; onlyOverdue: boolean }) {
  const where = { status: [status], ...(onlyOverdue ? { overdue: true } : {}) };
  const { load, reload, items, next, loadMore } = usePagedList(
    (after, signal) => gql<{ escalations: Connection<Escalation> }>(columnQuery, { where, after }, signal).then((d) => d.escalations),
    [],
  );
  return (
    <section class="column" aria-labelledby={`col-${status}`}>
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
            {items.map((e) => (
              <li key={e.id} class={`ticket${e.overdue ? ' late' : ''}`}>
                <strong>{e.title}</strong>
                {e.overdue ? <span class="badge overdue">overdue</span> : null}
                <br />
                <a href={`#/mvp/${encodeURIComponent(e.member.handle)}`}>{e.member.name}</a> · {e.expertise.name}
                <br />
                <span class="muted small">
                  raised {day(e.raisedAt)} · {e.contact ? `with ${e.contact.name} (${e.contact.role})` : `lead ${e.lead.name}`}
                </span>
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
