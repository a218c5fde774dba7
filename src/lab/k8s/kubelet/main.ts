/**
 * `kubelet` executed as a program (lab-bin/kubelet): one kubelet agent in this process. Node runtimes run the
 * same agent (agent.ts) without a process of its own.
 */
import { runAgentDirectly } from '../../node-runtime/direct.ts';
import { runKubelet } from './agent.ts';

export function main(args: readonly string[], programPath: string): Promise<number> {
  return runAgentDirectly(runKubelet, args, programPath, 'kubelet.go');
}
