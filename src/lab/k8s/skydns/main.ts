/**
 * `skydns` executed as a program: one skydns agent in this process (a node runtime runs the same agent, agent.ts,
 * as a pod's container). Its log lines are Go `log` lines written raw, so the glog source name is unused.
 */
import { runAgentDirectly } from '../../node-runtime/direct.ts';
import { runSkydns } from './agent.ts';

export function main(args: readonly string[], programPath: string): Promise<number> {
  return runAgentDirectly(runSkydns, args, programPath, 'main.go');
}
