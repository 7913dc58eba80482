/**
 * NATS subject matching: `*` matches exactly one token, a final `>` matches one or more.
 * The embedded bus routes with it so that in-process subscribers see what NATS would deliver.
 */
export function subjectMatches(pattern: string, subject: string): boolean {
  const wanted = pattern.split('.');
  const tokens = subject.split('.');
  for (let i = 0; i < wanted.length; i++) {
    const token = wanted[i];
    if (token === '>') return i === wanted.length - 1 && tokens.length > i;
    if (i >= tokens.length) return false;
    if (token !== '*' && token !== tokens[i]) return false;
  }
  return tokens.length === wanted.length;
}
