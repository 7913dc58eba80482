interface PagerProps {
  /** 1 for the first page. */
  pageNumber: number;
  nextCursor: string | null | undefined;
  busy: boolean;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}

/** Previous / next over a keyset-paginated list: the API gives the next page's cursor, the page keeps the ones it came through. */
export function Pager({ pageNumber, nextCursor, busy, onPrevious, onNext }: PagerProps) {
  if (pageNumber === 1 && (nextCursor === null || nextCursor === undefined)) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" class="button" disabled={busy || pageNumber === 1} onClick={onPrevious}>
        ← Previous
      </button>
      <span class="muted">Page {pageNumber}</span>
      <button
        type="button"
        class="button"
        disabled={busy || nextCursor === null || nextCursor === undefined}
        onClick={() => nextCursor && onNext(nextCursor)}
      >
        Next →
      </button>
    </nav>
  );
}
