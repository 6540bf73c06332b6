import { QueryClient, useQuery } from '@tanstack/react-query';
import { api, isApiError, isSignedOutError, setCsrfToken } from './client.ts';
import type { Membership, SignedIn } from './types.ts';

/** Who is signed in: the /auth/me answer, or why nobody is. */
export type MeState = SignedIn | { status: 'signed_out'; reason: 'expired' | null };

export const ME_KEY = ['me'] as const;

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        refetchOnWindowFocus: true,
        // Auth and permission answers do not change by asking again.
        retry: (count, error) =>
          !(isApiError(error) && error.status >= 400 && error.status < 500) && count < 2,
      },
    },
  });
}

async function fetchMe(): Promise<MeState> {
  try {
    const me = await api<SignedIn>('GET', '/auth/me', { quiet: true });
    return me;
  } catch (e) {
    if (isSignedOutError(e)) {
      setCsrfToken(null);
      // A cookie that no longer works is an ended session; no cookie at all is simply signed out.
      return {
        status: 'signed_out',
        reason: isApiError(e) && e.code === 'session_expired' ? 'expired' : null,
      };
    }
    throw e;
  }
}

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000 });
}

/** After a sign-in step: the new session is the truth; everything cached before it goes. */
export function signedIn(queryClient: QueryClient, me: SignedIn): void {
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
  queryClient.setQueryData<MeState>(ME_KEY, me);
}

export function signedOut(queryClient: QueryClient, reason: 'expired' | null): void {
  setCsrfToken(null);
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
  const state: MeState = { status: 'signed_out', reason };
  queryClient.setQueryData<MeState>(ME_KEY, state);
}

const LAST_WORKSPACE = 'parley.workspace';

export function rememberWorkspace(id: string): void {
  try {
    window.localStorage.setItem(LAST_WORKSPACE, id);
  } catch {
    // not remembered; the first workspace is the default
  }
}

/** The workspace to open: the last one used, if still a member, else the first. */
export function defaultWorkspace(workspaces: Membership[]): Membership | null {
  let last: string | null = null;
  try {
    last = window.localStorage.getItem(LAST_WORKSPACE);
  } catch {
    last = null;
  }
  return workspaces.find((w) => w.workspaceId === last) ?? workspaces[0] ?? null;
}
