/**
 * The files DomeOS's start_node_centos.sh (2017) writes on a node, byte for byte as its `echo "…" > file` lines
 * produce them (docs/design/domeos.md §2.2), rendered for the lab (pure): /etc/sysconfig/kubelet and /etc/sysconfig/kube-proxy
 * (single quotes), /etc/sysconfig/flanneld (double quotes; the master script writes the same one), and their units
 * in /lib/systemd/system. `echo` adds a newline after the text's own last one, so every file ends with a blank line.
 */

export const K8S_INSTALL_PATH = '/usr/sbin/domeos/k8s';
export const FLANNEL_INSTALL_PATH = '/usr/sbin/domeos/flannel';
export const UNIT_DIR = '/lib/systemd/system';
/** DomeOS's FLANNEL_PREFIX (with an empty --etcd-prefix). */
export const FLANNEL_PREFIX = '/flannel/network';
/** start_node_centos.sh's default KUBELET_OPTS. */
export const DEFAULT_KUBELET_OPTS = '--max-pods=70 --pod-infra-container-image=pub.domeos.org/kubernetes/pause:latest';
/** start_*_centos.sh's default KUBE_PROXY_OPTS. */
export const DEFAULT_KUBE_PROXY_OPTS = '--masquerade-all=true --proxy-mode=iptables';
export const DEFAULT_K8S_DATA_DIR = '/var/lib/kubelet';

export interface KubeletSysconfig {
  /** `--api-server` of the script, e.g. `http://127.17.33.30:8080`. */
  readonly apiServer: string;
  readonly clusterDns: string;
  readonly clusterDomain: string;
  /** Default /var/lib/kubelet. */
  readonly rootDir?: string;
  readonly hostnameOverride: string;
  /** Default DEFAULT_KUBELET_OPTS. */
  readonly kubeletOpts?: string;
}

export function renderKubeletSysconfig(p: KubeletSysconfig): string {
  return [
    '# configure file for kubelet',
    '# --api-servers',
    `API_SERVERS='--api-servers=${p.apiServer}'`,
    '# --cluster-dns',
    `CLUSTER_DNS='--cluster-dns=${p.clusterDns}'`,
    '# --cluster-domain',
    `CLUSTER_DOMAIN='--cluster-domain=${p.clusterDomain}'`,
    '# --root-dir',
    `ROOT_DIR='--root-dir=${p.rootDir ?? DEFAULT_K8S_DATA_DIR}'`,
    '# --hostname-override',
    `HOSTNAME_OVERRIDE='--hostname-override=${p.hostnameOverride}'`,
    '# other parameters',
    `KUBELET_OPTS='${p.kubeletOpts ?? DEFAULT_KUBELET_OPTS}'`,
    '',
    '',
  ].join('\n');
}

export function renderKubeletUnit(): string {
  return `[Unit]
Description=kubelet
After=docker.service

[Service]
EnvironmentFile=/etc/sysconfig/kubelet
ExecStart=${K8S_INSTALL_PATH}/current/kubelet $API_SERVERS \\
          $CLUSTER_DNS \\
          $CLUSTER_DOMAIN \\
          $ROOT_DIR \\
          $HOSTNAME_OVERRIDE \\
          $KUBELET_OPTS \\
          $KUBECONFIG
Restart=on-failure

[Install]
WantedBy=multi-user.target

`;
}

/** The node's /etc/sysconfig/kube-proxy. */
export function renderNodeKubeProxySysconfig(p: { readonly apiServer: string; readonly kubeProxyOpts?: string }): string {
  return `# configure file for kube-proxy\n# --master\nKUBE_MASTER='--master=${p.apiServer}'\n# other parameters\nKUBE_PROXY_OPTS='${p.kubeProxyOpts ?? DEFAULT_KUBE_PROXY_OPTS}'\n\n`;
}

/** kube-proxy.service, the same on nodes and on the master. */
export function renderKubeProxyUnit(): string {
  return `[Unit]
Description=kube-proxy

[Service]
EnvironmentFile=/etc/sysconfig/kube-proxy
ExecStart=${K8S_INSTALL_PATH}/current/kube-proxy $KUBE_MASTER \\
          $KUBE_PROXY_OPTS
Restart=on-failure

[Install]
WantedBy=multi-user.target

`;
}

/** `http://` before every entry that has no http:// or https:// (the scripts' loop over --etcd-server(s)). */
export function buildFlannelEtcdServers(etcdServers: readonly string[]): string {
  return etcdServers.map((s) => (s.includes('http://') || s.includes('https://') ? s : `http://${s}`)).join(',');
}

export interface FlanneldSysconfig {
  readonly etcdServers: readonly string[];
  /** `$etcd_prefix$FLANNEL_PREFIX`; default /flannel/network. */
  readonly etcdKey?: string;
  /** The interface flannel uses (the lab uses the host's address). */
  readonly iface: string;
  readonly options?: string;
}

export function renderFlanneldSysconfig(p: FlanneldSysconfig): string {
  return `FLANNEL_ETCD="${buildFlannelEtcdServers(p.etcdServers)}"\nFLANNEL_ETCD_KEY="${p.etcdKey ?? FLANNEL_PREFIX}"\nFLANNEL_IFACE="${p.iface}"\nFLANNEL_OPTIONS="${p.options ?? ''}"\n\n`;
}

export function renderFlanneldUnit(): string {
  return `[Unit]
Description=Flanneld overlay address etcd agent
After=network.target
After=network-online.target
Wants=network-online.target
After=etcd.service
Before=docker.service

[Service]
Type=notify
EnvironmentFile=/etc/sysconfig/flanneld
EnvironmentFile=-/etc/sysconfig/docker-network
ExecStart=${FLANNEL_INSTALL_PATH}/current/flanneld -etcd-endpoints=\${FLANNEL_ETCD} -etcd-prefix=\${FLANNEL_ETCD_KEY} -iface=\${FLANNEL_IFACE} $FLANNEL_OPTIONS
ExecStartPost=/usr/libexec/flannel/mk-docker-opts.sh -k DOCKER_NETWORK_OPTIONS -d /run/flannel/docker
Restart=always

[Install]
WantedBy=multi-user.target
RequiredBy=docker.service

`;
}

/** Docker's drop-in that reads flannel's options (`/usr/lib/systemd/system/docker.service.d/flannel.conf`). */
export const DOCKER_FLANNEL_DROPIN_PATH = '/usr/lib/systemd/system/docker.service.d/flannel.conf';
export function renderDockerFlannelDropIn(): string {
  return '[Service]\nEnvironmentFile=-/run/flannel/docker\n';
}

/** Where start_node_centos.sh writes the kubeconfig of an https master (docs/design/domeos.md §2.2). */
export const KUBELET_KUBECONFIG_PATH = '/etc/sysconfig/kubelet.config';

export interface KubeletKubeconfig {
  readonly server: string;
  /** Host paths. DomeOS writes `insecure-skip-tls-verify: true` and a basic-auth user; a TLS lab verifies. */
  readonly certificateAuthority: string;
  readonly clientCertificate: string;
  readonly clientKey: string;
}

/** The kubeconfig of an https master, in the block style start_node_centos.sh writes, with a CA and client cert. */
export function renderKubeletKubeconfig(p: KubeletKubeconfig): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    'users:',
    '- name: kubelet',
    '  user:',
    `    client-certificate: ${p.clientCertificate}`,
    `    client-key: ${p.clientKey}`,
    'clusters:',
    '- name: local',
    '  cluster:',
    `    certificate-authority: ${p.certificateAuthority}`,
    `    server: ${p.server}`,
    'contexts:',
    '- context:',
    '    cluster: local',
    '    user: kubelet',
    '  name: kubelet-context',
    'current-context: kubelet-context',
    '',
  ].join('\n');
}

/** flanneld's options to reach etcd with a client certificate (FLANNEL_OPTIONS). */
export function buildFlanneldEtcdTlsOptions(p: { readonly ca: string; readonly cert: string; readonly key: string }): string {
  return `-etcd-cafile=${p.ca} -etcd-certfile=${p.cert} -etcd-keyfile=${p.key}`;
}
