// The session lives in memory only: a reload or a new tab asks to sign in
// again, and no token is ever written to localStorage or a cookie readable by
// script. The access token is refreshed before it expires, and the refresh
// token rotates on every use (the server revokes the old one).
export type Kind = "patient" | "professional" | "company_member" | "admin";

export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number; // ms since epoch
  accountId: string;
  kind: Kind;
}

interface TokenAnswer {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  account_id: string;
  kind: Kind;
}

type Listener = (s: Session | null) => void;

let current: Session | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
let refreshing: Promise<Session | null> | null = null;
const listeners = new Set<Listener>();

export function getSession(): Session | null {
  return current;
}

export function onSession(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

function set(s: Session | null) {
  current = s;
  clearTimeout(timer);
  if (s) {
    // refresh a minute before expiry (at least 5 s from now)
    timer = setTimeout(() => void refresh(), Math.max(5_000, s.expiresAt - Date.now() - 60_000));
  }
  listeners.forEach((l) => l(s));
}

function fromAnswer(a: TokenAnswer): Session {
  return {
    accessToken: a.access_token,
    refreshToken: a.refresh_token,
    expiresAt: Date.now() + a.expires_in * 1000,
    accountId: a.account_id,
    kind: a.kind,
  };
}

export class ProblemError extends Error {
  constructor(
    public problem: Problem,
    public status: number,
  ) {
    super(problem.detail || problem.title || `erro ${status}`);
  }
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { field: string; message: string }[];
  request_id?: string;
  consent?: { purpose: string; term_version: string; term_url?: string };
}

async function tokenRequest(body: Record<string, string>): Promise<TokenAnswer> {
  const res = await fetch("/v1/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) {
    const p = (await res.json().catch(() => ({}))) as Problem;
    throw new ProblemError(p, res.status);
  }
  return (await res.json()) as TokenAnswer;
}

export async function signIn(email: string, password: string, kind?: Kind): Promise<Session> {
  const body: Record<string, string> = { grant_type: "password", email, password };
  if (kind) body.account_kind = kind;
  const s = fromAnswer(await tokenRequest(body));
  set(s);
  return s;
}

// refresh rotates the refresh token; concurrent callers share one request.
export function refresh(): Promise<Session | null> {
  const s = current;
  if (!s) return Promise.resolve(null);
  if (!refreshing) {
    refreshing = tokenRequest({ grant_type: "refresh_token", refresh_token: s.refreshToken })
      .then((a) => {
        const n = fromAnswer(a);
        set(n);
        return n;
      })
      .catch(() => {
        set(null);
        return null;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

export async function signOut(): Promise<void> {
  const s = current;
  set(null);
  if (s) {
    await fetch("/v1/auth/logout", {
      method: "POST",
      headers: { Authorization: `Bearer ${s.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: s.refreshToken }),
    }).catch(() => undefined);
  }
}

// authedFetch sends the request with the current token; on a 401 it refreshes
// once and retries (the body is cloned before the first try).
export async function authedFetch(input: Request): Promise<Response> {
  const retry = input.clone();
  const send = (req: Request, token?: string) => {
    if (token) req.headers.set("Authorization", `Bearer ${token}`);
    return fetch(req);
  };
  const res = await send(input, current?.accessToken);
  if (res.status !== 401 || !current) return res;
  const n = await refresh();
  if (!n) return res;
  return send(retry, n.accessToken);
}
