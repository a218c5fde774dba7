/**
 * A running unit's process as the lab supervisor sees it, whether the supervisor spawned it or a shared node runtime
 * hosts it as an agent: both sides implement or call these, so neither imports the other.
 */
export type ExitListener = (code: number | null, signal: NodeJS.Signals | null) => void;

export interface UnitProcess {
  /** The OS process: the child, or the node runtime hosting the agent. */
  readonly pid: number | undefined;
  /** Deliver a signal (SIGTERM asks to stop, SIGKILL ends at once). */
  kill(signal: NodeJS.Signals): void;
  /** Called once, when the process (or agent) has exited. */
  onExit(listener: ExitListener): void;
}

/** Starts a node program as an agent of a shared runtime (the node-runtime pool implements it). */
export interface AgentLauncher {
  launch(program: string, spec: { readonly argv: readonly string[]; readonly env: NodeJS.ProcessEnv; readonly cwd?: string; readonly logPath: string }): Promise<UnitProcess>;
}
