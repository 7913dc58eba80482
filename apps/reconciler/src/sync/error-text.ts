/** The message an error is recorded under in the operations and sync_rounds tables. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
