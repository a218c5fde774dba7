/**
 * The inventory as operators write it (YAML): every object is strict (an unknown key is an error, which catches
 * misspellings such as `clientUrl`), and fields with a default may be left out. Cross-field rules (URLs match their
 * member's host, no duplicates, …) live in check-*.ts; defaults are applied by normalize.ts, which produces the
 * {@link Inventory} type every other module reads.
 *
 * Each field's `.describe()` text says what a good value looks like: validation uses it as the problem's hint.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { checkDataDir, checkLocalFolder, checkRemoteFile } from './path-rules.ts';

/** Built-in defaults. The etcd ones are those of DomeOS's `start_etcd.sh` (docs/design/domeos.md §2.4). */
export const DEFAULTS = {
  access: {
    user: 'root',
    port: 22,
    knownHosts: '~/.ssh/known_hosts',
    sudo: false,
  },
  etcd: {
    clientPort: 4012,
    peerPort: 4010,
    dataDir: '/var/lib/etcd',
    service: 'etcd',
    binary: '/usr/sbin/domeos/etcd/current/etcd',
    configFile: '/etc/sysconfig/etcd',
    clusterToken: 'domeos-etcd-cluster',
  },
  // 50 nodes at a time: each node takes ~5 s (restart, then a settle check that its services stay up), so a fleet of
  // 1000 is repointed in under 2 minutes (BENCHMARKS.md); the canary and a budget of 0 failures still stop the
  // rollout at the first node that fails.
  rollout: {
    canary: 1,
    batchSize: 100,
    concurrency: 50,
    maxFailures: 0,
    readyTimeoutSeconds: 120,
  },
  dns: {
    namespace: 'default',
    service: 'skydns-svc',
    controllers: ['kube2sky', 'skydns'],
    domain: 'domeos.local',
  },
  domeos: {
    service: 'domeos',
    healthTimeoutSeconds: 60,
  },
} as const;

export const API_VERSION = 'ferry/v1';

// A DNS name: dot-separated labels of letters, digits and inner dashes.
const HOST_NAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** True for an IPv4 or IPv6 address or a DNS host name. All-numeric dotted names must be valid IPv4 addresses. */
export function isHostAddress(value: string): boolean {
  if (isIP(value) !== 0) return true;
  if (/^[0-9.]+$/.test(value)) return false;
  return value.length <= 253 && HOST_NAME.test(value);
}

const hostAddress = z
  .string()
  .refine(isHostAddress, { error: 'is not an IP address or host name' })
  .describe('an IP address or host name, e.g. 10.17.33.21');
const port = z.number().int().min(1).max(65535).describe('a TCP port number from 1 to 65535');
const localPath = z
  .string()
  .min(1, { error: 'must not be empty' })
  .describe('a file path on this machine (~ means your home folder), e.g. ~/.ssh/id_ed25519');
/** A string refined by a path rule of path-rules.ts (whose reason becomes the problem's message). */
function ruled(check: (value: string) => string | undefined) {
  return z.string().refine((value) => check(value) === undefined, { error: (issue) => check(String(issue.input)) ?? 'is not allowed' });
}
const dataDirPath = ruled(checkDataDir).describe('an absolute path on the host of a folder of its own, e.g. /var/lib/etcd');
const remoteFile = ruled(checkRemoteFile).describe('an absolute path of a file on the host, e.g. /etc/sysconfig/etcd');
const labFolder = ruled(checkLocalFolder).describe('a folder of its own on this machine, absolute or under ~, e.g. ~/.ferry/lab');
const serviceName = z
  .string()
  .regex(/^[A-Za-z0-9@._-]+$/, { error: 'is not a service unit name' })
  .describe('a service unit name, e.g. etcd');
const url = z
  .string()
  .min(1, { error: 'must not be empty' })
  .describe('an http:// or https:// URL with host and port, e.g. http://10.17.33.31:4012');
const nonEmpty = z.string().min(1, { error: 'must not be empty' });

const accessFields = {
  user: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, { error: 'is not a user name' })
    .describe('the login user on the hosts, e.g. root')
    .optional(),
  port: port.optional(),
  keyFile: localPath.optional(),
  knownHosts: localPath.optional(),
  sudo: z.boolean().describe('true or false').optional(),
};

/** `access`: one flat object; which fields apply to which mode is checked in check-hosts.ts (with a clearer message). */
export const AccessFileSchema = z.strictObject({
  mode: z.enum(['ssh', 'lab']).describe('ssh (reach real hosts over SSH) or lab (everything runs on this machine)'),
  ...accessFields,
  labDir: labFolder.optional(),
});

/** `hosts.<address>`: overrides of the SSH access fields for one host. */
export const HostOverrideFileSchema = z.strictObject(accessFields);

export const EtcdDefaultsFileSchema = z.strictObject({
  dataDir: dataDirPath.optional(),
  service: serviceName.optional(),
  binary: remoteFile.optional(),
  configFile: remoteFile.optional(),
  clientPort: port.optional(),
  peerPort: port.optional(),
});

export const EtcdMemberFileSchema = z.strictObject({
  // The name goes into `--initial-cluster name=url,…`, so `=`, `,` and spaces are out.
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'is not an etcd member name' })
    .describe('an etcd member name of letters, digits, dots, dashes and underscores, e.g. domeosEtcd3'),
  host: hostAddress,
  clientURL: url.optional(),
  peerURL: url.optional(),
  dataDir: dataDirPath.optional(),
  service: serviceName.optional(),
  binary: remoteFile.optional(),
  configFile: remoteFile.optional(),
});

const member = EtcdMemberFileSchema.describe('a member: a mapping with name and host, e.g. { name: domeosEtcd3, host: 10.17.33.21 }');

export const EtcdTlsFileSchema = z.strictObject({
  ca: localPath.optional(),
  cert: localPath.optional(),
  key: localPath.optional(),
});

export const EtcdFileSchema = z.strictObject({
  // Written into the members' config files: no quotes, spaces or newlines that could start another setting.
  clusterToken: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { error: 'is not a cluster token of letters, digits, dots, dashes and underscores' })
    .describe('the etcd --initial-cluster-token, e.g. domeos-etcd-cluster')
    .optional(),
  tls: EtcdTlsFileSchema.describe('a mapping of TLS file paths: ca, cert, key').optional(),
  allowVoterAdd: z
    .boolean()
    .describe('true or false: let new members join as voters where etcd has no learners (before 3.4), like --allow-voter-add')
    .optional(),
  defaults: EtcdDefaultsFileSchema.describe(
    'a mapping of member settings: clientPort, peerPort, dataDir, service, binary, configFile',
  ).optional(),
  old: z.array(member).describe('a list of the current members, each with name and host'),
  new: z.array(member).describe('a list of the members to move to, each with name and host'),
});

export const MasterHostFileSchema = z.strictObject({
  host: hostAddress,
  apiserver: url.describe('the apiserver URL, e.g. http://10.17.33.30:8080'),
});

const masterHost = MasterHostFileSchema.describe('a mapping with host and apiserver');
export const MasterFileSchema = z.strictObject({
  old: masterHost,
  new: masterHost,
  ca: localPath.describe('the path of the CA bundle that signed the apiservers’ https certificates, e.g. /etc/kubernetes/ssl/ca.pem').optional(),
});

export const NodeFileSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'is not a Kubernetes node name' })
    .describe('the node name as `kubectl get nodes` shows it (lowercase), e.g. l-33-39'),
  host: hostAddress,
});

// Kubernetes object names go into apiserver URL paths: DNS labels only (no `/`, `..`, spaces).
const kubeName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { error: 'is not a Kubernetes name (lowercase letters, digits and inner dashes)' });
export const DnsFileSchema = z.strictObject({
  namespace: kubeName.describe('the namespace of the DNS service, e.g. default').optional(),
  service: kubeName.describe('the DNS service name, e.g. skydns-svc').optional(),
  controllers: z
    .array(kubeName)
    .min(1)
    .describe('a list of the DNS replication controllers, e.g. [kube2sky, skydns]')
    .optional(),
  domain: z.string().regex(HOST_NAME, { error: 'is not a domain name' }).describe('the cluster domain, e.g. domeos.local').optional(),
});

const count = z.number().int({ error: 'must be a whole number' });
export const RolloutFileSchema = z.strictObject({
  canary: count.min(0).describe('how many nodes are repointed alone, first, e.g. 1').optional(),
  batchSize: count.min(1).describe('how many nodes each batch after the canary holds, e.g. 10').optional(),
  concurrency: count.min(1).max(1000).describe('how many nodes are repointed at once within a batch, e.g. 10').optional(),
  maxFailures: count.min(0).describe('the failure budget: the rollout halts when more nodes than this fail, e.g. 0').optional(),
  readyTimeoutSeconds: count.min(1).describe('how long a node may take to be Ready on the new master, e.g. 120').optional(),
});

// A command run on a host as an argv list (never a shell string): the program first, then its arguments.
const argv = z
  .array(nonEmpty)
  .min(1, { error: 'must hold at least the program' })
  .describe('a command as a list of words, program first, e.g. [docker, stop, domeos]');

export const DomeosFileSchema = z.strictObject({
  url: url.describe('the DomeOS console URL, e.g. http://10.17.33.10:8080'),
  cluster: nonEmpty.describe('the cluster name as the DomeOS console shows it'),
  credentialsFile: localPath.optional(),
  host: hostAddress.describe('the address of the host the DomeOS server runs on, e.g. 10.17.33.10').optional(),
  service: serviceName.describe('the service unit that runs the DomeOS server, e.g. domeos').optional(),
  stopCommand: argv.optional(),
  startCommand: argv.describe('a command as a list of words, program first, e.g. [docker, start, domeos]').optional(),
  healthTimeoutSeconds: count.min(1).describe('how long the DomeOS server may take to answer /health after it starts, e.g. 60').optional(),
});

export const InventoryFileSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION).describe(`the inventory format version: ${API_VERSION}`),
  name: z
    .string()
    .regex(/^[a-z0-9-]{1,63}$/, { error: 'may only hold lowercase letters, digits and dashes' })
    .describe('a short name of lowercase letters, digits and dashes, e.g. domeos-example'),
  access: AccessFileSchema.describe('a mapping with mode (ssh or lab) and, for ssh, keyFile'),
  hosts: z
    .record(z.string(), HostOverrideFileSchema.describe('a mapping of access fields, e.g. { port: 2222 }'))
    .describe('a mapping from host address to access overrides, e.g. 10.17.33.21: { port: 2222 }')
    .optional(),
  etcd: EtcdFileSchema.describe('a mapping with the old and new member lists'),
  master: MasterFileSchema.describe('a mapping with old and new, each with host and apiserver').optional(),
  nodes: z
    .array(NodeFileSchema.describe('a node: a mapping with name and host, e.g. { name: l-33-39, host: 10.17.33.39 }'))
    .describe('a list of the Kubernetes nodes, each with name and host')
    .optional(),
  rollout: RolloutFileSchema.describe('a mapping with canary, batchSize, concurrency, maxFailures, readyTimeoutSeconds').optional(),
  dns: DnsFileSchema.describe('a mapping with namespace, service, controllers and domain').optional(),
  domeos: DomeosFileSchema.describe('a mapping with url, cluster and credentialsFile (and host, service, stopCommand, startCommand, healthTimeoutSeconds)').optional(),
});

export type AccessFile = z.infer<typeof AccessFileSchema>;
export type HostOverrideFile = z.infer<typeof HostOverrideFileSchema>;
export type EtcdDefaultsFile = z.infer<typeof EtcdDefaultsFileSchema>;
export type EtcdMemberFile = z.infer<typeof EtcdMemberFileSchema>;
export type EtcdTlsFile = z.infer<typeof EtcdTlsFileSchema>;
export type MasterHostFile = z.infer<typeof MasterHostFileSchema>;
export type NodeFile = z.infer<typeof NodeFileSchema>;
export type DomeosFile = z.infer<typeof DomeosFileSchema>;
/** The inventory file as written, after shape validation and before defaults. */
export type InventoryFile = z.infer<typeof InventoryFileSchema>;
