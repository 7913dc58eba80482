const FORMAT = new Intl.DateTimeFormat(undefined, {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

/** A moment in the viewer's time zone, with the exact ISO time as its machine-readable value. */
export function Timestamp({ at }: { at: string | Date | null | undefined }) {
  if (at === null || at === undefined) return <span class="muted">—</span>;
  const date = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(date.getTime())) return <span>{String(at)}</span>;
  return (
    <time dateTime={date.toISOString()} title={date.toISOString()}>
      {FORMAT.format(date)}
    </time>
  );
}
