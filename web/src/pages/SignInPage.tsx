/** Sign in with an access key id and its secret (the JSON API's console session, D33). */
import { type FormEvent, useState } from "react";
import { ApiError } from "../api";
import { useSignIn } from "../session";

export function SignInPage() {
  const signIn = useSignIn();
  const [accessKeyId, setAccessKeyId] = useState("");
  const [secretAccessKey, setSecretAccessKey] = useState("");

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ accessKeyId: accessKeyId.trim(), secretAccessKey });
  };
  const error = signIn.error;
  const message =
    error instanceof ApiError && error.status === 401
      ? "That access key and secret do not match an account. Check both and try again."
      : error instanceof ApiError && error.status === 429
        ? error.problem.detail
        : error?.message;

  return (
    <main className="signin">
      <form onSubmit={submit} className="card" aria-labelledby="signin-title">
        <h1 id="signin-title">Sign in to objbatch</h1>
        <p className="hint">With an access key of your account, the same key pair the job APIs are signed with.</p>
        <label>
          Access key id
          <input
            name="accessKeyId"
            autoComplete="username"
            value={accessKeyId}
            onChange={(e) => setAccessKeyId(e.target.value)}
            required
          />
        </label>
        <label>
          Secret access key
          <input
            name="secretAccessKey"
            type="password"
            autoComplete="current-password"
            value={secretAccessKey}
            onChange={(e) => setSecretAccessKey(e.target.value)}
            required
          />
        </label>
        {message && (
          <p role="alert" className="error">
            {message}
          </p>
        )}
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}
