/**
 * How the Kubernetes stand-ins start, written once: the real components answer `--version` and bad flags the
 * same way, so the lab's do too.
 * - kube-controller-manager and kube-scheduler are processes of their own (lab-bin/): lenient flags, `--version`,
 *   warnings for what they ignore, exit 2 for a flag they cannot use, an apiserver client, then run until
 *   SIGTERM/SIGINT and exit 0.
 * - kubelet and kube-proxy are node agents (node-runtime/agent.ts): a refused flag is a usage error (exit 2),
 *   `--version` and `--help` are answered on stdout before anything starts.
 */
import { isFerryError, messageOf } from '../../../errors.ts';
import { writeFlagError, type AgentContext } from '../../node-runtime/agent.ts';
import { KubeClient } from '../client.ts';
import { flagIsSet, parseLenientFlags, type FlagSpec, type LenientFlags } from './flags.ts';
import { createLogger, type Logger } from './log.ts';
import { readProgramVersion } from './version.ts';

export interface ControlPlaneProgram<S extends { readonly master: string }> {
  /** `kube-scheduler`: in its log lines and its user agent. */
  readonly name: string;
  /** Its flags; `version` must be one of them (a bool). */
  readonly flags: FlagSpec;
  /** The settings the flags give; throws (an input error, with a hint) for a flag it cannot use. */
  settings(flags: LenientFlags): S;
  /** The start line's words after `started: `. */
  describe(settings: S): string;
  /** The program's work, until `signal` aborts. */
  run(settings: S, ctx: { readonly client: KubeClient; readonly log: Logger; readonly signal: AbortSignal }): Promise<void>;
}

/** Run a control-plane stand-in invoked as `invokedAs` with `argv`; resolves its exit status. */
export async function runControlPlaneProgram<S extends { readonly master: string }>(program: ControlPlaneProgram<S>, argv: readonly string[], invokedAs: string | undefined): Promise<number> {
  const log = createLogger();
  const version = readProgramVersion(invokedAs);
  const flags = parseLenientFlags(argv, program.flags);
  if (flagIsSet(flags, 'version')) {
    process.stdout.write(`Kubernetes v${version}\n`);
    return 0;
  }
  for (const warning of flags.warnings) log.warn(warning);
  let settings: S;
  try {
    settings = program.settings(flags);
  } catch (err) {
    process.stderr.write(`error: ${messageOf(err)}\n${isFerryError(err) && err.hint !== undefined ? `hint: ${err.hint}\n` : ''}`);
    return 2;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  log.action(`${program.name} v${version} (lab) started: ${program.describe(settings)}`);
  const client = new KubeClient({ master: settings.master, userAgent: `${program.name}/v${version} (lab)` });
  await program.run(settings, { client, log, signal: stop.signal });
  log.action(`${program.name} stopped`);
  return 0;
}

export type KubeAgentFlags<C> = { readonly ok: true; readonly config: C } | { readonly ok: false; readonly message: string };

/**
 * The start of a Kubernetes node agent (kubelet, kube-proxy): its parsed flags and version, or the exit status
 * once it has answered a bad flag, `--version` or `--help` (`help` is the text `--help` prints).
 */
export function startKubeAgent<C extends { readonly version: boolean; readonly help: boolean }>(
  ctx: AgentContext,
  program: string,
  parsed: KubeAgentFlags<C>,
  help: string,
): { readonly config: C; readonly version: string } | number {
  if (!parsed.ok) return writeFlagError(ctx, program, parsed.message);
  const version = readProgramVersion(ctx.argv[0]);
  if (parsed.config.version) {
    ctx.stdout(`Kubernetes v${version}\n`);
    return 0;
  }
  if (parsed.config.help) {
    ctx.stdout(help);
    return 0;
  }
  return { config: parsed.config, version };
}
