import { useState } from 'preact/hooks';
import type { Action } from '../../api/use-api';
import { ErrorNote } from '../../components/error-note';

interface GuardNoticeProps {
  /** Deletions the plan holds back, when known. */
  deletes: number | undefined;
  force: Action<[]>;
}

/**
 * The mass-deletion guard held a round back. Forcing it deletes pods, so it takes two
 * deliberate clicks: the first only asks for confirmation.
 */
export function GuardNotice({ deletes, force }: GuardNoticeProps) {
  const [confirming, setConfirming] = useState(false);
  return (
    <div class="notice notice-warn" role="status">
      <div>
        <strong>Deletions held back.</strong> The last round would have deleted{' '}
        {deletes === undefined ? 'more pods than the guard allows' : `${deletes} pod${deletes === 1 ? '' : 's'}`}; check the plan
        below, then force one round if that is intended.
      </div>
      <div class="notice-actions">
        {confirming ? (
          <>
            <button
              type="button"
              class="button danger"
              disabled={force.busy}
              onClick={() => void force.run().then((done) => done && setConfirming(false))}
            >
              Yes, force the round and delete
            </button>
            <button type="button" class="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        ) : (
          <button type="button" class="button" onClick={() => setConfirming(true)}>
            Force the next round…
          </button>
        )}
      </div>
      <ErrorNote error={force.error} />
    </div>
  );
}
