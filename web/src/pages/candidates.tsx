import { useState } from 'preact/hooks';
import { ApiError, gql } from '../api';
import { Empty, ErrorBox, Field, Loaded, day, num, platformName, useLoad, webAddress } from '../ui';
import { useViewer } from '../session';
import { useChosenExpertise, useExpertises } from './leaderboard';
import { PeriodFields, usePeriod } from './trends';

interface Identity {
  id: string;
  handle: string;
  site: string | null;
  space: { name: string };
  account: { platform: string; handle: string; followers: number | null } | null;
}

interface Candidate {
  rank: number;
  name: string;
  score: number;
  person: { id: string };
  member: { handle: string; name: string; country: string } | null;
  countsByKind: { kind: string; count: number }[];
  topSpaces: { name: string; count: number }[];
  identities: { count: number; score: number; identity: Identity }[];
  bestItems: { space: string; kind: string; occurredAt: string; title: string | null; url: string | null; score: number | null }[];
  nomination: { id: string; status: string } | null;
  firstAnswers: number;
  medianFirstAnswerSeconds: number | null;
}

const candidatesQuery = `query Candidates($expertise: ID!, $country: String, $from: Time!, $to: Time!, $first: Int) {
  awardCandidates(expertiseId: $expertise, country: $country, from: $from, to: $to, first: $first) {
    rank name score
    person { id }
    member { handle name country }
    countsByKind { kind count }
    topSpaces { name count }
    identities { count score identity { id handle site space { name } account { platform handle followers } } }
    bestItems { space kind occurredAt title url score }
    firstAnswers medianFirstAnswerSeconds
    nomination { id status }
  }
}`;

interface Suggestion {
  reasons: string[];
  confidence: number;
  people: { id: string; name: string; member: { handle: string } | null; identities: { handle: string; site: string | null; profileUrl: string | null; space: { name: string } }[] }[];
}

const suggestionsQuery = `query PeopleSuggestions($expertise: ID) {
  personMergeSuggestions(expertiseId: $expertise, first: 10) {
    reasons confidence
    people { id name member { handle } identities { handle site profileUrl space { name } } }
  }
}`;

const nominateMutation = `mutation Nominate($input: NominateInput!) { nominate(input: $input) { nomination { id status } } }`;
const mergeMutation = `mutation MergePeople($ids: [ID!]!) { mergePeople(input: {personIds: $ids}) { person { id } } }`;
const dismissMutation = `mutation DismissSuggestion($ids: [ID!]!) { dismissPersonSuggestion(input: {personIds: $ids}) { people { id } } }`;

const statusName: Record<string, string> = {
  NOMINATED: 'nominated',
  UNDER_REVIEW: 'under review',
  AWARDED: 'awarded',
  DECLINED: 'declined',
  WITHDRAWN: 'withdrawn',
};

export function Candidates() {
  const [expertises] = useExpertises();
  const [expertise, setExpertise] = useChosenExpertise();
  const [country, setCountry] = useState('');
  const [first, setFirst] = useState(20);
  const period = usePeriod(180);
  const countryOk = country === '' || /^[A-Za-z]{2}$/.test(country);
  return (
    <section aria-labelledby="cand-title">
      <h1 id="cand-title">Award candidates</h1>
      <p class="muted">
        People ranked by the weighted score of their activity in every space they are known in, current MVPs and employees left out. Handles
        that are certainly one person are joined; the likely ones are suggested.
      </p>
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
        <Ranking expertise={expertise} country={country ? country.toUpperCase() : null} from={period.fromTime} to={period.toTime} first={first} />
      ) : (
        <Empty>Choose an expertise and a period to rank its people.</Empty>
      )}
    </section>
  );
}

/** The ranking, and for an admin the people suggested as one above it. */
function Ranking(props: { expertise: string; country: string | null; from: string; to: string; first: number }) {
  const viewer = useViewer();
  const [round, setRound] = useState(0);
  return (
    <>
      {viewer?.role === 'ADMIN' ? <Suggestions expertise={props.expertise} round={round} onChange={() => setRound((r) => r + 1)} /> : null}
      <List {...props} round={round} />
    </>
  );
}

function Suggestions({ expertise, round, onChange }: { expertise: string; round: number; onChange: () => void }) {
  const [load, reload] = useLoad((signal) => gql<{ personMergeSuggestions: Suggestion[] }>(suggestionsQuery, { expertise }, signal), [expertise, round]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const act = async (mutation: string, s: Suggestion) => {
    setBusy(true);
    setError(null);
    try {
      await gql(mutation, { ids: s.people.map((p) => p.id) });
      onChange();
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(String(e), 'INTERNAL'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <details class="suggestions" open>
      <summary>People who may be one</summary>
      <Loaded load={load} what="suggestions" retry={reload}>
        {({ personMergeSuggestions: list }) =>
          list.length === 0 ? (
            <Empty>No suggestion waits: every likely pair is merged or dismissed.</Empty>
          ) : (
            <ul class="plain" data-testid="suggestions">
              {list.map((s) => (
                <li key={s.people.map((p) => p.id).join()} class="suggestion">
                  {s.people.map((p, i) => (
                    <span key={p.id}>
                      {i > 0 ? ' and ' : ''}
                      <strong>{p.name}</strong>{' '}
                      <span class="muted small">
                        ({p.identities.map((id, j) => (
                          <span key={j}>
                            {j > 0 ? '; ' : ''}
                            {id.handle} in {id.space.name}
                            {id.profileUrl && /^https?:\/\//i.test(id.profileUrl) ? (
                              <>
                                {', '}
                                <a href={id.profileUrl} rel="noopener noreferrer nofollow">
                                  profile page
                                </a>
                              </>
                            ) : null}
                          </span>
                        ))}
                        )
                      </span>
                    </span>
                  ))}
                  <br />
                  <span class="muted small">
                    {s.reasons.map((r) => reasonText[r] ?? r).join(' and ')} · {Math.round(s.confidence * 100)} % likely
                  </span>{' '}
                  <button type="button" disabled={busy} onClick={() => act(mergeMutation, s)}>
                    Merge
                  </button>{' '}
                  <button type="button" class="secondary" disabled={busy} onClick={() => act(dismissMutation, s)}>
                    Not the same
                  </button>
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {error ? <ErrorBox error={error} /> : null}
    </details>
  );
}

/** What each suggestion reason reads as. */
const reasonText: Record<string, string> = { SAME_NAME: 'same name', SIMILAR_HANDLE: 'handles alike', SHARED_PROFILE: 'same profile page' };

/** Nominating from a card: the reason, and a country for someone who is no member yet. */
function Nominate({ c, expertise, country, onDone }: { c: Candidate; expertise: string; country: string | null; onDone: () => void }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [where, setWhere] = useState(country ?? '');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  if (!open)
    return (
      <button type="button" onClick={() => setOpen(true)}>
        Nominate
      </button>
    );
  const countryOk = c.member != null || /^[A-Za-z]{2}$/.test(where);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const input: Record<string, unknown> = { personId: c.person.id, expertiseId: expertise, reason };
      if (!c.member) input.country = where.toUpperCase();
      await gql(nominateMutation, { input });
      onDone();
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(String(err), 'INTERNAL'));
      setBusy(false);
    }
  };
  return (
    <form class="nominate" aria-label={`Nominate ${c.name}`} onSubmit={submit}>
      <Field label="Why" hint="What the person does for the community">
        <textarea value={reason} rows={3} maxLength={4000} required onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
      </Field>
      {c.member ? null : (
        <Field label="Country" hint="Where the award would be, two letters">
          <input value={where} maxLength={2} size={4} required onInput={(e) => setWhere((e.target as HTMLInputElement).value)} aria-invalid={!countryOk} />
        </Field>
      )}
      <button type="submit" disabled={busy || !countryOk || reason.trim() === ''}>
        {busy ? 'Nominating…' : 'Nominate'}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {error ? <ErrorBox error={error} /> : null}
    </form>
  );
}

function List(props: { expertise: string; country: string | null; from: string; to: string; first: number; round: number }) {
  const viewer = useViewer();
  const mayNominate = viewer?.role === 'ADMIN' || viewer?.role === 'LEAD';
  const vars = { expertise: props.expertise, country: props.country, from: props.from, to: props.to, first: props.first };
  const [load, reload] = useLoad((signal) => gql<{ awardCandidates: Candidate[] }>(candidatesQuery, vars, signal), [props.expertise, props.country, props.from, props.to, props.first, props.round]);
  return (
    <Loaded load={load} what="candidates" retry={reload}>
      {({ awardCandidates: list }) =>
        list.length === 0 ? (
          <Empty>No one outside the program was active in this expertise’s spaces then: widen the period or drop the country.</Empty>
        ) : (
          <ol class="cards" data-testid="candidates">
            {list.map((c) => (
              <li key={c.person.id} class="card" data-person={c.person.id}>
                <h2>
                  {c.rank}. {c.member ? <a href={`#/mvp/${encodeURIComponent(c.member.handle)}`}>{c.member.name}</a> : c.name}
                  {c.nomination ? (
                    <>
                      {' '}
                      <a class={`badge nomination-${c.nomination.status.toLowerCase()}`} href="#/nominations">
                        {statusName[c.nomination.status] ?? c.nomination.status}
                      </a>
                    </>
                  ) : null}
                </h2>
                <p>
                  Score <strong>{c.score.toFixed(1)}</strong>
                  {c.member ? ` · member in ${c.member.country}` : ' · not a member yet'}
                  {reach(c) != null ? ` · ${num(reach(c))} followers on linked accounts` : ''}
                </p>
                <p>
                  <span class="muted">Known as:</span>{' '}
                  {handles(c).map((h, n) => (
                    <span key={h.key} class="identity">
                      {n > 0 ? '; ' : ''}
                      {h.handle} <span class="muted small">in {h.spaces.join(', ')}</span>
                      {h.account ? <span class="muted small"> ({platformName[h.account] ?? h.account} account)</span> : null}
                    </span>
                  ))}
                </p>
                {c.firstAnswers > 0 ? (
                  <p>
                    <span class="muted">First responder:</span> first answer to {c.firstAnswers} question{c.firstAnswers === 1 ? '' : 's'}
                    {c.medianFirstAnswerSeconds != null ? `, median ${duration(c.medianFirstAnswerSeconds)}` : ''}
                  </p>
                ) : null}
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
                {mayNominate && !c.nomination ? <Nominate c={c} expertise={props.expertise} country={props.country} onDone={reload} /> : null}
              </li>
            ))}
          </ol>
        )
      }
    </Loaded>
  );
}

/** The followers of a candidate's identities that are linked social accounts; null for none. */
function reach(c: Candidate): number | null {
  const linked = c.identities.filter((i) => i.identity.account?.followers != null);
  return linked.length === 0 ? null : linked.reduce((n, i) => n + (i.identity.account?.followers ?? 0), 0);
}

/** A candidate's identities, one entry per handle on a site, with its spaces. */
function handles(c: Candidate): { key: string; handle: string; spaces: string[]; account: string | null }[] {
  const out: { key: string; handle: string; spaces: string[]; account: string | null }[] = [];
  for (const { identity: i } of c.identities) {
    const key = i.site ? `${i.site} ${i.handle.toLowerCase()}` : i.id;
    const same = out.find((h) => h.key === key);
    if (same) same.spaces.push(i.space.name);
    else out.push({ key, handle: i.handle, spaces: [i.space.name], account: i.account?.platform ?? null });
  }
  return out;
}

/** Seconds as minutes, hours or days. */
function duration(s: number): string {
  if (s < 3600) return `${Math.max(1, Math.round(s / 60))} min`;
  if (s < 172800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}
