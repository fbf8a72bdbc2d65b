/**
 * The console session (D33): who is signed in (GET /session; a 401 means no one), signing in with an access key
 * and its secret (POST /session), and signing out (DELETE /session). The session's CSRF token is handed to the
 * API client for every request that changes something.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { ApiError, call, type SessionJson, setCsrfToken } from "./api";

export function useSession() {
  return useQuery({
    queryKey: ["session"],
    queryFn: async () => {
      try {
        const session = await call<SessionJson>("GET", "/session");
        setCsrfToken(session.csrfToken);
        return session;
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useSignIn() {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: (keys: { accessKeyId: string; secretAccessKey: string }) => call<SessionJson>("POST", "/session", keys),
    onSuccess: (session) => {
      setCsrfToken(session.csrfToken);
      // Nothing read under another session is kept; the session's own query stays (its page observes it).
      queries.removeQueries({ predicate: (q) => q.queryKey[0] !== "session" });
      queries.setQueryData(["session"], session);
    },
  });
}

export function useSignOut() {
  const queries = useQueryClient();
  return useMutation({
    mutationFn: () => call<void>("DELETE", "/session"),
    onSettled: () => {
      setCsrfToken(undefined);
      queries.setQueryData(["session"], null);
      queries.removeQueries({ predicate: (q) => q.queryKey[0] !== "session" });
    },
  });
}
