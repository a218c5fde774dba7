/**
 * The files DomeOS's start_master_centos.sh (2017) writes on the master, byte for byte as its `echo "…" >> file`
 * and `> file` lines produce them for an insecure (no --secure-port) install (docs/design/domeos.md §2.3), rendered for the lab
 * (pure). The master also gets flanneld's sysconfig and unit (node-files.ts) and kube-proxy.service.
 */
import { K8S_INSTALL_PATH } from './node-files.ts';

/** start_master_centos.sh's `K8S_PREFIX`, appended to --etcd-prefix. */
const K8S_PREFIX = '/registry';

export interface ApiserverSysconfig {
  /** The script's --etcd-servers, e.g. `http://127.17.33.31:4012,…`. */
  readonly etcdServers: readonly string[];
  readonly serviceClusterIpRange: string;
  /** The script's --etcd-prefix (normalised to `/x`); none by default. */
  readonly etcdPrefix?: string;
  readonly insecureBindAddress: string;
  readonly insecurePort: number;
  /** An https apiserver on etcd over TLS (a TLS lab); absent: the insecure install above. */
  readonly secure?: SecureApiserver;
}

/** Host paths and the port of an https apiserver whose etcd wants a client certificate. */
export interface SecureApiserver {
  readonly port: number;
  readonly bindAddress: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string;
  readonly etcdCaFile: string;
  readonly etcdCertFile: string;
  readonly etcdKeyFile: string;
}

function renderSecureOpts(s: SecureApiserver): string {
  return (
    ` --bind-address=${s.bindAddress} --tls-cert-file=${s.certFile} --tls-private-key-file=${s.keyFile} --client-ca-file=${s.clientCaFile}` +
    ` --etcd-cafile=${s.etcdCaFile} --etcd-certfile=${s.etcdCertFile} --etcd-keyfile=${s.etcdKeyFile}`
  );
}

export function renderApiserverSysconfig(p: ApiserverSysconfig): string {
  // KUBE_APISERVER_OPTS starts empty; the script appends ` --etcd-prefix=$etcd_prefix$K8S_PREFIX` to it.
  // The lab's deviation from the script: --storage-backend=etcd3, because the stand-in keeps its registry in the v3
  // store, where a real 1.4.7 without the flag would use the v2 store (docs/design/lab-environment.md).
  const opts = `${p.etcdPrefix !== undefined && p.etcdPrefix !== '' ? ` --etcd-prefix=${p.etcdPrefix}${K8S_PREFIX}` : ''} --storage-backend=etcd3${p.secure !== undefined ? renderSecureOpts(p.secure) : ''}`;
  // With --secure-port the script writes SECURE_PORT; the lab keeps the insecure lines too (the controller,
  // scheduler and the master's kube-proxy use the insecure port on the master itself).
  const secure = p.secure === undefined ? '' : `# --secure-port\nSECURE_PORT='--secure-port=${p.secure.port}'\n`;
  return (
    `# configure file for kube-apiserver\n\n# --etcd-servers\nETCD_SERVERS='--etcd-servers=${p.etcdServers.join(',')}'\n` +
    `# --service-cluster-ip-range\nSERVICE_CLUSTER_IP_RANGE='--service-cluster-ip-range=${p.serviceClusterIpRange}'\n` +
    `# other parameters\nKUBE_APISERVER_OPTS='${opts}'\n\n` +
    `\n# --insecure-bind-address\nINSECURE_BIND_ADDRESS='--insecure-bind-address=${p.insecureBindAddress}'\n# --insecure-port\nINSECURE_PORT='--insecure-port=${p.insecurePort}'\n${secure}\n`
  );
}

export function renderApiserverUnit(): string {
  return `[Unit]
Description=kube-apiserver
After=network.target
After=network-online.target
Wants=network-online.target

[Service]
EnvironmentFile=/etc/sysconfig/kube-apiserver
ExecStart=${K8S_INSTALL_PATH}/current/kube-apiserver $ETCD_SERVERS \\
          $SERVICE_CLUSTER_IP_RANGE \\
          $INSECURE_BIND_ADDRESS \\
          $INSECURE_PORT \\
          $KUBE_APISERVER_OPTS \\
          $SECURE_PORT \\
          $CERT_DIR \\
          $BASIC_AUTH_CONFIG
Restart=always

[Install]
WantedBy=multi-user.target

`;
}

/** `http://<host>:<kube-apiserver-port>`, what the controller, scheduler and master kube-proxy are given. */
export function buildMasterURL(host: string, port: number): string {
  return `http://${host}:${port}`;
}

/** start_master_centos.sh's default KUBE_CONTROLLER_MANAGER_OPTS. */
export const DEFAULT_CONTROLLER_OPTS = '--cloud-provider=';

export function renderControllerSysconfig(p: { readonly masterURL: string; readonly controllerOpts?: string }): string {
  return `\n# --master\nKUBE_MASTER='--master=${p.masterURL}'\n\n# configure file for kube-controller-manager\n\n# other parameters\nKUBE_CONTROLLER_OPTS='${p.controllerOpts ?? DEFAULT_CONTROLLER_OPTS}'\n\n`;
}

export function renderControllerUnit(): string {
  return `[Unit]
Description=kube-controller-manager
After=kube-apiserver.service
Wants=kube-apiserver.service

[Service]
EnvironmentFile=/etc/sysconfig/kube-controller
ExecStart=${K8S_INSTALL_PATH}/current/kube-controller-manager $KUBE_MASTER \\
          $KUBE_CONTROLLER_OPTS
Restart=always

[Install]
WantedBy=multi-user.target

`;
}

export function renderSchedulerSysconfig(p: { readonly masterURL: string; readonly schedulerOpts?: string }): string {
  return `\n# --master\nKUBE_MASTER='--master=${p.masterURL}'\n\n# configure file for kube-scheduler\n\n# other parameters\nKUBE_SCHEDULER_OPTS='${p.schedulerOpts ?? ''}'\n\n`;
}

export function renderSchedulerUnit(): string {
  return `[Unit]
Description=kube-scheduler
After=kube-apiserver.service
Wants=kube-apiserver.service

[Service]
EnvironmentFile=/etc/sysconfig/kube-scheduler
ExecStart=${K8S_INSTALL_PATH}/current/kube-scheduler $KUBE_MASTER \\
          $KUBE_SCHEDULER_OPTS
Restart=always

[Install]
WantedBy=multi-user.target

`;
}

/** The master's /etc/sysconfig/kube-proxy (its own layout: KUBE_MASTER first, after a blank line). */
export function renderMasterKubeProxySysconfig(p: { readonly masterURL: string; readonly kubeProxyOpts?: string }): string {
  return `\nKUBE_MASTER='--master=${p.masterURL}'\n\n# configure file for kube-proxy\n# other parameters\nKUBE_PROXY_OPTS='${p.kubeProxyOpts ?? '--masquerade-all=true --proxy-mode=iptables'}'\n\n`;
}
