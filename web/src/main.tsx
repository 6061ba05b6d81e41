import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './style.css';
import { ApiError, getToken, gql, setToken, viewerQuery, type Role, type Viewer } from './api';
import { ErrorBox, Loading } from './ui';
import { ViewerContext } from './session';
import { MyMvps } from './pages/mvps';
import { Profile } from './pages/profile';
import { Leaderboard } from './pages/leaderboard';
import { Trends } from './pages/trends';
import { Candidates } from './pages/candidates';
import { Escalations } from './pages/escalations';
import { Nominations } from './pages/nominations';
import { Integrations } from './pages/integrations';


const staffRoles: Role[] = ['ADMIN', 'LEAD', 'PRODUCT_TEAM', 'ANALYST'];

interface Page {
  path: string;
  title: string;
  roles?: Role[]; // who may open it; any caller when unset
}

const pages: Page[] = [
  { path: 'mvps', title: 'My MVPs' },
  { path: 'leaderboard', title: 'Leaderboard' },
  { path: 'trends', title: 'Community trends', roles: staffRoles },
  { path: 'candidates', title: 'Award candidates', roles: staffRoles },
  { path: 'nominations', title: 'Nominations', roles: ['ADMIN', 'LEAD'] },
  { path: 'escalations', title: 'Escalations', roles: staffRoles },
  { path: 'integrations', title: 'Integrations' },
];

function mayOpen(p: Page, v: Viewer | null) {
  return !p.roles || (v != null && p.roles.includes(v.role));
}

function useRoute(): string[] {
  const parse = () => decodeURIComponent(location.hash.replace(/^#\/?/, '')).split('/').filter(Boolean);
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

const roleSees: Record<Role, string> = {
  ADMIN: 'everything, including members’ personal data and every escalation.',
  LEAD: 'your MVPs with their personal data, the whole program’s public data, trends, candidates, and the nominations and escalations routed to you.',
  PRODUCT_TEAM: 'public data, trends, candidates and the escalations escalated to your team.',
  ANALYST: 'public data, statistics, trends, candidates and all escalations, without personal data.',
};

function SignIn({ onSignIn, viewer }: { onSignIn: (v: Viewer | null) => void; viewer: Viewer | null }) {
  const [token, setTokenText] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setToken(token.trim());
    try {
      const { viewer } = await gql<{ viewer: Viewer | null }>(viewerQuery);
      if (!viewer) throw new ApiError('The server did not recognise the token.', 'UNAUTHENTICATED');
      onSignIn(viewer);
      location.hash = '#/mvps';
    } catch (err) {
      setToken(null);
      setError(err instanceof ApiError ? err : new ApiError(String(err), 'INTERNAL'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="signin" aria-labelledby="signin-title">
      <h1 id="signin-title">Sign in</h1>
      {viewer ? (
        <p>
          Signed in as <strong>{viewer.name}</strong> ({viewer.role}). Sign in again to change token.
        </p>
      ) : null}
      <form onSubmit={submit}>
        <label class="field">
          <span>API token</span>
          <input type="password" name="token" autocomplete="off" required value={token} onInput={(e) => setTokenText((e.target as HTMLInputElement).value)} aria-describedby="token-help" />
        </label>
        <p id="token-help" class="muted">
          Ask your program office for a token, or make one: <code>mvpgraph token create --role LEAD --lead ID</code>. It is kept in this tab only and
          forgotten when the tab closes.
        </p>
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>{' '}
        <button
          type="button"
          class="secondary"
          onClick={() => {
            setToken(null);
            onSignIn(null);
            location.hash = '#/leaderboard';
          }}
        >
          Continue without a token
        </button>
      </form>
      {error ? <ErrorBox error={error} title="This token was refused." signIn={false} /> : null}
    </section>
  );
}

function App() {
  const route = useRoute();
  const [viewer, setViewer] = useState<Viewer | null>(null);
  const [checking, setChecking] = useState(getToken() != null);
  const [startError, setStartError] = useState<ApiError | null>(null);
  useEffect(() => {
    if (!getToken()) return;
    gql<{ viewer: Viewer | null }>(viewerQuery).then(
      (d) => {
        setViewer(d.viewer);
        setChecking(false);
      },
      (e: ApiError) => {
        setToken(null);
        setStartError(e);
        setChecking(false);
      },
    );
  }, []);

  const [head, ...rest] = route;
  const signedOut = !getToken();
  let main;
  if (checking) main = <Loading what="your session" />;
  else if (head === 'signin' || (!head && signedOut && !viewer)) main = <SignIn onSignIn={setViewer} viewer={viewer} />;
  else {
    const page = pages.find((p) => p.path === (head ?? 'mvps'));
    if (head === 'mvp' && rest[0]) main = <Profile handle={rest[0]} />;
    else if (!page && head !== undefined) main = <p class="state empty">There is no page “{head}”. Pick one from the menu above.</p>;
    else if (page && !mayOpen(page, viewer))
      main = (
        <div class="state error" role="alert">
          <p>
            <strong>{page.title}</strong> needs a token of one of these roles: {page.roles?.join(', ')}.
          </p>
          <p>
            <a href="#/signin">Sign in</a> with such a token.
          </p>
        </div>
      );
    else {
      switch (page?.path ?? 'mvps') {
        case 'mvps':
          main = <MyMvps />;
          break;
        case 'leaderboard':
          main = <Leaderboard />;
          break;
        case 'trends':
          main = <Trends />;
          break;
        case 'candidates':
          main = <Candidates />;
          break;
        case 'nominations':
          main = <Nominations />;
          break;
        case 'escalations':
          main = <Escalations />;
          break;
        case 'integrations':
          main = <Integrations />;
          break;
      }
    }
  }
  const current = head ?? (signedOut ? 'signin' : 'mvps');
  return (
    <ViewerContext.Provider value={viewer}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="#/mvps">
          mvpgraph
        </a>
        <nav aria-label="Pages">
          <ul>
            {pages.filter((p) => mayOpen(p, viewer)).map((p) => (
              <li key={p.path}>
                <a href={`#/${p.path}`} aria-current={current === p.path ? 'page' : undefined}>
                  {p.title}
                </a>
              </li>
            ))}
            <li>
              <a href="/graphiql">GraphiQL</a>
            </li>
          </ul>
        </nav>
        <div class="who">
          {viewer ? (
            <>
              <span title={`May see ${roleSees[viewer.role]}`}>
                {viewer.name} · <strong>{viewer.role}</strong>
                {viewer.lead ? ` · ${viewer.lead.name}` : ''}
              </span>{' '}
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setToken(null);
                  setViewer(null);
                  location.hash = '#/signin';
                }}
              >
                Sign out
              </button>
            </>
          ) : (
            <a href="#/signin">Sign in</a>
          )}
        </div>
      </header>
      {viewer ? (
        <p class="role-note">
          As {viewer.role} you may see {roleSees[viewer.role]}
        </p>
      ) : null}
      <main id="main" tabIndex={-1}>
        {startError ? <ErrorBox error={startError} /> : null}
        {main}
      </main>
    </ViewerContext.Provider>
  );
}

render(<App />, document.getElementById('app')!);
