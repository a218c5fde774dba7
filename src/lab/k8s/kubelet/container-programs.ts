/** Which agent body runs the program of a program image (images.ts), as a container on a lab node. */
import type { AgentMain } from '../../node-runtime/agent.ts';
import { runKube2sky } from '../kube2sky/agent.ts';
import { runSkydns } from '../skydns/agent.ts';
import type { ContainerProgram } from './images.ts';

export const CONTAINER_MAINS: Readonly<Record<ContainerProgram, AgentMain>> = {
  kube2sky: runKube2sky,
  skydns: runSkydns,
};
