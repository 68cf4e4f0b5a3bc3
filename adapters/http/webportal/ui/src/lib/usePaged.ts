import { useRef, useState } from "react";
import { useLoad } from "./useLoad";

// A page of a cursor-paged list, as the API returns it.
export type PageOf<T> = { items: T[]; next_cursor?: string | null };

// usePaged loads the first page of a cursor-paged list on mount and when
// deps change (get(undefined); it may return undefined while not ready), and
// appends the next page on more() (get(cursor)). reload() starts again from
// the first page. A reload or a change of deps drops what more() added, and
// a next page that arrives after that is ignored.
export function usePaged<T>(get: (cursor?: string) => Promise<PageOf<T> | undefined>, deps: unknown[] = []) {
  const [items, setItems] = useState<T[]>([]);
  const [cursor, setCursor] = useState<string>();
  const [moreError, setMoreError] = useState<unknown>();
  const [loadingMore, setLoadingMore] = useState(false);
  const round = useRef(0);
  const first = useLoad(async () => {
    const r = ++round.current;
    const p = await get();
    if (r === round.current) {
      setItems(p?.items ?? []);
      setCursor(p?.next_cursor || undefined);
      setMoreError(undefined);
    }
    return p;
  }, deps);
  const more = async () => {
    const r = round.current;
    setLoadingMore(true);
    setMoreError(undefined);
    try {
      const p = await get(cursor);
      if (r !== round.current || !p) return;
      setItems((x) => [...x, ...p.items]);
      setCursor(p.next_cursor || undefined);
    } catch (e) {
      if (r === round.current) setMoreError(e);
    } finally {
      setLoadingMore(false);
    }
  };
  return {
    items,
    // setItems changes an item in place (e.g. after an action on it)
    setItems,
    // loaded: the first page has arrived (an empty list can say so)
    loaded: first.data !== undefined,
    loading: first.loading,
    error: first.error,
    reload: first.reload,
    more,
    hasMore: cursor !== undefined,
    loadingMore,
    moreError,
  };
}

export type Paged<T> = ReturnType<typeof usePaged<T>>;
