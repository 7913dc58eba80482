/** `<algorithm lower-case>-<client id>`, e.g. `vwap-168317`: a valid DNS label. */
export function podName(algorithm: string, clientId: number): string {
  return `${algorithm.toLowerCase()}-${clientId}`;
}
