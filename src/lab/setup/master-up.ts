/**
 * The lab's Kubernetes masters. The OLD master gets exactly what start_master_centos.sh (2017) writes for an
 * insecure install (docs/design/domeos.md §2.3) — with the lab's addresses — and its services started in the script's order:
 * flanneld, kube-apiserver (then /healthz), kube-controller, kube-scheduler, kube-proxy. The NEW master gets a
 * root with the binaries only: ferry's master switch clones the old master's files onto it.
 */
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { FerryError, messageOf } from '../../errors.ts';
import {
  buildMasterURL,
  DEFAULT_CONTROLLER_OPTS,
  renderApiserverSysconfig,
  renderApiserverUnit,
  renderControllerSysconfig,
  renderControllerUnit,
  renderMasterKubeProxySysconfig,
  renderSchedulerSysconfig,
  renderSchedulerUnit,
} from '../domeos/master-files.ts';
import { buildFlanneldEtcdTlsOptions, DOCKER_FLANNEL_DROPIN_PATH, renderDockerFlannelDropIn, renderFlanneldSysconfig, renderFlanneldUnit, renderKubeProxyUnit, UNIT_DIR } from '../domeos/node-files.ts';
import { writeHostFiles } from './host-files.ts';
import { mapPathIntoRoot } from '../paths.ts';
import type { SupervisorClient } from '../supervisor/supervisor-client.ts';
import { LAB_TLS_PATHS } from './tls.ts';

/** The lab's --service-cluster-ip-range (the runbook's 172.16.0.0/13 mapped to loopback). */
export const LAB_SERVICE_CLUSTER_IP_RANGE = '127.16.0.0/13';
/** The master's units in start order (start_master_centos.sh STEP 10–15, docker aside). */
export const OLD_MASTER_UNITS = ['flanneld', 'kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy'] as const;

export interface OldMasterPlan {
  readonly host: string;
  /** The insecure port of the inventory's apiserver URL (8080). */
  readonly port: number;
  /** The old etcd's client URLs. */
  readonly etcdServers: readonly string[];
  /** Extra kube-controller-manager flags after DomeOS's `--cloud-provider=` (e.g. shorter eviction timings). */
  readonly controllerOpts?: string;
  /** The apiserver's --service-cluster-ip-range; default LAB_SERVICE_CLUSTER_IP_RANGE. */
  readonly serviceClusterIpRange?: string;
  /** A TLS lab: the apiserver also serves https on this port, and reaches etcd with the client certificate. */
  readonly securePort?: number;
}

/** flanneld's etcd client certificate options in a TLS lab. */
export const LAB_FLANNELD_TLS_OPTIONS = buildFlanneldEtcdTlsOptions({ ca: LAB_TLS_PATHS.ca, cert: LAB_TLS_PATHS.clientCert, key: LAB_TLS_PATHS.clientKey });

export async function writeOldMasterFiles(root: string, plan: OldMasterPlan): Promise<void> {
  const masterURL = buildMasterURL(plan.host, plan.port);
  const controllerOpts = plan.controllerOpts === undefined || plan.controllerOpts.trim() === '' ? DEFAULT_CONTROLLER_OPTS : `${DEFAULT_CONTROLLER_OPTS} ${plan.controllerOpts.trim()}`;
  await writeHostFiles(root, {
    '/etc/sysconfig/flanneld': renderFlanneldSysconfig({ etcdServers: plan.etcdServers, iface: plan.host, ...(plan.securePort !== undefined ? { options: LAB_FLANNELD_TLS_OPTIONS } : {}) }),
    [DOCKER_FLANNEL_DROPIN_PATH]: renderDockerFlannelDropIn(),
    [`${UNIT_DIR}/flanneld.service`]: renderFlanneldUnit(),
    '/etc/sysconfig/kube-apiserver': renderApiserverSysconfig({
      etcdServers: plan.etcdServers,
      serviceClusterIpRange: plan.serviceClusterIpRange ?? LAB_SERVICE_CLUSTER_IP_RANGE,
      insecureBindAddress: plan.host,
      insecurePort: plan.port,
      ...(plan.securePort !== undefined
        ? {
            secure: {
              port: plan.securePort,
              bindAddress: plan.host,
              certFile: LAB_TLS_PATHS.serverCert,
              keyFile: LAB_TLS_PATHS.serverKey,
              clientCaFile: LAB_TLS_PATHS.ca,
              etcdCaFile: LAB_TLS_PATHS.ca,
              etcdCertFile: LAB_TLS_PATHS.clientCert,
              etcdKeyFile: LAB_TLS_PATHS.clientKey,
            },
          }
        : {}),
    }),
    [`${UNIT_DIR}/kube-apiserver.service`]: renderApiserverUnit(),
    '/etc/sysconfig/kube-controller': renderControllerSysconfig({ masterURL, controllerOpts }),
    [`${UNIT_DIR}/kube-controller.service`]: renderControllerUnit(),
    '/etc/sysconfig/kube-scheduler': renderSchedulerSysconfig({ masterURL }),
    [`${UNIT_DIR}/kube-scheduler.service`]: renderSchedulerUnit(),
    '/etc/sysconfig/kube-proxy': renderMasterKubeProxySysconfig({ masterURL }),
    [`${UNIT_DIR}/kube-proxy.service`]: renderKubeProxyUnit(),
  });
}

async function readLogTail(root: string, unit: string, lines = 15): Promise<string> {
  const text = await readFile(mapPathIntoRoot(root, `/var/log/${unit}.log`), 'utf8').catch(() => '(no log)');
  return text.trimEnd().split('\n').slice(-lines).map((l) => `    ${l}`).join('\n');
}

/** Wait until `GET <url>/healthz` answers `ok`; fails at once when the unit failed. */
export async function waitForApiserver(client: SupervisorClient, root: string, host: string, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      const body = await res.text();
      if (res.status === 200 && body.trim() === 'ok') return;
      last = `HTTP ${res.status}: ${body.slice(0, 200)}`;
    } catch (err) {
      last = messageOf(err);
    }
    const state = (await client.state(host, 'kube-apiserver')).state;
    if (state === 'failed' || Date.now() >= deadline) {
      throw new FerryError('LAB_START_FAILED', `the old master's apiserver ${url} did not become healthy (${state === 'failed' ? 'kube-apiserver failed' : last})\n  /var/log/kube-apiserver.log on ${host}:\n${await readLogTail(root, 'kube-apiserver')}`, {
        hint: 'Look at the apiserver log above; the lab was torn down.',
        subjects: { host },
      });
    }
    await sleep(200);
  }
}

export async function startOldMaster(client: SupervisorClient, root: string, plan: OldMasterPlan, o: { readonly log: (line: string) => void; readonly healthTimeoutMs: number }): Promise<void> {
  const url = buildMasterURL(plan.host, plan.port);
  for (const unit of OLD_MASTER_UNITS) {
    await client.start(plan.host, unit);
    if (unit === 'kube-apiserver') {
      await waitForApiserver(client, root, plan.host, url, o.healthTimeoutMs);
      o.log(`old master's apiserver ${url} is healthy`);
    }
  }
  o.log(`started ${OLD_MASTER_UNITS.join(', ')} on ${plan.host}`);
}
