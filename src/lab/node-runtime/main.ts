/**
 * A node runtime: one process that runs many node agents (kubelets, kube-proxies, flanneds of many lab hosts),
 * forked by the lab supervisor with an IPC channel (pool.ts): `node --import tsx main.ts <labDir>`. Each agent gets
 * the argv, environment, working directory and log file its unit would give a process; its exit goes back to the
 * supervisor, which applies the unit's Restart= policy. A kubelet's containers live here too (kept in the shared
 * resources, they outlive the kubelet agent) and end with the runtime. The runtime ends when the supervisor says so
 * or goes away. Its own output (stdout/stderr) is the supervisor's log.
 */
import { basename } from 'node:path';
import { messageOf } from '../../errors.ts';
import { createFileLogger } from './agent-log.ts';
import { startNodeAgent, type AgentContext, type NodeAgent } from './agent.ts';
import { AGENT_LOG_SOURCES, AGENT_MAINS } from './programs.ts';
import { parseToRuntime, type FromRuntime, type StartAgentMessage } from './protocol.ts';
import { AgentShared } from './shared.ts';

const agents = new Map<string, NodeAgent>();
const shared = new AgentShared();
shared.onBusyChange((busy) => send({ t: 'busy', busy }));

function say(line: string): void {
  process.stdout.write(`${new Date().toISOString()} node-runtime[${process.pid}] ${line}\n`);
}

function send(message: FromRuntime): void {
  if (process.connected) process.send?.(message);
}

function start(m: StartAgentMessage): void {
  if (agents.has(m.id)) {
    send({ t: 'start-failed', id: m.id, message: `agent ${m.id} is already running` });
    return;
  }
  const log = createFileLogger(AGENT_LOG_SOURCES[m.program], m.logPath);
  const ctx: AgentContext = {
    argv: m.argv,
    env: m.env,
    root: m.cwd,
    hostAddress: basename(m.cwd),
    log,
    shared,
    stdout: (text) => log.write(text),
    stderr: (text) => log.write(text),
  };
  let agent: NodeAgent;
  try {
    agent = startNodeAgent(ctx, AGENT_MAINS[m.program]);
  } catch (err) {
    send({ t: 'start-failed', id: m.id, message: messageOf(err) });
    return;
  }
  agents.set(m.id, agent);
  send({ t: 'started', id: m.id });
  void agent.exited.then((exit) => {
    if (agents.get(m.id) === agent) agents.delete(m.id);
    send({ t: 'exit', id: m.id, code: exit.code, signal: exit.signal });
  });
}

function shutdown(reason: string): void {
  say(`${reason}; ending ${agents.size} agent(s)`);
  for (const agent of agents.values()) agent.kill('SIGKILL');
  shared.close();
  // Let the last exit messages go out before the channel closes.
  setImmediate(() => process.exit(0));
}

process.on('message', (raw: unknown) => {
  const m = parseToRuntime(raw);
  if (m === undefined) {
    say(`ignoring a malformed message: ${JSON.stringify(raw).slice(0, 200)}`);
    return;
  }
  if (m.t === 'start') start(m);
  else if (m.t === 'signal') agents.get(m.id)?.kill(m.signal);
  else shutdown('asked to shut down');
});
process.on('disconnect', () => shutdown('the supervisor went away'));
// A broken agent must not take hundreds of others down with it: log, keep going.
process.on('uncaughtException', (err) => say(`uncaught: ${err.stack ?? messageOf(err)}`));
process.on('unhandledRejection', (err) => say(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));
// The supervisor stops agents through messages; a SIGTERM to the runtime ends them all like a host going down.
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);

if (process.send === undefined) {
  process.stderr.write('node-runtime: must be started by the lab supervisor (with an IPC channel)\n');
  process.exit(2);
}
say(`ready (lab ${process.argv[2] ?? '?'})`);
send({ t: 'ready', pid: process.pid });
