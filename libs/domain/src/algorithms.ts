/** An algorithm name as the catalogue spells it: upper case, usable in a DNS label once lower-cased. */
export const ALGORITHM_NAME = /^[A-Z][A-Z0-9]{0,29}$/;

export const DEFAULT_ALGORITHMS = ['VWAP', 'TWAP', 'HFT'] as const;

/** The algorithms operators may switch on and off, from PODSYNC_ALGORITHMS. */
export class AlgorithmCatalogue {
  readonly names: readonly string[];

  constructor(names: readonly string[]) {
    if (names.length === 0) throw new Error('the algorithm catalogue is empty');
    for (const name of names) {
      if (!ALGORITHM_NAME.test(name)) throw new Error(`"${name}" is not a valid algorithm name`);
    }
    if (new Set(names).size !== names.length) throw new Error('the algorithm catalogue repeats a name');
    this.names = [...names];
  }

  /** The catalogue's own spelling of `name`, matched case-insensitively, or undefined. */
  resolve(name: string): string | undefined {
    // Only ASCII letters fold: toUpperCase() would also turn "ſ" into "S" and "ﬁ" into "FI".
    if (!/^[A-Za-z0-9]+$/.test(name)) return undefined;
    const upper = name.toUpperCase();
    return this.names.find((known) => known === upper);
  }

  /** Every catalogue algorithm mapped to its flag; algorithms without a stored flag are off. */
  flags(enabled: Iterable<string>): Record<string, boolean> {
    const on = new Set(enabled);
    return Object.fromEntries(this.names.map((name) => [name, on.has(name)]));
  }
}
