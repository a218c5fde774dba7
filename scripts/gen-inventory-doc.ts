/**
 * Generates docs/inventory.md, the inventory reference, from the inventory's zod schema (src/inventory/schema.ts:
 * each field's shape, whether it is required, and its `.describe()` text, which says what a good value looks like)
 * and DEFAULTS, plus the meaning of each field, written here. Every field of the schema must have a meaning below
 * and every meaning a field: a schema change that is not documented makes `buildInventoryDoc` throw.
 *
 *   npm run docs                 rewrite docs/inventory.md
 *   npm run docs -- --check      exit 1 when docs/inventory.md is out of date (test/unit/docs/inventory-doc.test.ts)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { API_VERSION, DEFAULTS, InventoryFileSchema } from '../src/inventory/schema.ts';

export const INVENTORY_DOC = fileURLToPath(new URL('../docs/inventory.md', import.meta.url));

const code = (v: unknown) => `\`${Array.isArray(v) ? `[${v.join(', ')}]` : String(v)}\``;
const E = DEFAULTS.etcd;

/** What each field is for. Keys are paths: `etcd.old[].name`, `hosts.<address>.port`. */
const MEANING: Readonly<Record<string, string>> = {
  apiVersion: 'The format of the file. ferry refuses any other value, so a file written for a future format is never half-read.',
  name: 'Names this migration in its plans, run reports and the dashboard.',
  access: 'How ferry reaches the hosts: over SSH (real machines) or in the lab (everything on this machine, see `ferry lab`).',
  'access.mode': '`ssh`: every host is a real machine reached over SSH ([ssh.md](ssh.md)). `lab`: every host is a 127.x.y.z address on this machine, run by the lab (`ferry lab up`).',
  'access.user': "The SSH login user. DomeOS's scripts run as root; another user needs `sudo: true` and write access to the files ferry changes (SFTP runs as this user).",
  'access.port': 'The SSH port of every host (per host: `hosts.<address>.port`).',
  'access.keyFile':
    'The private key ferry logs in with (public-key authentication only): the PATH of an unencrypted OpenSSH or PEM key. The key itself never goes in the inventory, and its contents never appear in logs or errors. Required with `mode: ssh`.',
  'access.knownHosts':
    'The known_hosts file the host keys are checked against before logging in (plain, hashed and `[host]:port` entries; `@revoked` honoured). An unknown or changed key is refused, never accepted silently; a missing file means every host is unknown. See [ssh.md](ssh.md#host-keys-and-known_hosts).',
  'access.sudo': 'Run commands as `sudo -n -- COMMAND…` (passwordless sudo) when `user` is not root. File reads and writes (SFTP) still run as `user`.',
  'access.labDir': 'The lab folder, with `mode: lab` only: where the lab keeps its hosts, state and logs.',
  hosts: 'Access settings for single hosts, keyed by a host address used elsewhere in the inventory; a field given here replaces the `access` one for that host only.',
  'hosts.<address>': 'One host\'s overrides, e.g. `10.17.33.21: { port: 2222, user: admin, sudo: true }`.',
  'hosts.<address>.user': '`access.user` for this host.',
  'hosts.<address>.port': '`access.port` for this host.',
  'hosts.<address>.keyFile': '`access.keyFile` for this host.',
  'hosts.<address>.knownHosts': '`access.knownHosts` for this host.',
  'hosts.<address>.sudo': '`access.sudo` for this host.',
  etcd: 'The etcd cluster as it runs today (`old`) and as it will run (`new`), and how to reach it.',
  'etcd.clusterToken': "The `--initial-cluster-token` the old cluster was created with; each new member joins with it (taken from the old member's config when it has one).",
  'etcd.allowVoterAdd':
    'etcd before 3.4 has no learners: a new member can only join as a voting member, and from its add until it has caught up the cluster tolerates no failure. `true` allows that (as `--allow-voter-add` does); without it such a cluster is refused with ETCD_VOTER_ADD_NOT_ALLOWED. Ignored on etcd 3.4 and later, where members join as learners.',
  'etcd.tls': "TLS for ferry's own connections to the members' client URLs (https). DomeOS's scripts set up plain http, so usually absent.",
  'etcd.tls.ca': 'The CA bundle that signed the members\' client certificates. Without it only the system\'s CAs are trusted.',
  'etcd.tls.cert': 'A client certificate, when the members require one (`--client-cert-auth`); needs `key`.',
  'etcd.tls.key': "The client certificate's private key; needs `cert`.",
  'etcd.defaults': 'Settings every member shares unless the member sets its own.',
  'etcd.defaults.dataDir': 'The data directory on each member\'s host.',
  'etcd.defaults.service': 'The service unit that runs etcd on each member\'s host.',
  'etcd.defaults.binary': 'The etcd binary on each member\'s host (written into the new members\' unit).',
  'etcd.defaults.configFile': 'The file the etcd unit reads its flags from (`EnvironmentFile=`).',
  'etcd.defaults.clientPort': "The client port: a member's `clientURL` defaults to `http://<host>:<clientPort>`.",
  'etcd.defaults.peerPort': "The peer port: a member's `peerURL` defaults to `http://<host>:<peerPort>`.",
  'etcd.old': 'The members as they run today (`etcdctl member list` shows them). Names and peer URLs must match the running members; ferry checks them against the live cluster before planning.',
  'etcd.old[]': 'One member.',
  'etcd.old[].name': 'The member name (`--name`); it goes into `--initial-cluster name=url,…`. New members need names of their own.',
  'etcd.old[].host': 'The machine the member runs on: where ferry writes its config, starts or stops its service and archives its data dir. One member per host on each side; a new member\'s host must not be an old member\'s (both run at once during the move).',
  'etcd.old[].clientURL': 'Where clients (ferry, the apiserver, flanneld, kube2sky) reach the member; its host must be the member\'s host.',
  'etcd.old[].peerURL': 'Where the other members reach it; its host must be the member\'s host.',
  'etcd.old[].dataDir': 'This member\'s data directory. An old member\'s is archived (renamed, never deleted) when it leaves.',
  'etcd.old[].service': 'This member\'s service unit.',
  'etcd.old[].binary': 'This member\'s etcd binary.',
  'etcd.old[].configFile': 'This member\'s flags file.',
  'etcd.new[]': 'One new member.',
  'etcd.new': 'The members ferry creates on the new machines, one at a time (learner first), removing an old member after each has joined. Extra new members are added before anything is removed; extra old members are removed after.',
  master: 'The Kubernetes master that moves (runbook phases 3, 4 and 6). Without it ferry moves etcd only.',
  'master.old': 'The master as it runs today.',
  'master.old.host': 'The machine: its services are stopped (phase 3) and its `/etc/sysconfig` files are the model for the new master.',
  'master.old.apiserver': "The apiserver's URL (the insecure port DomeOS uses); its host must be `host`.",
  'master.new': 'The new master: the old one\'s files are cloned onto `host` with the all-new etcd list, the same Kubernetes version is required.',
  'master.ca': 'The CA that signed the apiservers\' https certificates, on the machine running ferry: ferry verifies an https apiserver against it. Without it, ferry does not verify (as DomeOS\'s own kubeconfig, `insecure-skip-tls-verify`). See docs/tls.md.',
  nodes: 'The nodes whose kubelet, kube-proxy and flanneld are repointed (phase 5). When absent, ferry takes the nodes the old apiserver lists.',
  'nodes[]': 'One node.',
  'nodes[].name': 'The node name as `kubectl get nodes` shows it; ferry waits until this node is Ready on the new master.',
  'nodes[].host': 'The machine ferry logs in to, to rewrite its files and restart its services.',
  rollout: 'How the nodes are repointed: a canary first, then batches, a bounded number at a time, halting when too many fail.',
  'rollout.canary': 'How many nodes are repointed alone, first; the rollout goes on only if they succeed.',
  'rollout.batchSize': 'How many nodes each batch after the canary holds.',
  'rollout.concurrency': 'How many nodes of a batch are repointed at once.',
  'rollout.maxFailures': 'The failure budget: the rollout halts when more nodes than this have failed (each failed node is rolled back by itself).',
  'rollout.readyTimeoutSeconds': 'How long one node may take to be Ready, with a fresh heartbeat, on the new master before it counts as failed.',
  dns: 'The DNS add-on (kube2sky + skydns) that is rolled over to the new etcd and master (phase 6).',
  'dns.namespace': 'The namespace of the DNS service and its replication controllers.',
  'dns.service': 'The DNS service; its selector loses `version` before the rolling update, and its cluster IP answers the DNS gate query.',
  'dns.controllers': 'The replication controllers (or Deployments) rolled to their next version with the new etcd and master flags, in this order.',
  'dns.domain': 'The cluster domain: the DNS gate asks for `kubernetes.default.svc.<domain>`.',
  domeos: 'The DomeOS console (the DomeOS server): stopped first (phase 1) so that it does not act on the cluster while it moves, started again (phase 8), then told where the cluster now is (phase 9). Without it those phases are left out.',
  'domeos.url': 'The console\'s URL (its `/health` and REST API).',
  'domeos.cluster': 'The cluster\'s name as the console shows it (运维管理 → 集群).',
  'domeos.credentialsFile':
    'A YAML file holding `username:` and `password:` for the console (keep it `chmod 600`). Credentials never go in the inventory. Without it, ferry reads `FERRY_DOMEOS_USERNAME` and `FERRY_DOMEOS_PASSWORD` from the environment.',
  'domeos.host': 'The machine the DomeOS server runs on (where it is stopped and started).',
  'domeos.service': 'The service unit ferry stops and starts there.',
  'domeos.stopCommand': 'When DomeOS runs as a container rather than a unit: the command that stops it, as a list of words (run on `host` as argv, never through a shell).',
  'domeos.startCommand': 'The command that starts it again, as a list of words.',
  'domeos.healthTimeoutSeconds': 'How long the server may take to answer `/health` after it starts (and to stop answering after it stops).',
};

/** Defaults that are not one of DEFAULTS' values, or that come from another field. */
const member = (k: 'dataDir' | 'service' | 'binary' | 'configFile') => `\`etcd.defaults.${k}\`, else ${code(E[k])}`;
const DEFAULT: Readonly<Record<string, string>> = {
  'access.user': code(DEFAULTS.access.user),
  'access.port': code(DEFAULTS.access.port),
  'access.knownHosts': code(DEFAULTS.access.knownHosts),
  'access.sudo': code(DEFAULTS.access.sudo),
  'access.labDir': '`$FERRY_HOME/lab` (`~/.ferry/lab`)',
  'hosts.<address>.user': 'the `access` value',
  'hosts.<address>.port': 'the `access` value',
  'hosts.<address>.keyFile': 'the `access` value',
  'hosts.<address>.knownHosts': 'the `access` value',
  'hosts.<address>.sudo': 'the `access` value',
  'etcd.clusterToken': code(E.clusterToken),
  'etcd.tls': 'none: plain http',
  'etcd.allowVoterAdd': '`false`',
  'etcd.defaults.dataDir': code(E.dataDir),
  'etcd.defaults.service': code(E.service),
  'etcd.defaults.binary': code(E.binary),
  'etcd.defaults.configFile': code(E.configFile),
  'etcd.defaults.clientPort': code(E.clientPort),
  'etcd.defaults.peerPort': code(E.peerPort),
  'etcd.old[].clientURL': `\`http://<host>:<etcd.defaults.clientPort>\` (port ${E.clientPort} unless set)`,
  'etcd.old[].peerURL': `\`http://<host>:<etcd.defaults.peerPort>\` (port ${E.peerPort} unless set)`,
  'etcd.old[].dataDir': member('dataDir'),
  'etcd.old[].service': member('service'),
  'etcd.old[].binary': member('binary'),
  'etcd.old[].configFile': member('configFile'),
  master: 'none: etcd only',
  nodes: 'the nodes the old apiserver lists',
  'rollout.canary': code(DEFAULTS.rollout.canary),
  'rollout.batchSize': code(DEFAULTS.rollout.batchSize),
  'rollout.concurrency': code(DEFAULTS.rollout.concurrency),
  'rollout.maxFailures': code(DEFAULTS.rollout.maxFailures),
  'rollout.readyTimeoutSeconds': code(DEFAULTS.rollout.readyTimeoutSeconds),
  'dns.namespace': code(DEFAULTS.dns.namespace),
  'dns.service': code(DEFAULTS.dns.service),
  'dns.controllers': code(DEFAULTS.dns.controllers),
  'dns.domain': code(DEFAULTS.dns.domain),
  domeos: 'none: phases 1, 8 and 9 are left out',
  'domeos.credentialsFile': '`FERRY_DOMEOS_USERNAME` / `FERRY_DOMEOS_PASSWORD`',
  'domeos.host': 'the host of `url`',
  'domeos.service': code(DEFAULTS.domeos.service),
  'domeos.stopCommand': '`systemctl stop <service>`',
  'domeos.startCommand': '`systemctl start <service>`',
  'domeos.healthTimeoutSeconds': code(DEFAULTS.domeos.healthTimeoutSeconds),
};

/** Required only in some cases (the schema lets them be absent; validation checks the rest). */
const REQUIRED_WHEN: Readonly<Record<string, string>> = {
  'access.keyFile': 'with `mode: ssh`',
};

/** Examples where the value's own description has none, or a generic one. */
const EXAMPLE: Readonly<Record<string, string>> = {
  'access.keyFile': 'keyFile: ~/.ssh/id_ed25519',
  'access.knownHosts': 'knownHosts: ~/.ssh/known_hosts',
  'access.labDir': 'labDir: ~/ferry-lab',
  'hosts.<address>.keyFile': 'keyFile: ~/.ssh/id_rsa_legacy',
  'hosts.<address>.knownHosts': 'knownHosts: ~/.ssh/known_hosts_dc2',
  'etcd.tls': 'tls: { ca: ~/etcd/ca.pem, cert: ~/etcd/client.pem, key: ~/etcd/client-key.pem }',
  'etcd.tls.ca': 'ca: ~/etcd/ca.pem',
  'etcd.tls.cert': 'cert: ~/etcd/client.pem',
  'etcd.tls.key': 'key: ~/etcd/client-key.pem',
  'etcd.defaults.binary': `binary: ${E.binary}`,
  'etcd.defaults.configFile': `configFile: ${E.configFile}`,
  'etcd.old[].peerURL': 'peerURL: http://10.17.33.31:4010',
  'etcd.old[].binary': `binary: ${E.binary}`,
  'etcd.old[].configFile': `configFile: ${E.configFile}`,
  'etcd.old[].dataDir': 'dataDir: /data/etcd',
  'master.old': 'old: { host: 10.17.33.30, apiserver: http://10.17.33.30:8080 }',
  'master.old.host': 'host: 10.17.33.30',
  'master.ca': 'ca: ~/kubernetes/ca.pem',
  'nodes[].host': 'host: 10.17.33.39',
  'domeos.credentialsFile': 'credentialsFile: ~/.ferry/domeos-credentials.yaml',
  'domeos.cluster': 'cluster: domeos-example',
  'domeos.url': 'url: http://10.17.33.10:8080',
};

/** Objects documented once and referred to: `etcd.new[]` has the fields of `etcd.old[]`. */
const SAME_AS: Readonly<Record<string, string>> = { 'etcd.new[]': 'etcd.old[]', 'master.new': 'master.old' };

interface Field {
  readonly path: string;
  readonly key: string;
  readonly depth: number;
  readonly required: boolean;
  readonly kind: string;
  readonly description: string | undefined;
  readonly sameAs?: string;
}

type Schema = z.ZodType;
const defOf = (s: Schema) => (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;

/** Unwraps optional; the description may sit on the wrapper or on what it wraps. */
function unwrap(s: Schema): { inner: Schema; optional: boolean; description: string | undefined } {
  const def = defOf(s);
  if (def.type !== 'optional') return { inner: s, optional: false, description: s.description };
  const inner = def['innerType'] as Schema;
  return { inner, optional: true, description: s.description ?? inner.description };
}

function kindOf(s: Schema): string {
  const def = defOf(s);
  switch (def.type) {
    case 'object':
      return 'mapping';
    case 'record':
      return 'mapping';
    case 'array': {
      const el = defOf(def['element'] as Schema);
      return el.type === 'object' ? 'list of mappings' : `list of ${el.type === 'string' ? 'strings' : el.type}`;
    }
    case 'enum':
      return Object.keys(def['entries'] as Record<string, unknown>).map((v) => `\`${v}\``).join(' or ');
    case 'literal':
      return (def['values'] as unknown[]).map((v) => `\`${String(v)}\``).join(' or ');
    case 'number':
      return 'number';
    default:
      return def.type;
  }
}

/** Every field, depth first in the schema's order. */
function collectFields(): Field[] {
  const out: Field[] = [];
  const visit = (s: Schema, path: string, key: string, depth: number, optional: boolean, description: string | undefined) => {
    const same = SAME_AS[path];
    out.push({ path, key, depth, required: !optional, kind: kindOf(s), description, ...(same !== undefined ? { sameAs: same } : {}) });
    if (same !== undefined) return;
    const def = defOf(s);
    if (def.type === 'object') {
      for (const [k, v] of Object.entries(def['shape'] as Record<string, Schema>)) {
        const u = unwrap(v);
        visit(u.inner, path === '' ? k : `${path}.${k}`, k, depth + 1, u.optional, u.description);
      }
    } else if (def.type === 'record') {
      const value = def['valueType'] as Schema;
      visit(value, `${path}.<address>`, '<address>', depth + 1, true, value.description);
    } else if (def.type === 'array') {
      const el = def['element'] as Schema;
      if (defOf(el).type === 'object') visit(el, `${path}[]`, `${key}[]`, depth + 1, false, el.description);
    }
  };
  visit(InventoryFileSchema as unknown as Schema, '', '', 0, false, undefined);
  return out.slice(1);
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes; a repeated one gets `-1`, `-2`… */
function buildSlugger(): (heading: string) => string {
  const seen = new Map<string, number>();
  return (heading) => {
    const base = heading.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}-${n}`;
  };
}

/** The describe() text split into the value's shape and its example. */
function splitDescription(d: string | undefined): { value: string | undefined; example: string | undefined } {
  if (d === undefined) return { value: undefined, example: undefined };
  const m = /^(.*?),? e\.g\. (.*)$/s.exec(d);
  return m === null ? { value: d, example: undefined } : { value: m[1], example: m[2] };
}

function requiredText(f: Field): string {
  const when = REQUIRED_WHEN[f.path];
  if (when !== undefined) return `required ${when}`;
  return f.required ? 'required' : 'optional';
}

function renderField(f: Field, anchors: ReadonlyMap<string, string>): string[] {
  const meaning = MEANING[f.path];
  const { value, example } = splitDescription(f.description);
  const ex = EXAMPLE[f.path] ?? (example !== undefined && !f.path.endsWith('[]') && !f.path.endsWith('<address>') ? `${f.key}: ${example}` : undefined);
  const def = DEFAULT[f.path];
  const facts = [`*${requiredText(f)}*`, f.kind, ...(def !== undefined ? [`default ${def}`] : [])].join(' · ');
  const lines = [`${f.depth === 1 ? '##' : '###'} \`${f.path}\``, '', facts, '', meaning ?? ''];
  if (f.sameAs !== undefined) lines.push('', `Each entry has the fields of [\`${f.sameAs}\`](#${anchors.get(f.sameAs) ?? ''}), with the same defaults and rules.`);
  const valueLine = [value !== undefined && f.kind !== 'mapping' && !f.kind.startsWith('list of mappings') ? `Value: ${value}.` : '', ex !== undefined ? `Example: \`${ex}\`` : ''].filter((x) => x !== '');
  if (valueLine.length > 0) lines.push('', valueLine.join(' '));
  lines.push('');
  return lines;
}

const INTRO = `# Inventory reference

<!-- Generated by scripts/gen-inventory-doc.ts from src/inventory/schema.ts and DEFAULTS: run \`npm run docs\`
     after changing either. test/unit/docs/inventory-doc.test.ts fails when this file is out of date. -->

One YAML file describes one migration: how ferry reaches the hosts, the etcd members before and after, the
master, the nodes, the DNS add-on and the DomeOS console. [\`examples/seed.yaml\`](../examples/seed.yaml) is the
runbook's example environment, commented field by field; [\`examples/lab-seed.yaml\`](../examples/lab-seed.yaml) is
the same environment on the lab's loopback addresses. \`ferry discover\` writes most of it from a live cluster
([operator-guide.md](operator-guide.md#0-describe-the-cluster-ferry-discover)).

- \`apiVersion: ${API_VERSION}\` first; every mapping is strict: an unknown key is an error (\`clientUrl\` is caught
  and \`clientURL\` suggested), so a misspelling never goes unseen.
- Fields with a default may be left out; \`ferry validate -f FILE -o yaml\` prints the inventory with every default
  filled in.
- Paths on this machine (\`keyFile\`, \`knownHosts\`, \`labDir\`, \`etcd.tls.*\`, \`credentialsFile\`) may start with
  \`~\`; paths on the hosts (\`dataDir\`, \`binary\`, \`configFile\`) must be absolute.
- Secrets never go in the inventory: it names key files and a credentials file, never their contents.
- \`ferry validate -f FILE\` reports every problem at once, each with its path (\`etcd.new[1].peerURL\`) and a hint,
  and touches nothing. The rules that involve several fields are [at the end](#rules-across-fields).
`;

const RULES = `## Rules across fields

Checked by \`ferry validate\` (and before every \`plan\` and \`apply\`), beyond each field's own shape:

- \`access.mode: ssh\` needs \`keyFile\`; \`labDir\` is for \`mode: lab\` only, and \`user\`, \`port\`, \`keyFile\`,
  \`knownHosts\`, \`sudo\` and \`hosts\` for \`mode: ssh\` only (a warning when given to the other mode).
- \`mode: lab\` needs every host to be a loopback address (127.x.y.z).
- etcd member names are unique across \`old\` and \`new\`; one member per host on each side; a new member's host
  is not an old member's host (both run at once while a member moves).
- \`etcd.old\` and \`etcd.new\` are not empty; an even number of new members, or more than 7, is warned about.
- A member's \`clientURL\` and \`peerURL\` are \`http://\` or \`https://\` URLs with a port, whose host is the member's
  host; \`master.*.apiserver\` is an URL whose host is the master's host; \`domeos.url\` is an http(s) URL.
- \`etcd.tls.cert\` and \`etcd.tls.key\` go together; https client URLs without \`etcd.tls.ca\` trust only the
  system's CAs (a warning), and \`etcd.tls\` with http client URLs is not used (a warning).
- Node names and hosts are each listed once.
- \`ferry plan\` then checks the inventory against the live cluster: every running member must be one the
  inventory names (\`PLAN_UNKNOWN_MEMBER\`), and before the master moves both masters must run the same
  Kubernetes version (\`MASTER_VERSION_MISMATCH\`).
`;

export function buildInventoryDoc(): string {
  const fields = collectFields();
  const paths = new Set(fields.map((f) => f.path));
  const undocumented = fields.filter((f) => MEANING[f.path] === undefined).map((f) => f.path);
  const stale = [...Object.keys(MEANING), ...Object.keys(DEFAULT), ...Object.keys(EXAMPLE), ...Object.keys(REQUIRED_WHEN)].filter((p) => !paths.has(p));
  if (undocumented.length > 0 || stale.length > 0) {
    throw new Error(
      `scripts/gen-inventory-doc.ts is out of step with src/inventory/schema.ts:` +
        (undocumented.length > 0 ? `\n  fields with no meaning written: ${undocumented.join(', ')}` : '') +
        (stale.length > 0 ? `\n  entries for fields the schema no longer has: ${[...new Set(stale)].join(', ')}` : ''),
    );
  }
  // Anchors in the order the headings appear: the intro's, then one per field.
  const slug = buildSlugger();
  for (const h of ['Inventory reference', 'All fields']) slug(h);
  const anchors = new Map(fields.map((f) => [f.path, slug(`\`${f.path}\``)]));
  const index = ['| Field | | Default |', '| --- | --- | --- |'];
  for (const f of fields) {
    index.push(`| ${'&nbsp;&nbsp;'.repeat(f.depth - 1)}[\`${f.path}\`](#${anchors.get(f.path) ?? ''}) | ${requiredText(f)} | ${DEFAULT[f.path] ?? ''} |`);
  }
  return [INTRO, '## All fields', '', ...index, '', ...fields.flatMap((f) => renderField(f, anchors)), RULES].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const doc = buildInventoryDoc();
  if (process.argv.includes('--check')) {
    const current = readFileSync(INVENTORY_DOC, 'utf8');
    if (current !== doc) {
      process.stderr.write(`${INVENTORY_DOC} is out of date: run \`npm run docs\`\n`);
      process.exit(1);
    }
  } else {
    writeFileSync(INVENTORY_DOC, doc);
    process.stdout.write(`wrote ${INVENTORY_DOC}\n`);
  }
}
