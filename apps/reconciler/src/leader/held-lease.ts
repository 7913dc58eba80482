import type { Lease } from './leader-elector';
import { LeaseLostError } from './leader-elector';
import type { LeaseValidity } from './lease-validity';

/** A term of leadership: its epoch, and the validity of the lock behind it. */
export class HeldLease implements Lease {
  constructor(
    readonly epoch: number,
    readonly since: Date,
    private readonly validity: LeaseValidity,
  ) {}

  get signal(): AbortSignal {
    return this.validity.signal;
  }

  get lossReason(): LeaseLostError | undefined {
    return this.validity.lossReason;
  }

  isValid(): boolean {
    return this.validity.isValid();
  }

  remainingMs(): number {
    return this.validity.remainingMs();
  }

  revoke(reason: LeaseLostError): void {
    this.validity.revoke(reason);
  }

  assertValid(): void {
    if (!this.isValid()) throw this.validity.lossReason ?? new LeaseLostError('expired');
  }
}
