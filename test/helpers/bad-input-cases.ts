/**
 * The catalogue of malformed and dangerous inputs of test/integration/bad-input.test.ts (issue 6 §4): inventories
 * (each a change to a good lab inventory, or raw bytes) and command lines. Every case must end in exit code 2 with
 * `code` and a message naming `where` (the inventory path or the argument), and touch nothing.
 */
import { stringify } from 'yaml';

/** A good inventory as parsed YAML; cases copy it (structuredClone) and break one thing. */
export type Raw = Record<string, unknown> & {
  etcd: { old: Record<string, unknown>[]; new: Record<string, unknown>[]; [k: string]: unknown };
  master: { old: Record<string, unknown>; new: Record<string, unknown> };
  nodes: Record<string, unknown>[];
  access: Record<string, unknown>;
};

export interface InventoryCase {
  readonly id: string;
  /** The file's contents: a changed copy of the good inventory, YAML text, or bytes. */
  readonly build: (good: Raw) => Raw | string | Buffer;
  /** The error code every command must report. */
  readonly code: string;
  /** What the message must show: the problem's path in the file (or the file), with its reason. */
  readonly where: RegExp;
  /** Commands to run it through; default validate, plan and apply --yes. */
  readonly commands?: readonly ('validate' | 'plan' | 'apply')[];
}

/** `$1` in args is replaced by the test's scratch folder, `$LAB` by the lab folder, `$INV` by the good inventory. */
export interface ArgvCase {
  readonly id: string;
  readonly args: readonly string[];
  readonly code: string;
  readonly where: RegExp;
  /** Extra environment (FERRY_HOME pointing into the lab…). */
  readonly env?: Readonly<Record<string, string>>;
}

const edit =
  (f: (r: Raw) => void) =>
  (good: Raw): Raw => {
    const r = structuredClone(good);
    f(r);
    return r;
  };

/** Cases that pass validation and are refused by what plan finds on the hosts. */
const LIVE: readonly ('validate' | 'plan' | 'apply')[] = ['plan', 'apply'];

export const INVENTORY_CASES: readonly InventoryCase[] = [
  // Duplicate and overlapping addresses.
  { id: 'two old members on one host', build: edit((r) => (r.etcd.old[1]!['host'] = r.etcd.old[0]!['host'])), code: 'INVENTORY_INVALID', where: /etcd\.old\[1\]\.host: host \S+ already runs etcd\.old\[0\]/ },
  { id: 'a new member on an old member’s host', build: edit((r) => (r.etcd.new[0]!['host'] = r.etcd.old[2]!['host'])), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.host: \S+ is also an old member's host/ },
  { id: 'two members with one peer URL', build: edit((r) => (r.etcd.new[1]!['peerURL'] = `http://${String(r.etcd.new[0]!['host'])}:4010`)), code: 'INVENTORY_INVALID', where: /etcd\.new\[1\]\.peerURL: peerURL host \S+ differs from member host/ },
  { id: 'client and peer URL on one port', build: edit((r) => (r.etcd.new[0]!['clientURL'] = `http://${String(r.etcd.new[0]!['host'])}:4010`)), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.(clientURL|peerURL): .*4010/ },
  { id: 'clientPort equals peerPort', build: edit((r) => (r.etcd['defaults'] = { clientPort: 4012, peerPort: 4012 })), code: 'INVENTORY_INVALID', where: /etcd\.defaults\.peerPort: clientPort and peerPort are both 4012/ },
  { id: 'a member name used twice', build: edit((r) => (r.etcd.new[0]!['name'] = r.etcd.old[0]!['name'])), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.name: name "old0" is also the name of etcd\.old\[0\]/ },
  // Wrong schemes.
  { id: 'ftp:// client URL', build: edit((r) => (r.etcd.new[0]!['clientURL'] = `ftp://${String(r.etcd.new[0]!['host'])}:4012`)), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.clientURL: clientURL "ftp:\/\/\S+" has scheme ftp/ },
  { id: 'URL without a scheme', build: edit((r) => (r.etcd.new[0]!['peerURL'] = `${String(r.etcd.new[0]!['host'])}:4010`)), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.peerURL: peerURL "\S+" is not a URL[\s\S]*hint: add the scheme/ },
  { id: 'https client URLs, a client cert without its key', build: edit((r) => { r.etcd.old.forEach((m) => (m['clientURL'] = `https://${String(m['host'])}:4012`)); r.etcd['tls'] = { cert: '/nonexistent/client.pem' }; }), code: 'INVENTORY_INVALID', where: /etcd\.tls\.key: etcd\.tls\.cert is set \("\/nonexistent\/client\.pem"\) but etcd\.tls\.key is missing/ },
  { id: 'apiserver with a path', build: edit((r) => (r.master.new['apiserver'] = `http://${String(r.master.new['host'])}:8080/api;rm -rf /`)), code: 'INVENTORY_INVALID', where: /master\.new\.apiserver: apiserver ".*" has a path or query/ },
  // Unknown keys and wrong types.
  { id: 'a misspelt key', build: edit((r) => { const m = r.etcd.new[0]!; m['clientUrl'] = m['clientURL'] ?? 'http://x:1'; }), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.clientUrl: unknown key clientUrl \(did you mean clientURL\?\)/ },
  { id: 'an unknown top-level section', build: edit((r) => (r['secrets'] = { token: 'x' })), code: 'INVENTORY_INVALID', where: /secrets: unknown key secrets/ },
  { id: 'a port as text', build: edit((r) => (r.etcd['defaults'] = { clientPort: '4012; reboot' })), code: 'INVENTORY_INVALID', where: /etcd\.defaults\.clientPort: clientPort must be a number, got "4012; reboot"/ },
  { id: 'a port out of range', build: edit((r) => (r.etcd['defaults'] = { peerPort: 70000 })), code: 'INVENTORY_INVALID', where: /etcd\.defaults\.peerPort: peerPort must be at most 65535, got 70000/ },
  { id: 'members as a mapping', build: edit((r) => (r.etcd['new'] = { name: 'new0' } as never)), code: 'INVENTORY_INVALID', where: /etcd\.new: new must be a list, got a mapping/ },
  { id: 'a list instead of the inventory', build: () => '- apiVersion: ferry/v1\n- name: x\n', code: 'INVENTORY_INVALID', where: /\(root\): the inventory must be a mapping/ },
  { id: 'a wrong apiVersion', build: edit((r) => (r['apiVersion'] = 'ferry/v2')), code: 'INVENTORY_INVALID', where: /apiVersion: apiVersion "ferry\/v2" is not allowed; expected ferry\/v1/ },
  // Empty lists, member counts.
  { id: 'no new members', build: edit((r) => (r.etcd.new = [])), code: 'INVENTORY_INVALID', where: /etcd\.new: etcd\.new is empty/ },
  { id: 'no old members (1 → 0 reversed)', build: edit((r) => (r.etcd.old = [])), code: 'INVENTORY_INVALID', where: /etcd\.old: etcd\.old is empty/ },
  { id: 'an empty file', build: () => '', code: 'INVENTORY_INVALID', where: /\(file\): the file holds no YAML document/ },
  { id: 'an even number of new members with an error', build: edit((r) => { r.etcd.new = r.etcd.new.slice(0, 2); r.etcd.new[1]!['host'] = 'not a host'; }), code: 'INVENTORY_INVALID', where: /warning +etcd\.new: etcd\.new has 2 members[\s\S]*etcd\.new\[1\]\.host: host "not a host" is not an IP address/ },
  // Shell metacharacters in names.
  { id: 'member name `new0;rm -rf /`', build: edit((r) => (r.etcd.new[0]!['name'] = 'new0;rm -rf /')), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.name: name "new0;rm -rf \/" is not an etcd member name/ },
  { id: 'node name $(touch /tmp/x)', build: edit((r) => (r.nodes[0]!['name'] = '$(touch /tmp/ferry-bad-input-pwned)')), code: 'INVENTORY_INVALID', where: /nodes\[0\]\.name: name "\$\(touch \/tmp\/ferry-bad-input-pwned\)" is not a Kubernetes node name/ },
  { id: 'host with backticks', build: edit((r) => (r.master.new['host'] = '`reboot`')), code: 'INVENTORY_INVALID', where: /master\.new\.host: host "`reboot`" is not an IP address or host name/ },
  { id: 'service name with a newline', build: edit((r) => (r.etcd.new[0]!['service'] = 'etcd\nExecStart=/bin/sh')), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.service: service "etcd\\nExecStart=\/bin\/sh" is not a service unit name/ },
  { id: 'cluster token with quotes and a newline', build: edit((r) => (r.etcd['clusterToken'] = 'tok"\nETCD_NAME=evil')), code: 'INVENTORY_INVALID', where: /etcd\.clusterToken: clusterToken ".*" /, },
  { id: 'inventory name with a slash', build: edit((r) => (r['name'] = '../../etc')), code: 'INVENTORY_INVALID', where: /name: name "\.\.\/\.\.\/etc" may only hold lowercase letters/ },
  // Paths outside the expected folders.
  { id: 'data dir /', build: edit((r) => (r.etcd.new[0]!['dataDir'] = '/')), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.dataDir: dataDir "\/" / },
  { id: 'data dir /etc', build: edit((r) => (r.etcd['defaults'] = { dataDir: '/etc' })), code: 'INVENTORY_INVALID', where: /etcd\.defaults\.dataDir: dataDir "\/etc" / },
  { id: 'data dir with ..', build: edit((r) => (r.etcd.new[1]!['dataDir'] = '/var/lib/etcd/../../..')), code: 'INVENTORY_INVALID', where: /etcd\.new\[1\]\.dataDir: dataDir "\/var\/lib\/etcd\/\.\.\/\.\.\/\.\." / },
  { id: 'relative data dir', build: edit((r) => (r.etcd.new[2]!['dataDir'] = 'var/lib/etcd')), code: 'INVENTORY_INVALID', where: /etcd\.new\[2\]\.dataDir: dataDir "var\/lib\/etcd" is not an absolute path/ },
  { id: 'config file in /etc/passwd', build: edit((r) => (r.etcd.new[0]!['configFile'] = '/etc/passwd')), code: 'INVENTORY_INVALID', where: /etcd\.new\[0\]\.configFile: configFile "\/etc\/passwd" / },
  { id: 'lab folder relative', build: edit((r) => (r.access['labDir'] = 'lab')), code: 'INVENTORY_INVALID', where: /access\.labDir: labDir "lab" / },
  // Hostile YAML.
  { id: 'billion laughs', build: () => billionLaughs(), code: 'INVENTORY_INVALID', where: /\(file\): YAML .*alias/i },
  { id: 'deeply nested', build: () => `${'['.repeat(100_000)}${']'.repeat(100_000)}\n`, code: 'INVENTORY_INVALID', where: /\(file\): .*nest/i },
  { id: 'duplicate keys', build: (good) => `name: other\n${yamlOf(good)}`, code: 'INVENTORY_INVALID', where: /\(file\): YAML syntax error at line \d+:\d+: Map keys must be unique/ },
  { id: '!!js/function tag', build: (good) => yamlOf(good).replace(/^name: (.*)$/m, 'name: !!js/function "function () { return 1 }"'), code: 'INVENTORY_INVALID', where: /\(file\): .*tag.*js\/function/i },
  { id: 'a custom !tag', build: (good) => yamlOf(good).replace(/^name: (.*)$/m, 'name: !shell "id"'), code: 'INVENTORY_INVALID', where: /\(file\): .*tag.*!shell/i },
  { id: 'not UTF-8', build: (good) => Buffer.concat([Buffer.from(yamlOf(good).replace(/^name: .*$/m, 'name: caf')), Buffer.from([0xe9, 0xff, 0x0a])]), code: 'INVENTORY_INVALID', where: /\(file\): .*not UTF-8.*byte \d+/ },
  { id: 'huge file (20 MB)', build: (good) => `${yamlOf(good)}# ${'x'.repeat(20 * 1024 * 1024)}\n`, code: 'INVENTORY_TOO_LARGE', where: /inventory file \S+ is 20\.0 MB; the limit is/ },
  // What only the live hosts show.
  { id: 'etcd members nothing listens on', build: edit((r) => { for (const side of [r.etcd.old, r.etcd.new]) side.forEach((m) => (m['clientURL'] = `http://${String(m['host'])}:4099`)); }), code: 'ETCD_UNAVAILABLE', where: /4099[\s\S]*nothing was changed/, commands: LIVE },
  { id: 'a new etcd host that is not there', build: edit((r) => (r.etcd.new[2]!['host'] = '127.45.1.29')), code: 'PLAN_HOST_UNREACHABLE', where: /127\.45\.1\.29 \(etcd\.new\[2\]\.host\): 127\.45\.1\.29 is not a host of the lab/, commands: LIVE },
  { id: 'a new master host that is not there', build: edit((r) => { r.master.new['host'] = '127.45.1.28'; r.master.new['apiserver'] = 'http://127.45.1.28:8080'; }), code: 'PLAN_HOST_UNREACHABLE', where: /127\.45\.1\.28 \(master\.new\.host\)/, commands: LIVE },
];

function yamlOf(r: Raw): string {
  return stringify(r);
}

/** Nine levels of ten aliases each: 10^9 strings if expanded. */
function billionLaughs(): string {
  const lines = ['a0: &a0 "lol"'];
  for (let i = 1; i <= 9; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
  return `${lines.join('\n')}\napiVersion: ferry/v1\n`;
}

export const ARGV_CASES: readonly ArgvCase[] = [
  { id: 'unknown command', args: ['migrate', '-f', '$INV'], code: 'CLI_USAGE', where: /unknown command "migrate"/ },
  { id: 'unknown flag', args: ['plan', '-f', '$INV', '--force'], code: 'CLI_USAGE', where: /ferry plan: Unknown option '--force'/ },
  { id: 'missing flag value', args: ['validate', '-f'], code: 'CLI_USAGE', where: /ferry validate: Option '-f, --file <value>' argument missing/ },
  { id: 'bad -o value', args: ['plan', '-f', '$INV', '-o', 'xml'], code: 'CLI_USAGE', where: /ferry plan: -o must be text, json or yaml, not "xml"/ },
  { id: 'bad --scope', args: ['apply', '-f', '$INV', '--yes', '--scope', 'nodes'], code: 'CLI_USAGE', where: /ferry apply: --scope must be all, etcd or master, not "nodes"/ },
  { id: 'inventory that does not exist', args: ['plan', '-f', '$1/nope.yaml'], code: 'INVENTORY_NOT_FOUND', where: /inventory file \S+nope\.yaml does not exist/ },
  { id: 'inventory is a folder', args: ['apply', '-f', '$1', '--yes'], code: 'INVENTORY_UNREADABLE', where: /cannot read inventory file \S+: EISDIR/ },
  { id: 'both -f and a plan file', args: ['apply', '-f', '$INV', '$1/plan.json', '--yes'], code: 'CLI_USAGE', where: /give either -f INVENTORY or a PLAN\.json/ },
  { id: 'a plan file that is not a plan', args: ['apply', '$1/not-a-plan.json', '--yes'], code: 'PLAN_FORMAT', where: /not-a-plan\.json is not a ferry plan/ },
  { id: 'a plan file that is not JSON', args: ['apply', '$1/garbage.json', '--yes'], code: 'PLAN_FORMAT', where: /garbage\.json is not a ferry plan/ },
  { id: 'a stale plan (inventory changed since)', args: ['apply', '$1/stale-plan.json', '--yes'], code: 'PLAN_STALE', where: /changed since the plan was made/ },
  { id: 'resume of a run that does not exist', args: ['resume', '--run', '20990101-000000-dead', '--yes'], code: 'RUN_NOT_FOUND', where: /no run at \S+20990101-000000-dead/ },
  { id: 'resume with a run id holding ../', args: ['resume', '--run', '../../lab', '--yes'], code: 'RUN_ID_INVALID', where: /"\.\.\/\.\.\/lab" is not a run id/ },
  { id: 'status with a run id holding ../', args: ['status', '--run', '../lab/hosts'], code: 'RUN_ID_INVALID', where: /"\.\.\/lab\/hosts" is not a run id/ },
  { id: 'rollback of a run that does not exist', args: ['rollback', '--run', '20990101-000000-dead', '--yes'], code: 'RUN_NOT_FOUND', where: /no run at \S+20990101-000000-dead/ },
  { id: 'status of a run that does not exist', args: ['status', '--run', '20990101-000000-dead'], code: 'RUN_NOT_FOUND', where: /no run at \S+20990101-000000-dead/ },
  { id: 'FERRY_HOME inside the lab folder', args: ['apply', '-f', '$INV', '--yes'], env: { FERRY_HOME: '$LAB/hosts' }, code: 'FERRY_HOME_IN_LAB', where: /FERRY_HOME \S+ is inside the lab folder/ },
  { id: 'node update-config: relative --backup-dir', args: ['node', 'update-config', '--lab-host', '$NODE', '--lab-dir', '$LAB', '--master', 'http://127.45.1.20:8080', '--backup-dir', 'backups'], code: 'CLI_USAGE', where: /--backup-dir must be an absolute path on the node, not "backups"/ },
  { id: 'node update-config: backup dir /', args: ['node', 'update-config', '--lab-host', '$NODE', '--lab-dir', '$LAB', '--master', 'http://127.45.1.20:8080', '--backup-dir', '/'], code: 'CLI_USAGE', where: /--backup-dir "\/"/ },
  { id: 'node update-config: ftp master', args: ['node', 'update-config', '--lab-host', '$NODE', '--lab-dir', '$LAB', '--master', 'ftp://127.45.1.20:8080'], code: 'NODE_BAD_MASTER', where: /--master "ftp:\/\/127\.45\.1\.20:8080" is not http/ },
  { id: 'node update-config: etcd list with a shell word', args: ['node', 'update-config', '--lab-host', '$NODE', '--lab-dir', '$LAB', '--etcd', 'http://127.45.1.21:4012,$(reboot)'], code: 'NODE_BAD_ETCD', where: /--etcd entries are not http\(s\):\/\/host:port: .*\$\(reboot\)/ },
  { id: 'node update-config: lab host that is not an address', args: ['node', 'update-config', '--lab-host', '../../..', '--lab-dir', '$LAB', '--master', 'http://127.45.1.20:8080'], code: 'CLI_USAGE', where: /--lab-host "\.\.\/\.\.\/\.\." is not a lab host address/ },
  { id: 'node update-config: bad --timeout', args: ['node', 'update-config', '--lab-host', '$NODE', '--lab-dir', '$LAB', '--master', 'http://127.45.1.20:8080', '--timeout=-5'], code: 'CLI_USAGE', where: /--timeout must be a number of seconds above 0, not "-5"/ },
  { id: 'Kubernetes version mismatch (plan)', args: ['plan', '-f', '$INV'], code: 'MASTER_VERSION_MISMATCH', where: /the new master 127\.45\.1\.20 has Kubernetes v1\.5\.5, the old master 127\.45\.1\.30 v1\.4\.7/ },
  { id: 'Kubernetes version mismatch (apply --yes)', args: ['apply', '-f', '$INV', '--yes'], code: 'MASTER_VERSION_MISMATCH', where: /the new master 127\.45\.1\.20 has Kubernetes v1\.5\.5/ },
  { id: 'lab up with --nodes abc', args: ['lab', 'up', '-f', '$INV', '--nodes', 'abc'], code: 'CLI_USAGE', where: /--nodes must be a whole number, not "abc"/ },
  { id: 'lab down with a flag of up', args: ['lab', 'down', '--lab-dir', '$LAB', '--nodes', '3'], code: 'CLI_USAGE', where: /--nodes is not an option of this subcommand/ },
  { id: 'lab with an unknown subcommand', args: ['lab', 'destroy', '--lab-dir', '$LAB'], code: 'CLI_USAGE', where: /ferry lab: unknown subcommand "destroy"/ },
];
