/**
 * `kube2sky` executed as a program: one kube2sky agent in this process (a node runtime runs the same agent,
 * agent.ts, as a pod's container).
 */
import { runAgentDirectly } from '../../node-runtime/direct.ts';
import { runKube2sky } from './agent.ts';

export function main(args: readonly string[], programPath: string): Promise<number> {
  return runAgentDirectly(runKube2sky, args, programPath, 'kube2sky.go');
}
