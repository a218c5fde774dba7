/**
 * Reading flags out of a command line (an argv list: a unit's expanded ExecStart, a container's args). Go's flag
 * package and pflag both take `--flag=value` and `--flag value`, with one or two dashes; the last occurrence wins,
 * as it does for them. Pure.
 */

const FLAG = /^--?([A-Za-z0-9][A-Za-z0-9_.-]*)(?:=(.*))?$/s;

/** The value of `flag` (without dashes), or undefined when absent. `--flag` alone followed by a flag has no value. */
export function readArgvFlag(argv: readonly string[], flag: string): string | undefined {
  let found: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = FLAG.exec(argv[i] as string);
    if (m === null || m[1] !== flag) continue;
    if (m[2] !== undefined) {
      found = m[2];
      continue;
    }
    const next = argv[i + 1];
    if (next !== undefined && !next.startsWith('-')) {
      found = next;
      i++;
    }
  }
  return found;
}

/** A comma list as its non-empty entries, trimmed. */
export function splitList(value: string | undefined): string[] {
  if (value === undefined) return [];
  return value.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** A whole number 0–65535, else undefined. */
export function parsePort(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n <= 65535 ? n : undefined;
}

/** `http://a:1/` → `http://a:1`, a bare `a:1` → `http://a:1`, lowercase scheme and host: for comparing URL lists. */
export function normalizeEndpoint(raw: string): string {
  const value = raw.trim().replace(/\/+$/, '');
  const withScheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(value) ? value : `http://${value}`;
  try {
    const u = new URL(withScheme);
    const port = u.port !== '' ? `:${u.port}` : '';
    return `${u.protocol}//${u.hostname}${port}`;
  } catch {
    return withScheme.toLowerCase();
  }
}

/** True when both lists name the same endpoints, in any order. */
export function isSameEndpointSet(a: readonly string[], b: readonly string[]): boolean {
  const x = new Set(a.map(normalizeEndpoint));
  const y = new Set(b.map(normalizeEndpoint));
  return x.size === y.size && [...x].every((e) => y.has(e));
}
