import { useMemo, useState } from 'preact/hooks';
import { gql, type Connection } from '../api';
import { ReachChart } from '../charts';
import { useViewer } from '../session';
import { Empty, ErrorBox, Field, Loaded, StaleBadge, StatusBadge, ago, day, num, platformName, signed, useAction, useLoad, webAddress } from '../ui';

interface Account {
  id: string;
  platform: string;
  handle: string;
  url: string;
  status: string;
  followers: number | null;
  posts: number | null;
  views: number | null;
  lastError: string | null;
  staleness: { stale: boolean; ageSeconds: number | null; intervalSeconds: number };
  history: { date: string; followers: number | null }[];
}

interface Member {
  id: string;
  handle: string;
  name: string;
  country: string;
  city: string | null;
  bio: string | null;
  email: string | null;
  isMvp: boolean;
  awards: { id: string; year: number; status: string; expertise: { id: string; name: string } }[];
  leads: { id: string; name: string; kind: string }[];
  reach: { total: number; growth: number; score: number };
  socialAccounts: Account[];
}

interface Escalation {
  id: string;
  title: string;
  status: string;
  overdue: boolean;
  raisedAt: string;
  expertise: { name: string };
  lead: { name: string };
}

const profileQuery = `query Profile($handle: String!, $since: Time) {
  member(handle: $handle) {
    id handle name country city bio email isMvp
    awards { id year status expertise { id name } }
    leads { id name kind }
    reach { total growth(days: 30) score }
    socialAccounts {
      id platform handle url status followers posts views lastError
      staleness { stale ageSeconds intervalSeconds }
      history(from: $since) { date followers }
    }
  }
}`;

const escalationsQuery = `query MemberEscalations($member: ID!) {
  escalations(where: {memberId: $member}, orderBy: [{field: CREATED_AT, direction: DESC}], first: 50) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id title status overdue raisedAt expertise { name } lead { name } } }
  }
}`;

const raiseMutation = `mutation RaiseEscalation($input: RaiseEscalationInput!) { raiseEscalation(input: $input) { escalation { id } } }`;
const linkMutation = `mutation LinkAccount($input: LinkSocialAccountInput!) { linkSocialAccount(input: $input) { socialAccount { id } } }`;
const unlinkMutation = `mutation UnlinkAccount($id: ID!) { unlinkSocialAccount(input: {id: $id}) { socialAccount { id } } }`;
const refreshMutation = `mutation RefreshAccount($id: ID!) { refreshSocialAccount(input: {id: $id}) { socialAccount { id } } }`;

const platforms = ['TWITTER', 'YOUTUBE', 'GITHUB', 'MASTODON', 'BLUESKY', 'FACEBOOK', 'STACK_EXCHANGE', 'BLOG'];

export function Profile({ handle }: { handle: string }) {
  const since = useMemo(() => new Date(Date.now() - 365 * 86400e3).toISOString(), []);
  const [load, reload] = useLoad((signal) => gql<{ member: Member | null }>(profileQuery, { handle, since }, signal), [handle]);
  return (
    <Loaded load={load} what="the profile" retry={reload}>
      {({ member }) =>
        member ? <ProfileView m={member} onChange={reload} /> : <Empty>No member has the handle “{handle}”. Go back to <a href="#/mvps">My MVPs</a> and pick one.</Empty>
      }
    </Loaded>
  );
}

/** Links an account to the member, from its handle or a pasted profile address. */
function LinkAccount({ memberId, onDone }: { memberId: string; onDone: () => void }) {
  const [platform, setPlatform] = useState('GITHUB');
  const [handle, setHandle] = useState('');
  const action = useAction();
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => gql(linkMutation, { input: { memberId, platform, handle: handle.trim() } }))) {
      setHandle('');
      onDone();
    }
  };
  return (
    <form class="inline-form" aria-label="Link an account" onSubmit={submit}>
      <Field label="Platform">
        <select value={platform} onChange={(e) => setPlatform((e.target as HTMLSelectElement).value)}>
          {platforms.map((p) => (
            <option key={p} value={p}>
              {platformName[p] ?? p}
            </option>
          ))}
        </select>
      </Field>
      <Field label="Handle or profile address" hint="Paste the profile's URL, or type the handle">
        <input value={handle} size={36} required onInput={(e) => setHandle((e.target as HTMLInputElement).value)} />
      </Field>
      <button type="submit" disabled={action.busy || handle.trim() === ''}>
        {action.busy ? 'Linking…' : 'Link account'}
      </button>
      {action.error ? <ErrorBox error={action.error} /> : null}
    </form>
  );
}

/** Refreshes or unlinks one account. */
function AccountActions({ a, onDone }: { a: Account; onDone: () => void }) {
  const action = useAction();
  const [sure, setSure] = useState(false);
  return (
    <div class="moves">
      <button type="button" class="secondary" disabled={action.busy} onClick={async () => (await action.run(() => gql(refreshMutation, { id: a.id }))) && onDone()}>
        Refresh now
      </button>
      {sure ? (
        <>
          <button type="button" disabled={action.busy} onClick={async () => (await action.run(() => gql(unlinkMutation, { id: a.id }))) && onDone()}>
            Unlink, with its history
          </button>
          <button type="button" class="secondary" onClick={() => setSure(false)}>
            Keep it
          </button>
        </>
      ) : (
        <button type="button" class="secondary" onClick={() => setSure(true)}>
          Unlink…
        </button>
      )}
      {action.error ? <ErrorBox error={action.error} /> : null}
    </div>
  );
}

/** Raises a question of the MVP's about one of the MVP's expertises. */
function RaiseEscalation({ m, onDone }: { m: Member; onDone: () => void }) {
  const expertises = [...new Map(m.awards.filter((a) => a.status === 'ACTIVE').map((a) => [a.expertise.id, a.expertise])).values()];
  const [expertiseId, setExpertise] = useState(expertises[0]?.id ?? '');
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const action = useAction();
  if (expertises.length === 0) return <p class="muted">Questions are raised for the expertises of an MVP's active awards.</p>;
  const submit = async (e: Event) => {
    e.preventDefault();
    if (await action.run(() => gql(raiseMutation, { input: { memberId: m.id, expertiseId, title, body } }))) {
      setTitle('');
      setBody('');
      onDone();
    }
  };
  return (
    <details class="raise">
      <summary>Raise a question for {m.name}</summary>
      <form aria-label="Raise a question" onSubmit={submit}>
        <Field label="Expertise">
          <select value={expertiseId} onChange={(e) => setExpertise((e.target as HTMLSelectElement).value)}>
            {expertises.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Question in a line">
          <input value={title} size={50} maxLength={300} required onInput={(e) => setTitle((e.target as HTMLInputElement).value)} />
        </Field>
        <Field label="The question in full">
          <textarea value={body} rows={4} maxLength={20000} required onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
        </Field>
        <button type="submit" disabled={action.busy || title.trim() === '' || body.trim() === ''}>
          {action.busy ? 'Raising…' : 'Raise'}
        </button>
        {action.error ? <ErrorBox error={action.error} /> : null}
      </form>
    </details>
  );
}

function ProfileView({ m, onChange }: { m: Member; onChange: () => void }) {
  const viewer = useViewer();
  const mayChange = viewer?.role === 'ADMIN' || viewer?.role === 'LEAD';
  const [round, setRound] = useState(0);
  const awards = [...m.awards].sort((a, b) => b.year - a.year || a.expertise.name.localeCompare(b.expertise.name));
  return (
    <article aria-labelledby="profile-title">
      <p>
        <a href="#/mvps">← My MVPs</a>
      </p>
      <h1 id="profile-title">
        {m.name} <span class="muted">@{m.handle}</span>
      </h1>
      <p>
        {m.city ? `${m.city}, ` : ''}
        {m.country} · {m.isMvp ? 'MVP' : 'not an MVP now'}
        {m.email ? ` · ${m.email}` : ''}
      </p>
      {m.bio ? <p class="bio">{m.bio}</p> : null}
      <dl class="figures">
        <div>
          <dt>Total reach</dt>
          <dd>{num(m.reach.total)}</dd>
        </div>
        <div>
          <dt>30-day growth</dt>
          <dd>{signed(m.reach.growth)}</dd>
        </div>
        <div>
          <dt>Reach score</dt>
          <dd>{num(Math.round(m.reach.score * 10) / 10)}</dd>
        </div>
      </dl>

      <h2>Accounts</h2>
      {mayChange ? <LinkAccount memberId={m.id} onDone={onChange} /> : null}
      {m.socialAccounts.length === 0 ? (
        <Empty>No social accounts are linked{mayChange ? ': link one above, from its handle or profile address.' : '; a lead links them.'}</Empty>
      ) : (
        m.socialAccounts.map((a) => (
          <section key={a.id} class="account" aria-label={`${platformName[a.platform]} account ${a.handle}`}>
            <h3>
              {platformName[a.platform]}:{' '}
              {webAddress(a.url) ? (
                <a href={webAddress(a.url)} rel="noreferrer noopener" target="_blank">
                  {a.handle}
                </a>
              ) : (
                a.handle
              )}{' '}
              <StatusBadge status={a.status} />
              {a.staleness.stale ? <StaleBadge /> : null}
            </h3>
            <p class="muted">
              {num(a.followers)} followers · synced {ago(a.staleness.ageSeconds)} (every {Math.round(a.staleness.intervalSeconds / 3600)} h)
              {a.lastError ? ` · last error: ${a.lastError}` : ''}
            </p>
            {mayChange ? <AccountActions a={a} onDone={onChange} /> : null}
            {a.history.length > 1 ? (
              <ReachChart days={a.history.map((h) => h.date)} series={[{ name: `${platformName[a.platform]} ${a.handle}`, values: a.history.map((h) => h.followers) }]} label={`Followers of ${a.handle} on ${platformName[a.platform]}`} />
            ) : (
              <p class="muted">Not enough history for a chart yet: it grows with each daily sync.</p>
            )}
          </section>
        ))
      )}

      <h2>Awards</h2>
      {awards.length === 0 ? (
        <Empty>No awards.</Empty>
      ) : (
        <table class="data">
          <thead>
            <tr>
              <th scope="col">Year</th>
              <th scope="col">Expertise</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {awards.map((a) => (
              <tr key={a.id}>
                <td>{a.year}</td>
                <td>{a.expertise.name}</td>
                <td>{a.status.toLowerCase()}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h2>Leads</h2>
      {m.leads.length === 0 ? (
        <Empty>No lead: leads come from active awards (US) or the country (elsewhere).</Empty>
      ) : (
        <ul>
          {m.leads.map((l) => (
            <li key={l.id}>
              {l.name} ({l.kind === 'US' ? 'US lead' : 'international lead'})
            </li>
          ))}
        </ul>
      )}

      <h2>Escalations</h2>
      {mayChange ? <RaiseEscalation m={m} onDone={() => setRound((r) => r + 1)} /> : null}
      {viewer ? <MemberEscalations key={round} memberId={m.id} /> : <p class="muted"><a href="#/signin">Sign in</a> to see escalations.</p>}
    </article>
  );
}

function MemberEscalations({ memberId }: { memberId: string }) {
  const [load, reload] = useLoad((signal) => gql<{ escalations: Connection<Escalation> }>(escalationsQuery, { member: memberId }, signal), [memberId]);
  return (
    <Loaded load={load} what="escalations" retry={reload}>
      {({ escalations }) =>
        escalations.edges.length === 0 ? (
          <Empty>No escalations you may see.</Empty>
        ) : (
          <ul class="plain">
            {escalations.edges.map(({ node: e }) => (
              <li key={e.id}>
                <strong>{e.title}</strong> · {e.expertise.name} · {e.status.toLowerCase()} since {day(e.raisedAt)}
                {e.overdue ? <span class="badge overdue">overdue</span> : null}
              </li>
            ))}
          </ul>
        )
      }
    </Loaded>
  );
}
