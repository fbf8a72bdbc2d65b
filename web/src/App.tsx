/**
 * The console: the sign-in page until a session exists, then the pages under a header with the account and a
 * sign-out button. The account's event stream is open while signed in (live.ts).
 */
import { Link, Route, Switch } from "wouter";
import { useAccountEvents } from "./live";
import { JobPage } from "./pages/JobPage";
import { JobsPage } from "./pages/JobsPage";
import { NewJobPage } from "./pages/NewJobPage";
import { SignInPage } from "./pages/SignInPage";
import { useSession, useSignOut } from "./session";

export function App() {
  const session = useSession();
  const signOut = useSignOut();
  useAccountEvents(session.data != null);

  if (session.isPending) return <p className="loading">Loading…</p>;
  if (session.isError) {
    return (
      <main className="page">
        <p role="alert" className="error">
          {(session.error as Error).message}
        </p>
      </main>
    );
  }
  if (session.data === null) return <SignInPage />;

  return (
    <>
      <header className="topbar">
        <Link href="/" className="brand">
          objbatch
        </Link>
        <nav aria-label="Main">
          <Link href="/">Jobs</Link>
          <Link href="/new">New job</Link>
        </nav>
        <span className="account" title={`access key ${session.data.accessKeyId}`}>
          Account {session.data.accountId}
        </span>
        <button type="button" className="quiet" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
          Sign out
        </button>
      </header>
      <main className="page">
        <Switch>
          <Route path="/" component={JobsPage} />
          <Route path="/new" component={NewJobPage} />
          <Route path="/jobs/:jobId">{(params) => <JobPage jobId={params.jobId} />}</Route>
          <Route>
            <h1>Not found</h1>
            <p>
              There is no such page. <Link href="/">Back to the jobs</Link>
            </p>
          </Route>
        </Switch>
      </main>
    </>
  );
}
