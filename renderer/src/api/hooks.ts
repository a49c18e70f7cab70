import { keepPreviousData, useMutation, useQuery, useQueryClient, type UseQueryOptions } from '@tanstack/react-query';
import type { InputOf, OutputOf, ProcedureName } from '../../../shared/contract';
import type { AppError } from '../../../shared/errors';
import { call } from './client';

/** A query of the contract, cached under [name, input]. */
export function useProcedure<K extends ProcedureName>(
  name: K,
  input: InputOf<K>,
  opts: Omit<UseQueryOptions<OutputOf<K>, AppError>, 'queryKey' | 'queryFn'> = {},
) {
  return useQuery<OutputOf<K>, AppError>({
    queryKey: [name, input],
    queryFn: () => call(name, input),
    placeholderData: keepPreviousData,
    ...opts,
  });
}

/** A mutation of the contract; on success, the named query families are refetched. */
export function useMutationProcedure<K extends ProcedureName>(name: K, invalidates: ProcedureName[] = []) {
  const qc = useQueryClient();
  return useMutation<OutputOf<K>, AppError, InputOf<K>>({
    mutationFn: (input) => call(name, input),
    onSuccess: async () => {
      await Promise.all(invalidates.map((n) => qc.invalidateQueries({ queryKey: [n] })));
    },
  });
}
