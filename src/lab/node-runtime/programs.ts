/** Which agent body runs which node program, and the source name its log lines carry (glog's `file.go]`). */
import { runFlanneld } from '../k8s/flanneld/agent.ts';
import { runKubeProxy } from '../k8s/kube-proxy/agent.ts';
import { runKubelet } from '../k8s/kubelet/agent.ts';
import type { AgentMain, AgentProgram } from './agent.ts';

export const AGENT_MAINS: Readonly<Record<AgentProgram, AgentMain>> = {
  kubelet: runKubelet,
  'kube-proxy': runKubeProxy,
  flanneld: runFlanneld,
};

export const AGENT_LOG_SOURCES: Readonly<Record<AgentProgram, string>> = {
  kubelet: 'kubelet.go',
  'kube-proxy': 'server.go',
  flanneld: 'main.go',
};
