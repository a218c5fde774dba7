/**
 * `kube-proxy` executed as a program (lab-bin/kube-proxy): one kube-proxy agent in this process. Node runtimes
 * run the same agent (agent.ts) without a process of its own.
 */
import { runAgentDirectly } from '../../node-runtime/direct.ts';
import { runKubeProxy } from './agent.ts';

export function main(args: readonly string[], programPath: string): Promise<number> {
  return runAgentDirectly(runKubeProxy, args, programPath, 'server.go');
}
