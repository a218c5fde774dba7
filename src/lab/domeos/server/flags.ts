/**
 * The stand-in's command line: `--state-file PATH` (required), `--listen ADDR:PORT` (default 127.0.0.1:8080),
 * `--watcher-stop-ms` (default 1500), `--session-ttl-ms` (default 30 min), and the seed used when the state file
 * does not exist yet: `--server-url` (default http://<listen>), `--cluster-name` (default `cluster`),
 * `--cluster-api` (default 10.17.33.30:8080), `--cluster-etcd` (default the runbook's old etcd with a trailing
 * comma), `--no-watcher`. `--flag=value` and `--flag value` both work.
 */

export interface DomeosServerOptions {
  readonly stateFile: string;
  readonly host: string;
  readonly port: number;
  readonly watcherStopMs: number;
  readonly sessionTtlMs: number;
  readonly serverUrl: string;
  readonly clusterName: string;
  readonly clusterApi: string;
  readonly clusterEtcd: string;
  readonly withWatcher: boolean;
}

const VALUE_FLAGS = ['state-file', 'listen', 'watcher-stop-ms', 'session-ttl-ms', 'server-url', 'cluster-name', 'cluster-api', 'cluster-etcd'] as const;
type ValueFlag = (typeof VALUE_FLAGS)[number];

export function parseDomeosServerFlags(argv: readonly string[]): { options?: DomeosServerOptions; errors: string[] } {
  const values = new Map<ValueFlag, string>();
  const errors: string[] = [];
  let withWatcher = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const match = /^--([^=]+)(?:=(.*))?$/s.exec(arg);
    if (match === null) {
      errors.push(`unexpected argument "${arg}"`);
      continue;
    }
    const name = match[1] ?? '';
    if (name === 'no-watcher') {
      withWatcher = false;
      continue;
    }
    if (!(VALUE_FLAGS as readonly string[]).includes(name)) {
      errors.push(`unknown flag --${name}`);
      continue;
    }
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) errors.push(`--${name} needs a value`);
    else values.set(name as ValueFlag, value);
  }
  const stateFile = values.get('state-file');
  if (stateFile === undefined || stateFile === '') errors.push('--state-file is required');
  const listen = values.get('listen') ?? '127.0.0.1:8080';
  const listenMatch = /^(.+):(\d{1,5})$/.exec(listen);
  if (listenMatch === null) errors.push(`--listen "${listen}" is not ADDR:PORT`);
  const number = (flag: ValueFlag, fallback: number): number => {
    const raw = values.get(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0) errors.push(`--${flag} "${raw}" is not a non-negative integer`);
    return n;
  };
  const watcherStopMs = number('watcher-stop-ms', 1500);
  const sessionTtlMs = number('session-ttl-ms', 30 * 60 * 1000);
  if (errors.length > 0 || stateFile === undefined || listenMatch === null) return { errors };
  const host = listenMatch[1] ?? '127.0.0.1';
  return {
    errors,
    options: {
      stateFile,
      host,
      port: Number(listenMatch[2]),
      watcherStopMs,
      sessionTtlMs,
      serverUrl: values.get('server-url') ?? `http://${listen}`,
      clusterName: values.get('cluster-name') ?? 'cluster',
      clusterApi: values.get('cluster-api') ?? '10.17.33.30:8080',
      clusterEtcd: values.get('cluster-etcd') ?? 'http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012,',
      withWatcher,
    },
  };
}
