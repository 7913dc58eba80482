import { useState } from 'preact/hooks';

interface SignInPageProps {
  /** The token just refused, if the operator had one. */
  refused: boolean;
  onToken: (token: string) => void;
}

/** Asks for an API token when the gateway answers 401 (auth is on: PODSYNC_API_TOKENS). */
export function SignInPage({ refused, onToken }: SignInPageProps) {
  const [token, setToken] = useState('');
  return (
    <div class="sign-in card">
      <h1>Sign in</h1>
      <p class="muted">This gateway requires an API token. It stays in this browser tab only and is sent as a bearer token.</p>
      {refused && (
        <p class="error-note" role="alert">
          The gateway refused the token; check it and try again.
        </p>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (token.trim() !== '') onToken(token.trim());
        }}
      >
        <label class="field">
          <span class="field-label">API token</span>
          <input
            type="password"
            name="token"
            autoComplete="current-password"
            required
            value={token}
            onInput={(event) => setToken(event.currentTarget.value)}
          />
        </label>
        <div class="form-actions">
          <button type="submit" class="button primary">
            Sign in
          </button>
        </div>
      </form>
    </div>
  );
}
