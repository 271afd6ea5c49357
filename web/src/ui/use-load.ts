import { useCallback, useEffect, useRef, useState } from 'react';
import type { Loadable } from './ui';

/** Loads data with `load` whenever `deps` change; `reload` runs it again. Stale answers are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): [Loadable<T>, () => void, (data: T) => void] {
  const [state, setState] = useState<Loadable<T>>({ status: 'loading' });
  const run = useRef(0);
  // the caller lists what `load` depends on
  const stable = useCallback(load, deps);
  const reload = useCallback(() => {
    const mine = ++run.current;
    setState((s) => (s.status === 'ready' ? s : { status: 'loading' }));
    stable().then(
      (data) => mine === run.current && setState({ status: 'ready', data }),
      (error: unknown) => mine === run.current && setState({ status: 'error', error }),
    );
  }, [stable]);
  useEffect(() => {
    setState({ status: 'loading' });
    reload();
  }, [reload]);
  const set = useCallback((data: T) => setState({ status: 'ready', data }), []);
  return [state, reload, set];
}
