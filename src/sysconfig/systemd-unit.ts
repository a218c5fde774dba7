/**
 * systemd unit files, as far as the lab supervisor needs them (pure): the [Service] settings that decide how a
 * process is started, restarted and stopped, and ExecStart= expansion with systemd's variable rules
 * (systemd.service(5) "Command lines", systemd.exec(5) "Environment").
 */
import { FerryError } from '../errors.ts';
import { parseTimeSpanMs, splitUnitWords } from './systemd-words.ts';

export const RestartPolicy = { no: 'no', always: 'always', onFailure: 'on-failure' } as const;
export type RestartPolicy = (typeof RestartPolicy)[keyof typeof RestartPolicy];

export interface EnvironmentFileRef {
  readonly path: string;
  /** `EnvironmentFile=-/path`: a missing file is not an error. */
  readonly optional: boolean;
}

export interface ServiceSettings {
  /** The ExecStart= command line with its `-@+!:` prefix removed, not yet split or expanded. */
  readonly execStart: string;
  /** In file order; later files override earlier ones. */
  readonly environmentFiles: readonly EnvironmentFileRef[];
  /** Environment= assignments (EnvironmentFile= variables override these, as in systemd). */
  readonly environment: ReadonlyMap<string, string>;
  /** Default `no`. */
  readonly restart: RestartPolicy;
  /** RestartSec=; default 100 ms (systemd's default). */
  readonly restartSecMs: number;
  /** TimeoutStopSec= (or TimeoutSec=); default 10 000 ms in the lab (systemd's is 90 s). */
  readonly timeoutStopSecMs: number;
  /** The `@` prefix: the word after the executable is argv[0] only (dropped by {@link expandExecStart}). */
  readonly argv0Override: boolean;
}

export interface UnitFile {
  /** Every `Key=Value` line by section, in file order. */
  readonly sections: ReadonlyMap<string, readonly (readonly [string, string])[]>;
  readonly service: ServiceSettings;
}

export const DEFAULT_RESTART_SEC_MS = 100;
export const DEFAULT_TIMEOUT_STOP_SEC_MS = 10_000;

function invalid(unitName: string, message: string): FerryError {
  return new FerryError('LAB_UNIT_INVALID', `${unitName}: ${message}`, {
    hint: 'Fix the unit file (see systemd.service(5)); the lab reads it again at the next start.',
    subjects: { unit: unitName },
  });
}

/** Lines of a unit file, with comments dropped and `\`-continued lines joined (as systemd's config parser does). */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (pending === undefined && (line === '' || line.startsWith('#') || line.startsWith(';'))) continue;
    if (pending !== undefined && (line.startsWith('#') || line.startsWith(';'))) continue;
    const joined = pending === undefined ? line : `${pending} ${line}`;
    if (joined.endsWith('\\')) pending = joined.slice(0, -1);
    else {
      pending = undefined;
      out.push(joined);
    }
  }
  if (pending !== undefined) out.push(pending);
  return out;
}

export function parseUnitSections(text: string, unitName = 'unit'): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current: [string, string][] | undefined;
  for (const line of logicalLines(text)) {
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header !== null) {
      const name = header[1] as string;
      current = sections.get(name) ?? [];
      sections.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw invalid(unitName, `cannot parse line "${line}"`);
    if (current === undefined) throw invalid(unitName, `assignment outside of a section: "${line}"`);
    current.push([line.slice(0, eq).trim(), line.slice(eq + 1).trim()]);
  }
  return sections;
}

export function parseUnitFile(text: string, unitName = 'unit'): UnitFile {
  const sections = parseUnitSections(text, unitName);
  const service = sections.get('Service') ?? [];
  let execStarts: string[] = [];
  let environmentFiles: EnvironmentFileRef[] = [];
  let environment = new Map<string, string>();
  let restart: RestartPolicy = RestartPolicy.no;
  let restartSecMs = DEFAULT_RESTART_SEC_MS;
  let timeoutStopSecMs: number | undefined;
  let timeoutSecMs: number | undefined;
  const timeSpan = (key: string, value: string): number => {
    const ms = parseTimeSpanMs(value);
    if (ms === undefined) throw invalid(unitName, `${key}=${value} is not a time span`);
    return ms;
  };
  for (const [key, value] of service) {
    switch (key) {
      case 'ExecStart':
        // An empty assignment resets the list (systemd.service(5)).
        execStarts = value === '' ? [] : [...execStarts, value];
        break;
      case 'EnvironmentFile':
        if (value === '') environmentFiles = [];
        else if (value.startsWith('-')) environmentFiles.push({ path: value.slice(1), optional: true });
        else environmentFiles.push({ path: value, optional: false });
        break;
      case 'Environment':
        if (value === '') environment = new Map();
        for (const word of splitUnitWords(value, { cunescape: true })) {
          const eq = word.indexOf('=');
          if (eq <= 0) throw invalid(unitName, `Environment= assignment "${word}" has no name`);
          environment.set(word.slice(0, eq), word.slice(eq + 1));
        }
        break;
      case 'Restart':
        if (value !== 'no' && value !== 'always' && value !== 'on-failure') {
          throw invalid(unitName, `Restart=${value} is not supported by the lab (use no, always or on-failure)`);
        }
        restart = value;
        break;
      case 'RestartSec':
        restartSecMs = timeSpan(key, value);
        break;
      case 'TimeoutStopSec':
        timeoutStopSecMs = timeSpan(key, value);
        break;
      case 'TimeoutSec':
        timeoutSecMs = timeSpan(key, value);
        break;
    }
  }
  if (execStarts.length === 0) throw invalid(unitName, 'Service has no ExecStart= setting');
  if (execStarts.length > 1) throw invalid(unitName, 'Service has more than one ExecStart= setting');
  const prefixed = execStarts[0] as string;
  const prefix = /^[-@+!:]*/.exec(prefixed)?.[0] ?? '';
  return {
    sections,
    service: {
      execStart: prefixed.slice(prefix.length).trimStart(),
      environmentFiles,
      environment,
      restart,
      restartSecMs,
      timeoutStopSecMs: timeoutStopSecMs ?? timeoutSecMs ?? DEFAULT_TIMEOUT_STOP_SEC_MS,
      argv0Override: prefix.includes('@'),
    },
  };
}

const WHOLE_WORD_VAR = /^\$([A-Za-z_][A-Za-z0-9_]*)$/;
const BRACED_VAR = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$\$/g;

/**
 * Split and expand an ExecStart= command line the way systemd does: the line is split into words first (quotes
 * and C escapes honoured); then a word that is exactly `$VAR` becomes the variable's value split on whitespace
 * (zero words when empty or unset), and `${VAR}` anywhere in a word is replaced in place, giving one word.
 * Unknown variables expand to nothing; `$$` is a literal `$`.
 */
export function expandExecStart(execStart: string, env: ReadonlyMap<string, string> | Readonly<Record<string, string>>): string[] {
  const lookup = (name: string): string => (env instanceof Map ? env.get(name) : (env as Readonly<Record<string, string>>)[name]) ?? '';
  const out: string[] = [];
  for (const word of splitUnitWords(execStart, { cunescape: true })) {
    const whole = WHOLE_WORD_VAR.exec(word);
    if (whole !== null) {
      // systemd splits the value with EXTRACT_UNQUOTE, so quotes inside the value group words.
      out.push(...splitUnitWords(lookup(whole[1] as string)));
      continue;
    }
    out.push(word.replace(BRACED_VAR, (m: string, name: string | undefined) => (m === '$$' ? '$' : lookup(name ?? ''))));
  }
  return out;
}

/** {@link expandExecStart} for a parsed service, honouring the `@` prefix (the argv[0] word is dropped). */
export function buildServiceArgv(service: ServiceSettings, env: ReadonlyMap<string, string>): string[] {
  const argv = expandExecStart(service.execStart, env);
  if (service.argv0Override && argv.length >= 2) argv.splice(1, 1);
  return argv;
}
