import { useState } from 'preact/hooks';
import { gql, type Connection } from '../api';
import { Empty, ErrorBox, Field, Loading, day, useAction, usePagedList } from '../ui';
import { useViewer } from '../session';

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
  events: { action: string; actor: string; at: string }[];
}

const columnQuery = `query Board($where: EscalationWhere, $after: String) {
  escalations(where: $where, orderBy: [{field: CREATED_AT, direction: ASC}], first: 20, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title status overdue raisedAt updatedAt member { handle name } expertise { name } lead { name } contact { name role } events { action actor at } } }
  }
}`;

const statuses = [
  { status: 'OPEN', title: 'Open', note: 'with the lead' },
  { status: 'ESCALATED', title: 'Escalated', note: 'with a product team' },
  { status: 'ANSWERED', title: 'Answered', note: 'waiting to be closed' },
  { status: 'CLOSED', title: 'Closed', note: 'done' },
];

const contactsQuery = `query EscalationContacts($id: ID!) {
  node(id: $id) { ... on Escalation { expertise { productTeam { name contacts { id name role } } } } }
}`;

const moves: Record<string, string[]> = {
  OPEN: ['ESCALATE', 'ANSWER', 'CLOSE'],
  ESCALATED: ['ESCALATE', 'ANSWER', 'CLOSE'],
  ANSWERED: ['CLOSE', 'REOPEN'],
  CLOSED: ['REOPEN'],
};

const moveName: Record<string, string> = { ESCALATE: 'Escalate…', ANSWER: 'Answer…', CLOSE: 'Close', REOPEN: 'Reopen' };

/** The moves a ticket offers the viewer; the server checks them again. */
function TicketMoves({ e, onMoved }: { e: Escalation; onMoved: () => void }) {
  const viewer = useViewer();
  const action = useAction();
  const [open, setOpen] = useState<'ESCALATE' | 'ANSWER' | null>(null);
  const [answer, setAnswer] = useState('');
  const [contacts, setContacts] = useState<{ id: string; name: string; role: string }[] | null>(null);
  const [contact, setContact] = useState('');
  const role = viewer?.role;
  const offered = (moves[e.status] ?? []).filter((m) => role === 'ADMIN' || role === 'LEAD' || (role === 'PRODUCT_TEAM' && m === 'ANSWER'));
  if (offered.length === 0) return null;
  const done = async (change: () => Promise<unknown>) => {
    if (await action.run(change)) {
      setOpen(null);
      onMoved();
    }
  };
  const choose = async (m: string) => {
    if (m === 'CLOSE') return done(() => gql(`mutation Close($id: ID!) { closeEscalation(input: {id: $id}) { escalation { id } } }`, { id: e.id }));
    if (m === 'REOPEN') return done(() => gql(`mutation Reopen($id: ID!) { reopenEscalation(input: {id: $id}) { escalation { id } } }`, { id: e.id }));
    if (m === 'ESCALATE' && contacts == null) {
      await action.run(async () => {
        const d = await gql<{ node: { expertise: { productTeam: { contacts: { id: string; name: string; role: string }[] } | null } } | null }>(contactsQuery, { id: e.id });
        const list = d.node?.expertise.productTeam?.contacts ?? [];
        setContacts(list);
        setContact(list[0]?.id ?? '');
      });
    }
    setOpen(m as 'ESCALATE' | 'ANSWER');
  };
  return (
    <div class="moves">
      {offered.map((m) => (
        <button key={m} type="button" class="secondary" disabled={action.busy} onClick={() => choose(m)}>
          {moveName[m]}
        </button>
      ))}
      {open === 'ANSWER' ? (
        <form
          aria-label={`Answer ${e.title}`}
          onSubmit={(ev) => {
            ev.preventDefault();
            done(() => gql(`mutation Answer($id: ID!, $answer: String!) { answerEscalation(input: {id: $id, answer: $answer}) { escalation { id } } }`, { id: e.id, answer }));
          }}
        >
          <Field label="Answer">
            <textarea value={answer} rows={3} maxLength={20000} required onInput={(ev) => setAnswer((ev.target as HTMLTextAreaElement).value)} />
          </Field>
          <button type="submit" disabled={action.busy || answer.trim() === ''}>
            Record the answer
          </button>
        </form>
      ) : null}
      {open === 'ESCALATE' && contacts != null ? (
        contacts.length === 0 ? (
          <p class="muted small">The expertise has no product team contact to escalate to.</p>
        ) : (
          <form
            aria-label={`Escalate ${e.title}`}
            onSubmit={(ev) => {
              ev.preventDefault();
              done(() => gql(`mutation Escalate($id: ID!, $contact: ID!) { escalate(input: {id: $id, productTeamContactId: $contact}) { escalation { id } } }`, { id: e.id, contact }));
            }}
          >
            <Field label="To">
              <select value={contact} onChange={(ev) => setContact((ev.target as HTMLSelectElement).value)}>
                {contacts.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name} ({c.role})
                  </option>
                ))}
              </select>
            </Field>
            <button type="submit" disabled={action.busy}>
              Escalate
            </button>
          </form>
        )
      ) : null}
      {action.error ? <ErrorBox error={action.error} /> : null}
    </div>
  );
}

export function Escalations() {
  const [onlyOverdue, setOnlyOverdue] = useState(false);
  const [round, setRound] = useState(0);
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
          <Column key={`${s.status}-${onlyOverdue}-${round}`} {...s} onlyOverdue={onlyOverdue} onMoved={() => setRound((r) => r + 1)} />
        ))}
      </div>
    </section>
  );
}

function Column({ status, title, note, onlyOverdue, onMoved }: { status: string; title: string; note: string; onlyOverdue: boolean; onMoved: () => void }) {
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
              <li key={e.id} class={`ticket${e.overdue ? ' late' : ''}`} data-escalation={e.id}>
                <strong>{e.title}</strong>
                {e.overdue ? <span class="badge overdue">overdue</span> : null}
                <br />
                <a href={`#/mvp/${encodeURIComponent(e.member.handle)}`}>{e.member.name}</a> · {e.expertise.name}
                <br />
                <span class="muted small">
                  raised {day(e.raisedAt)} · {e.contact ? `with ${e.contact.name} (${e.contact.role})` : `lead ${e.lead.name}`}
                </span>
                <details>
                  <summary class="small">{e.events.length} moves</summary>
                  <ol class="plain small">
                    {e.events.map((ev, i) => (
                      <li key={i}>
                        {ev.action.toLowerCase()} by {ev.actor}, {day(ev.at)}
                      </li>
                    ))}
                  </ol>
                </details>
                <TicketMoves e={e} onMoved={onMoved} />
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
