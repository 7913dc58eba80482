import { adviceOf, type ApiError } from '../api/api-error';

/** What went wrong, in the API's words; announced to screen readers as it appears. */
export function ErrorNote({ error }: { error: ApiError | undefined }) {
  if (error === undefined) return null;
  return (
    <p class="error-note" role="alert">
      {adviceOf(error)}
    </p>
  );
}
