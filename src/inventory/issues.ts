/**
 * Turns zod's issues into findings an operator can act on: the path in the file, what is wrong with the value
 * found there, and a hint taken from the field's `.describe()` text in schema.ts (or, for an unknown key, the keys
 * allowed at that place and the likely intended one).
 */
import { z } from 'zod';
import { error, show } from './problems.ts';
import type { Finding, Segment } from './problems.ts';

type Schema = z.core.$ZodType;

function unwrap(schema: Schema): Schema {
  let s = schema;
  while (s instanceof z.core.$ZodOptional || s instanceof z.core.$ZodDefault || s instanceof z.core.$ZodNullable) {
    s = s._zod.def.innerType;
  }
  return s;
}

/** The schema at a path below `root` (possibly wrapped in optional), or undefined when the path leaves the schema. */
export function schemaAt(root: Schema, segments: readonly Segment[]): Schema | undefined {
  let s: Schema | undefined = root;
  for (const seg of segments) {
    const at: Schema = unwrap(s);
    if (at instanceof z.core.$ZodObject && typeof seg === 'string') s = at._zod.def.shape[seg];
    else if (at instanceof z.core.$ZodArray && typeof seg === 'number') s = at._zod.def.element;
    else if (at instanceof z.core.$ZodRecord && typeof seg === 'string') s = at._zod.def.valueType;
    else return undefined;
    if (s === undefined) return undefined;
  }
  return s;
}

function describeAt(root: Schema, segments: readonly Segment[]): string | undefined {
  const s = schemaAt(root, segments);
  if (s === undefined) return undefined;
  return z.globalRegistry.get(s)?.description ?? z.globalRegistry.get(unwrap(s))?.description;
}

function keysAt(root: Schema, segments: readonly Segment[]): string[] {
  const s = schemaAt(root, segments);
  const inner = s === undefined ? undefined : unwrap(s);
  return inner instanceof z.core.$ZodObject ? Object.keys(inner._zod.def.shape) : [];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** The allowed key the operator most likely meant: same letters in another case, or at most 2 edits away. */
export function closestKey(key: string, allowed: readonly string[]): string | undefined {
  const sameCase = allowed.find((k) => k.toLowerCase() === key.toLowerCase());
  if (sameCase !== undefined) return sameCase;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of allowed) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

const EXPECTED: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
  record: 'a mapping (key: value lines)',
};

/** The name of the field at a path, for messages: the last key (`peerURL`), or `entry 2` for a list element. */
function fieldName(segments: readonly Segment[]): string {
  const last = segments[segments.length - 1];
  if (last === undefined) return 'the inventory';
  return typeof last === 'number' ? `entry ${last}` : last;
}

function convert(issue: z.core.$ZodIssue, root: Schema): Finding[] {
  const segments = segmentsOf(issue);
  const description = describeAt(root, segments);
  const field = fieldName(segments);
  const hint = description === undefined ? undefined : `${field} should be ${description}`;
  const got = show(issue.input);

  // A missing key shows up as whatever the field's type says (invalid_type, invalid_value for a literal, …).
  if (issue.input === undefined && issue.code !== 'unrecognized_keys' && segments.length > 0) {
    return [error(segments, `${field} is required but missing`, description === undefined ? undefined : `add ${field}: ${description}`)];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = keysAt(root, segments);
      return issue.keys.map((key) => {
        const guess = closestKey(key, allowed);
        const message = guess === undefined ? `unknown key ${key}` : `unknown key ${key} (did you mean ${guess}?)`;
        const keyHint =
          allowed.length === 0
            ? 'remove it'
            : `remove it or fix its spelling; the keys allowed here are ${allowed.join(', ')}`;
        return error([...segments, key], message, keyHint);
      });
    }
    case 'invalid_type': {
      if (segments.length === 0) {
        return [error(segments, `the inventory must be a mapping of sections (apiVersion, name, access, etcd, …), got ${got}`, 'start from examples/seed.yaml')];
      }
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return [error(segments, `${field} must be ${expected}, got ${got}`, hint)];
    }
    case 'invalid_value': {
      const allowed = issue.values.map((v) => (typeof v === 'string' ? v : String(v))).join(' or ');
      return [error(segments, `${field} ${got} is not allowed; expected ${allowed}`, hint)];
    }
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${issue.minimum}` : `at most ${issue.maximum}`;
      if (issue.origin === 'array') return [error(segments, `${field} must have ${bound} entries, got ${got}`, hint)];
      if (issue.origin === 'string') return [error(segments, `${field} ${issue.message}`, hint)];
      return [error(segments, `${field} must be ${bound}, got ${got}`, hint)];
    }
    case 'invalid_format':
    case 'custom':
      // schema.ts words these messages to follow the value: `"10.0.0.x" is not an IP address or host name`.
      return [error(segments, `${field} ${got} ${issue.message}`, hint)];
    default:
      return [error(segments, `${field} ${got}: ${issue.message}`, hint)];
  }
}

function segmentsOf(issue: z.core.$ZodIssue): Segment[] {
  return issue.path.filter((p): p is Segment => typeof p === 'string' || typeof p === 'number');
}

/**
 * Every issue of a failed parse, as findings (one per unknown key). A required key that is missing because it was
 * misspelt (`acess:`) is reported once, as the unknown key with its suggestion, not a second time as missing.
 */
export function findingsFromIssues(issues: readonly z.core.$ZodIssue[], root: Schema): Finding[] {
  const suggested = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const segments = segmentsOf(issue);
    const allowed = keysAt(root, segments);
    for (const key of issue.keys) {
      const guess = closestKey(key, allowed);
      if (guess !== undefined) suggested.add(JSON.stringify([...segments, guess]));
    }
  }
  const misspelt = (issue: z.core.$ZodIssue): boolean =>
    issue.input === undefined && issue.code !== 'unrecognized_keys' && suggested.has(JSON.stringify(segmentsOf(issue)));
  return issues.filter((issue) => !misspelt(issue)).flatMap((issue) => convert(issue, root));
}
