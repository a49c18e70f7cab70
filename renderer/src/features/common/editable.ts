import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * A form's editable copy of a document the server sent. The copy follows the document when it first
 * loads and whenever a refetch brings a new one (a live change from another desktop, the refetch
 * after a save), but never while the person has edits not yet saved: a refetch must not overwrite
 * what they typed (the plan editor and the approval threshold both did, 2026-12-07).
 * - `edit` changes the copy and marks it edited;
 * - `accept` takes the server's answer to a save: the edit is over and the copy follows the
 *   document again;
 * - `loaded`: the document has arrived; until then the copy is `initial`.
 * `copyOf` may be a new function on every render (only the latest is used).
 */
export function useEditableCopy<D, C>(doc: D | undefined, copyOf: (d: D) => C, initial: C) {
  const [copy, setCopy] = useState<C>(() => (doc === undefined ? initial : copyOf(doc)));
  const edited = useRef(false);
  const latestCopyOf = useRef(copyOf);
  useEffect(() => {
    latestCopyOf.current = copyOf;
  });
  useEffect(() => {
    if (doc !== undefined && !edited.current) setCopy(latestCopyOf.current(doc));
  }, [doc]);
  const edit = useCallback((next: C | ((c: C) => C)) => {
    edited.current = true;
    setCopy(next);
  }, []);
  const accept = useCallback((d: D) => {
    edited.current = false;
    setCopy(latestCopyOf.current(d));
  }, []);
  return { copy, edit, accept, loaded: doc !== undefined };
}
