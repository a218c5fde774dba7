/**
 * A DomeOS node's configuration files, byte for byte as start_node_centos.sh (2017) writes them
 * (docs/design/domeos.md §2.2): kubelet and kube-proxy in single quotes, flanneld in double quotes, kubelet.config a kubeconfig.
 * Values are the runbook's example environment (old master 10.17.33.30:8080, old etcd .31–.33:4012, node l-33-39).
 */
export const KUBELET =
  '# configure file for kubelet\n' +
  '# --api-servers\n' +
  "API_SERVERS='--api-servers=http://10.17.33.30:8080'\n" +
  '# --cluster-dns\n' +
  "CLUSTER_DNS='--cluster-dns=172.16.40.1'\n" +
  '# --cluster-domain\n' +
  "CLUSTER_DOMAIN='--cluster-domain=domeos.local'\n" +
  '# --root-dir\n' +
  "ROOT_DIR='--root-dir=/var/lib/kubelet'\n" +
  '# --hostname-override\n' +
  "HOSTNAME_OVERRIDE='--hostname-override=l-33-39'\n" +
  '# other parameters\n' +
  "KUBELET_OPTS='--max-pods=70 --pod-infra-container-image=pub.domeos.org/kubernetes/pause:latest'\n";

/** The https variant: the install script appends --kubeconfig to KUBELET_OPTS. */
export const KUBELET_HTTPS = KUBELET.replace('http://10.17.33.30:8080', 'https://10.17.33.30:6443').replace(
  "pause:latest'",
  "pause:latest --kubeconfig=/etc/sysconfig/kubelet.config'",
);

export const KUBE_PROXY =
  '# configure file for kube-proxy\n' +
  '# --master\n' +
  "KUBE_MASTER='--master=http://10.17.33.30:8080'\n" +
  '# other parameters\n' +
  "KUBE_PROXY_OPTS='--masquerade-all=true --proxy-mode=iptables'\n";

export const FLANNELD =
  'FLANNEL_ETCD="http://10.17.33.31:4012,http://10.17.33.32:4012,http://10.17.33.33:4012"\n' +
  'FLANNEL_ETCD_KEY="/flannel/network"\n' +
  'FLANNEL_IFACE="eth0"\n' +
  'FLANNEL_OPTIONS=""\n';

export const KUBELET_CONFIG =
  'apiVersion: v1\n' +
  'kind: Config\n' +
  'users:\n' +
  '- name: kubelet\n' +
  '  user:\n' +
  '    username: admin\n' +
  '    password: admin\n' +
  'clusters:\n' +
  '- name: local\n' +
  '  cluster:\n' +
  '    insecure-skip-tls-verify: true\n' +
  '    server: https://10.17.33.30:6443\n' +
  'contexts:\n' +
  '- context:\n' +
  '    cluster: local\n' +
  '    user: kubelet\n' +
  '  name: kubelet-context\n' +
  'current-context: kubelet-context\n';
