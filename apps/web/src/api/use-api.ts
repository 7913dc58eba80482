import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, asApiError } from './api-error';

export interface Loaded<T> {
  /** The last answer; kept while a reload runs, so the page does not flicker. */
  value: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * Reads from the API when the component mounts and whenever `key` changes, and again on
 * `reload()`. An answer that arrives after a newer request started is dropped.
 */
export function useApi<T>(load: (signal: AbortSignal) => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const [generation, setGeneration] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ ...previous, loading: true }));
    loadRef.current(controller.signal).then(
      (value) => controller.signal.aborted || setState({ value, loading: false }),
      (error: unknown) =>
        controller.signal.aborted || setState((previous) => ({ ...previous, error: asApiError(error), loading: false })),
    );
    return () => controller.abort();
  }, [key, generation]);

  const reload = useCallback(() => setGeneration((count) => count + 1), []);
  return { value: state.value, error: state.error, loading: state.loading, reload };
}

export interface Action<A extends unknown[]> {
  run: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: ApiError | undefined;
}

/** A write the operator starts: busy while it runs (its button disabled), its error kept for the page to show. */
export function useAction<A extends unknown[]>(act: (...args: A) => Promise<unknown>): Action<A> {
  const [state, setState] = useState<{ busy: boolean; error?: ApiError }>({ busy: false });
  const actRef = useRef(act);
  actRef.current = act;
  const run = useCallback(async (...args: A): Promise<boolean> => {
    setState({ busy: true });
    try {
      await actRef.current(...args);
      setState({ busy: false });
      return true;
    } catch (error) {
      setState({ busy: false, error: asApiError(error) });
      return false;
    }
  }, []);
  return { run, busy: state.busy, error: state.error };
}
