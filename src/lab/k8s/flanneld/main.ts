/**
 * `flanneld` executed as a program (lab-bin/flanneld): one flanneld agent in this process. Node runtimes run
 * the same agent (agent.ts) without a process of its own.
 */
import { runAgentDirectly } from '../../node-runtime/direct.ts';
import { runFlanneld } from './agent.ts';

export function main(args: readonly string[], programPath: string): Promise<number> {
  return runAgentDirectly(runFlanneld, args, programPath, 'main.go');
}
