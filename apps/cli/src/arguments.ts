import { InvalidArgumentError } from 'commander';

/** A positive whole number (ids, limits); commander reports a bad one as a usage error. */
export function positiveInteger(value: string): number {
  if (!/^[1-9][0-9]{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new InvalidArgumentError('expected a positive whole number');
  }
  return Number(value);
}

/** A finite number, e.g. a priority. */
export function finiteNumber(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number)) throw new InvalidArgumentError('expected a number');
  return number;
}
