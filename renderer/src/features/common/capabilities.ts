import { useProcedure } from '../../api/hooks';

/**
 * What this installation can do (main process: system.capabilities). A screen disables an action
 * that cannot work and says why; the server still refuses it with its typed error.
 * `stripe` is undefined until known: actions stay enabled then (the server has the last word).
 */
export function useCapabilities() {
  const q = useProcedure('system.capabilities', {}, { staleTime: 5 * 60_000 });
  return { stripe: q.data?.stripe };
}
