import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import { ApiError, type Connection } from './api';

export type Load<T> =
  | { state: 'loading' }
  | { state: 'error'; error: ApiError }
  | { state: 'done'; data: T };

/**
 * Runs fetch when deps change; reload runs it again. A result is only ever
 * shown with the deps it was fetched for: in the render where deps change,
 * before the effect has run, the load reads as loading, so a page never shows
 * new controls (page 2) over old rows (page 1).
 */
export function useLoad<T>(fetch: (signal: AbortSignal) => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [load, setLoad] = useState<{ gen: number; load: Load<T> }>({ gen: 0, load: { state: 'loading' } });
  const [round, setRound] = useState(0);
  const now = [...deps, round];
  const gen = useRef({ deps: now, n: 0 });
  if (now.length !== gen.current.deps.length || now.some((d, i) => !Object.is(d, gen.current.deps[i]))) gen.current = { deps: now, n: gen.current.n + 1 };
  const n = gen.current.n;
  useEffect(() => {
    const ctl = new AbortController();
    setLoad({ gen: n, load: { state: 'loading' } });
    fetch(ctl.signal).then(
      (data) => !ctl.signal.aborted && setLoad({ gen: n, load: { state: 'done', data } }),
      (e: unknown) => {
        if (ctl.signal.aborted) return;
        setLoad({ gen: n, load: { state: 'error', error: e instanceof ApiError ? e : new ApiError(String((e as Error)?.message ?? e), 'INTERNAL') } });
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [n]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return [load.gen === n ? load.load : { state: 'loading' }, reload];
}

export function Loading({ what }: { what: string }) {
  return (
    <p class="state loading" role="status" aria-live="polite">
      <span class="spinner" aria-hidden="true"></span> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return (
    <div class="state empty" role="status">
      {children}
    </div>
  );
}

export function ErrorBox({ error, retry, title = 'Could not load this.', signIn = true }: { error: ApiError; retry?: () => void; title?: string; signIn?: boolean }) {
  const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
  return (
    <div class="state error" role="alert">
      <p>
        <strong>{title}</strong> {message}
      </p>
      <p>{error.advice}</p>
      {!signIn ? null : error.code === 'UNAUTHENTICATED' || error.code === 'FORBIDDEN' ? (
        <p>
          <a href="#/signin">Sign in</a>
        </p>
      ) : retry ? (
        <button type="button" onClick={retry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}

/** Renders a Load: its loading and error states, or the view of its data. */
export function Loaded<T>({ load, what, retry, children }: { load: Load<T>; what: string; retry?: () => void; children: (data: T) => ComponentChildren }) {
  if (load.state === 'loading') return <Loading what={what} />;
  if (load.state === 'error') return <ErrorBox error={load.error} retry={retry} />;
  return <>{children(load.data)}</>;
}

const statusText: Record<string, string> = {
  ACTIVE: 'active',
  NOT_FOUND: 'not found',
  SUSPENDED: 'suspended',
  FROZEN: 'frozen',
  ERROR: 'error',
};

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status.toLowerCase()}`}>{statusText[status] ?? status}</span>;
}

export function StaleBadge() {
  return (
    <span class="badge stale" title="Data older than twice the platform's sync interval">
      stale
    </span>
  );
}

export const platformName: Record<string, string> = {
  TWITTER: 'Twitter/X',
  YOUTUBE: 'YouTube',
  GITHUB: 'GitHub',
  MASTODON: 'Mastodon',
  BLUESKY: 'Bluesky',
  FACEBOOK: 'Facebook',
  STACK_EXCHANGE: 'Stack Exchange',
  BLOG: 'Blog',
};

const nf = new Intl.NumberFormat(); // the reader's locale: thousands separated as they expect
export const num = (n: number | null | undefined) => (n == null ? '—' : nf.format(n));
export const signed = (n: number) => (n > 0 ? `+${nf.format(n)}` : nf.format(n));
export const pct = (x: number | null | undefined, digits = 1) => (x == null ? '—' : `${(x * 100).toFixed(digits)} %`);
export const day = (t: string | null | undefined) => (t ? t.slice(0, 10) : '—');

/** The address, when it is an http or https one; undefined for any other (javascript:, data:, a relative path), which is shown as text. */
export function webAddress(url: string | null | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

export function ago(seconds: number | null | undefined): string {
  if (seconds == null) return 'never';
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/**
 * A small line of values, with a text equivalent for screen readers. Its
 * scale spans at least a tenth of the values' mean, centred on them, so
 * that 187 → 186 followers is a slight dip, not a fall to the bottom.
 */
export function Sparkline({ values, label }: { values: number[]; label: string }) {
  if (values.length < 2) return <span class="muted">—</span>;
  const w = 96;
  const h = 24;
  const min = Math.min(...values);
  const max = Math.max(...values);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const span = Math.max(max - min, Math.abs(mean) * 0.1, 1);
  const lo = (min + max) / 2 - span / 2;
  const pts = values.map((v, i) => `${((i / (values.length - 1)) * w).toFixed(1)},${(h - 2 - ((v - lo) / span) * (h - 4)).toFixed(1)}`).join(' ');
  const up = values[values.length - 1] >= values[0];
  return (
    <svg class={`spark ${up ? 'up' : 'down'}`} width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <polyline points={pts} fill="none" stroke-width="1.5" />
    </svg>
  );
}

/** Previous and next page buttons for a cursor-paged list. */
export function Pager({ hasPrevious, hasNext, onPrevious, onNext, label }: { hasPrevious: boolean; hasNext: boolean; onPrevious: () => void; onNext: () => void; label: string }) {
  return (
    <nav class="pager" aria-label={`${label} pages`}>
      <button type="button" onClick={onPrevious} disabled={!hasPrevious}>
        ← Previous
      </button>
      <button type="button" onClick={onNext} disabled={!hasNext}>
        Next →
      </button>
    </nav>
  );
}

/**
 * A cursor stack: the cursors of the pages seen, for going back. A list
 * whose filters change is a new list: give its component a new key.
 */
export function useCursors(): { after: string | null; page: number; next: (c: string | null) => void; previous: () => void } {
  const [stack, setStack] = useState<(string | null)[]>([null]);
  return {
    after: stack[stack.length - 1],
    page: stack.length,
    next: (c) => setStack((s) => [...s, c]),
    previous: () => setStack((s) => (s.length > 1 ? s.slice(0, -1) : s)),
  };
}

export function Field({ label, children, hint }: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
      {hint ? <small class="muted">{hint}</small> : null}
    </label>
  );
}

/**
 * A list loaded a page at a time by cursor, as a board's column is: the
 * first page when deps change, then more on request. items are the first
 * page's nodes and those loaded after them.
 */
export function usePagedList<T>(fetchPage: (after: string | null, signal?: AbortSignal) => Promise<Connection<T>>, deps: unknown[]) {
  const [more, setMore] = useState<T[]>([]);
  const [next, setNext] = useState<{ cursor: string | null; loading: boolean; error: ApiError | null }>({ cursor: null, loading: false, error: null });
  const after = (c: Connection<T>) => (c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null);
  const [load, reload] = useLoad(
    (signal) =>
      fetchPage(null, signal).then((c) => {
        setMore([]);
        setNext({ cursor: after(c), loading: false, error: null });
        return c;
      }),
    deps,
  );
  const loadMore = async () => {
    setNext((n) => ({ ...n, loading: true, error: null }));
    try {
      const c = await fetchPage(next.cursor);
      setMore((m) => [...m, ...c.edges.map((e) => e.node)]);
      setNext({ cursor: after(c), loading: false, error: null });
    } catch (e) {
      setNext((n) => ({ ...n, loading: false, error: e instanceof ApiError ? e : new ApiError(String(e), 'INTERNAL') }));
    }
  };
  const items = load.state === 'done' ? [...load.data.edges.map((e) => e.node), ...more] : [];
  return { load, reload, items, next, loadMore };
}

/**
 * A change the page makes through a mutation: run it, and while it runs
 * busy is set; a refusal is kept in error, to be shown where the change
 * was asked for.
 */
export function useAction() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (change: () => Promise<unknown>): Promise<boolean> => {
    setBusy(true);
    setError(null);
    try {
      await change();
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? e : new ApiError(String(e), 'INTERNAL'));
      return false;
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}
