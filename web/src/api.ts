// The page's only way to the data: the public GraphQL API at /graphql, as
// any front-end would call it, with the signed-in token as a bearer token.

const tokenKey = 'mvpgraph.token';

export function getToken(): string | null {
  return sessionStorage.getItem(tokenKey);
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(tokenKey, token);
  else sessionStorage.removeItem(tokenKey);
}

/** An answer the page cannot use, with what to do about it. */
export class ApiError extends Error {
  code: string;
  field?: string;
  constructor(message: string, code: string, field?: string) {
    super(message);
    this.code = code;
    this.field = field;
  }
  /** What the user can do about it, in a sentence. */
  get advice(): string {
    switch (this.code) {
      case 'UNAUTHENTICATED':
        return 'Your token was refused or has expired: sign in again with a valid token.';
      case 'FORBIDDEN':
        return "Your token's role may not see this: sign in with a token that may.";
      case 'BAD_USER_INPUT':
        return this.field ? `Check ${this.field} and try again.` : 'Check what you entered and try again.';
      case 'NOT_FOUND':
        return 'It may have been removed: go back and pick another.';
      case 'RATE_LIMITED':
        return 'The server is rationing requests: wait a minute, then retry.';
      case 'QUERY_TOO_COMPLEX':
        return 'Ask for fewer rows at a time.';
      case 'TIMEOUT':
        return 'The query took too long: narrow the filters or the dates.';
      case 'NETWORK':
        return 'The server did not answer: check that mvpgraph is running, then retry.';
      default:
        return 'Retry; if it persists, the server log says more.';
    }
  }
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; field?: string } }[];
}

/** Runs a GraphQL operation and returns its data, or throws an ApiError. */
export async function gql<T>(query: string, variables: Record<string, unknown> = {}, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/graphql-response+json, application/json',
  };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }), signal });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError('The server could not be reached.', 'NETWORK');
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError(`The server answered ${res.status} ${res.statusText} without GraphQL.`, res.status === 429 ? 'RATE_LIMITED' : 'NETWORK');
  }
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new ApiError(e.message, e.extensions?.code ?? (res.status === 401 ? 'UNAUTHENTICATED' : 'INTERNAL'), e.extensions?.field);
  }
  if (!body.data) throw new ApiError(`The server answered ${res.status} with no data.`, 'INTERNAL');
  return body.data;
}

export type Role = 'ADMIN' | 'LEAD' | 'PRODUCT_TEAM' | 'ANALYST';

export interface Viewer {
  name: string;
  role: Role;
  lead: { id: string; name: string; kind: string } | null;
  productTeam: { id: string; name: string } | null;
}

export const viewerQuery = `query Viewer { viewer { name role lead { id name kind } productTeam { id name } } }`;

export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Connection<T> {
  totalCount?: number;
  pageInfo: PageInfo;
  edges: { cursor: string; node: T }[];
}

export type Platform = 'TWITTER' | 'YOUTUBE' | 'GITHUB' | 'FACEBOOK' | 'MASTODON' | 'BLUESKY' | 'STACK_EXCHANGE' | 'BLOG';
export type AccountStatus = 'ACTIVE' | 'NOT_FOUND' | 'SUSPENDED' | 'FROZEN' | 'ERROR';

/** Lists every page of a connection by cursor, up to `limit` items. */
export async function allPages<T>(
  fetchPage: (after: string | null) => Promise<Connection<T>>,
  onProgress?: (loaded: number, total: number | undefined) => void,
  limit = 5000,
): Promise<T[]> {
  const items: T[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Connection<T> = await fetchPage(after);
    items.push(...page.edges.map((e) => e.node));
    onProgress?.(items.length, page.totalCount);
    if (!page.pageInfo.hasNextPage || items.length >= limit) return items;
    after = page.pageInfo.endCursor;
  }
}
