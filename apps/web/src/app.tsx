import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { onSignInRequired } from './api/api';
import { LiveEventsProvider, useLiveFeed } from './api/live-events';
import { sessionToken } from './api/session-token';
import { ClientPage } from './pages/client/client-page';
import { ClusterPage } from './pages/cluster/cluster-page';
import { EventsPage } from './pages/events/events-page';
import { FleetPage } from './pages/fleet/fleet-page';
import { SignInPage } from './pages/sign-in/sign-in-page';
import { hrefOf, type Route } from './routing/route';
import { useRoute } from './routing/use-route';

/** The dashboard: a header with the pages and the stream's state, the page of the URL, or the sign-in when the API wants a token. */
export function App() {
  const [signInRequired, setSignInRequired] = useState(false);
  // Bumped on sign-in and sign-out, so that every view and the stream start again with the new token.
  const [session, setSession] = useState(0);
  useEffect(() => onSignInRequired(() => setSignInRequired(true)), []);

  if (signInRequired) {
    return (
      <Shell signedIn={false} onSignOut={undefined}>
        <SignInPage
          refused={sessionToken.read() !== undefined}
          onToken={(token) => {
            sessionToken.write(token);
            setSignInRequired(false);
            setSession(session + 1);
          }}
        />
      </Shell>
    );
  }
  const signOut =
    sessionToken.read() === undefined
      ? undefined
      : () => {
          sessionToken.clear();
          setSession(session + 1);
        };
  return (
    <LiveEventsProvider key={session}>
      <Shell signedIn onSignOut={signOut}>
        <Page key={session} />
      </Shell>
    </LiveEventsProvider>
  );
}

function Page() {
  const route = useRoute();
  return (
    <main id="main" tabIndex={-1}>
      {pageOf(route)}
    </main>
  );
}

function pageOf(route: Route) {
  switch (route.page) {
    case 'fleet':
      return <FleetPage />;
    case 'client':
      return <ClientPage key={route.clientId} clientId={route.clientId} />;
    case 'cluster':
      return <ClusterPage />;
    case 'events':
      return <EventsPage />;
    case 'not-found':
      return (
        <div class="card">
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.hash}</code>. Go to the <a href={hrefOf.fleet}>fleet</a>.
          </p>
        </div>
      );
  }
}

interface ShellProps {
  signedIn: boolean;
  onSignOut: (() => void) | undefined;
  children: ComponentChildren;
}

function Shell({ signedIn, onSignOut, children }: ShellProps) {
  const route = useRoute();
  const current = (page: Route['page'][]) => (page.includes(route.page) ? 'page' : undefined);
  return (
    <>
      {/* The hash names the page, so the skip link moves the focus itself rather than through the URL. */}
      <a
        class="skip-link"
        href="#main"
        onClick={(event) => {
          event.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href={hrefOf.fleet}>
          podsync
        </a>
        <nav aria-label="Pages" class="nav">
          <a href={hrefOf.fleet} aria-current={current(['fleet', 'client'])}>
            Fleet
          </a>
          <a href={hrefOf.cluster} aria-current={current(['cluster'])}>
            Cluster
          </a>
          <a href={hrefOf.events} aria-current={current(['events'])}>
            Live feed
          </a>
        </nav>
        <div class="topbar-end">
          {signedIn && <StreamState />}
          {onSignOut !== undefined && (
            <button type="button" class="button small" onClick={onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </header>
      <div class="content">{children}</div>
    </>
  );
}

/** Whether the page is following the event stream, which keeps every view current. */
function StreamState() {
  const { status } = useLiveFeed();
  const label = status === 'live' ? 'Live' : status === 'connecting' ? 'Connecting…' : 'Reconnecting…';
  return (
    <span class={`stream-state stream-${status}`} role="status" title="The event stream that keeps this page current">
      <span class="pod-dot" aria-hidden="true" />
      {label}
    </span>
  );
}
