/**
 * Running one agent as a whole process: what happens when a shim in lab-bin/ is executed directly (`kubelet
 * --version` through LabHost.run, a test, or a unit whose program the supervisor does not hand to a node
 * runtime). The working directory is the host's root; the log goes to stderr; signals reach the agent, and an
 * agent that ends by a signal ends the process by that signal.
 */
import { basename } from 'node:path';
import { createStreamLogger } from './agent-log.ts';
import { startNodeAgent, type AgentContext, type AgentMain } from './agent.ts';
import { AgentShared } from './shared.ts';

const FORWARDED: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

/** Resolves the exit code; when the agent was ended by a signal, the process is killed by it instead. */
export async function runAgentDirectly(main: AgentMain, args: readonly string[], programPath: string, source: string): Promise<number> {
  const root = process.cwd();
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  const shared = new AgentShared();
  const ctx: AgentContext = {
    argv: [programPath, ...args],
    env,
    root,
    hostAddress: basename(root),
    log: createStreamLogger(source, process.stderr),
    shared,
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  };
  const agent = startNodeAgent(ctx, main);
  const onSignal = (signal: NodeJS.Signals): void => agent.kill(signal);
  for (const s of FORWARDED) process.on(s, onSignal);
  const exit = await agent.exited;
  for (const s of FORWARDED) process.off(s, onSignal);
  shared.close();
  if (exit.signal !== null) {
    process.kill(process.pid, exit.signal);
    // The default action of the signal ends the process; never resolve before that.
    await new Promise<never>(() => undefined);
  }
  return exit.code ?? 1;
}
