/**
 * Command-line flags inside a sysconfig value: DomeOS puts whole flags in its variables
 * (`API_SERVERS='--api-servers=http://10.17.33.30:8080'`, `KUBELET_OPTS='--max-pods=70 --kubeconfig=…'`) and the
 * unit expands them into ExecStart. These helpers read or replace one flag's argument and keep the rest of the value
 * (other flags, the spacing between them) as it was. Both `--flag=arg` and `--flag arg` are understood, with one or
 * two dashes (Go's flag package takes both; kubelet's pflag takes two). Pure.
 */
import { inputError } from '../errors.ts';

export interface FlagRewrite {
  readonly value: string;
  readonly changed: boolean;
  /** How many times the flag was in the value (0: it was missing and `flag=arg` was appended). */
  readonly occurrences: number;
}

function flagName(flag: string): string {
  const name = flag.replace(/^--?/, '');
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw inputError('SYSCONFIG_FLAG_INVALID', `${JSON.stringify(flag)} is not a flag name`);
  return name;
}

interface FlagHit {
  /** Index in the word list of the argument (the `--flag=arg` word itself, or the word after `--flag`). */
  readonly index: number;
  readonly inline: boolean;
}

function findFlag(words: readonly string[], name: string): FlagHit[] {
  const hits: FlagHit[] = [];
  // Words are at even indexes, the whitespace between them at odd ones (split with a capturing group).
  for (let i = 0; i < words.length; i += 2) {
    const w = words[i] as string;
    const m = /^--?([^=]+)(=.*)?$/s.exec(w);
    if (m === null || m[1] !== name) continue;
    if (m[2] !== undefined) hits.push({ index: i, inline: true });
    else if (i + 2 < words.length) {
      hits.push({ index: i + 2, inline: false });
      i += 2; // the argument is not a flag of its own
    }
  }
  return hits;
}

function argOf(words: readonly string[], hit: FlagHit): string {
  const w = words[hit.index] as string;
  return hit.inline ? w.slice(w.indexOf('=') + 1) : w;
}

/** The flag's argument (its last occurrence: the one a flag parser keeps), or undefined when the flag is absent. */
export function readFlagInValue(value: string, flag: string): string | undefined {
  const words = value.split(/([ \t]+)/);
  const last = findFlag(words, flagName(flag)).at(-1);
  return last === undefined ? undefined : argOf(words, last);
}

/** Give every occurrence of `flag` the argument `newArg`; append `flag=newArg` when the value has none. */
export function rewriteFlagInValue(value: string, flag: string, newArg: string): FlagRewrite {
  const name = flagName(flag);
  if (newArg === '' || /[\s\0]/.test(newArg)) {
    throw inputError('SYSCONFIG_VALUE_INVALID', `the argument ${JSON.stringify(newArg)} for --${name} is empty or holds whitespace, which would split it into several words`);
  }
  const words = value.split(/([ \t]+)/);
  const hits = findFlag(words, name);
  if (hits.length === 0) {
    const dashes = flag.startsWith('--') || !flag.startsWith('-') ? '--' : '-';
    const sep = value === '' || /[ \t]$/.test(value) ? '' : ' ';
    return { value: `${value}${sep}${dashes}${name}=${newArg}`, changed: true, occurrences: 0 };
  }
  let changed = false;
  for (const hit of hits) {
    if (argOf(words, hit) === newArg) continue;
    const w = words[hit.index] as string;
    words[hit.index] = hit.inline ? `${w.slice(0, w.indexOf('=') + 1)}${newArg}` : newArg;
    changed = true;
  }
  return { value: words.join(''), changed, occurrences: hits.length };
}
