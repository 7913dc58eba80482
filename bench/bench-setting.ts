/** A whole-number setting of a benchmark from its environment variable, checked against its range. */
export function wholeNumberSetting(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name}=${raw}: expected a whole number from ${min} to ${max}`);
  return value;
}
