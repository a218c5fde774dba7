/**
 * What discovery reads from a systemd unit file: the EnvironmentFile= it reads and its ExecStart= command line,
 * expanded the way systemd would run it (the lab supervisor's expansion rules, src/sysconfig/systemd-unit.ts). Tolerant:
 * settings the lab does not support (Restart=on-abnormal, ...) do not matter here. Pure.
 */
import { messageOf } from '../errors.ts';
import { expandExecStart, parseUnitSections } from '../sysconfig/systemd-unit.ts';
import { splitUnitWords } from '../sysconfig/systemd-words.ts';
import { parseEnvironmentFile } from '../sysconfig/envfile.ts';

export interface UnitSummary {
  /** EnvironmentFile= paths in file order (a leading `-` removed). */
  readonly environmentFiles: readonly string[];
  /** The last ExecStart= with its `-@+!:` prefix removed; undefined when the unit has none. */
  readonly execStart?: string;
}

export type UnitParse = { readonly ok: true; readonly unit: UnitSummary } | { readonly ok: false; readonly reason: string };

export function parseUnitSummary(text: string, unitName: string): UnitParse {
  let sections: Map<string, [string, string][]>;
  try {
    sections = parseUnitSections(text, unitName);
  } catch (err) {
    return { ok: false, reason: messageOf(err) };
  }
  let environmentFiles: string[] = [];
  let execStart: string | undefined;
  for (const [key, value] of sections.get('Service') ?? []) {
    if (key === 'EnvironmentFile') environmentFiles = value === '' ? [] : [...environmentFiles, value.replace(/^-/, '')];
    else if (key === 'ExecStart') execStart = value === '' ? undefined : value.replace(/^[-@+!:]+/, '').trimStart();
  }
  return { ok: true, unit: { environmentFiles, ...(execStart !== undefined ? { execStart } : {}) } };
}

/**
 * The command line the unit runs: ExecStart= expanded with the variables of its environment file(s). Without a
 * unit, the variables' values in file order (DomeOS's units pass every variable as one `$VAR` word each).
 */
export function buildCommandLine(unit: UnitSummary | undefined, envText: string | undefined): string[] {
  const env = envText === undefined ? new Map<string, string>() : parseEnvironmentFile(envText);
  if (unit?.execStart !== undefined) return expandExecStart(unit.execStart, env);
  return [...env.values()].flatMap((value) => splitUnitWords(value));
}

/** The program ExecStart= runs (its first word), undefined when it has none or it is not an absolute path. */
export function readExecProgram(unit: UnitSummary): string | undefined {
  if (unit.execStart === undefined) return undefined;
  const first = splitUnitWords(unit.execStart)[0];
  return first !== undefined && first.startsWith('/') ? first : undefined;
}
