/**
 * Decides "the migration is complete" without ferry's own code: etcdctl (a child process) for the member list,
 * health and keys; plain HTTP for the apiservers, the lab supervisor (its unix socket) and the DomeOS console; the
 * node's files as bytes under the lab host's root; `dig` for the cluster DNS. The only import from src/ is the lab's
 * path mapping, which says where a lab host's root folder is. Every check is reported, failed or passed, so that a
 * caller can assert on `failures` and record the rest.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { buildHostRoot, buildLabPaths, mapPathIntoRoot } from '../../src/lab/paths.ts';

const run = promisify(execFile);

export interface CheckMember {
  readonly name: string;
  readonly host: string;
  readonly clientURL: string;
  readonly peerURL: string;
  /** The member's unit on its lab host; default `etcd`. */
  readonly service?: string;
}

/** What a complete migration must show, as plain data. */
export interface CheckTarget {
  readonly labDir: string;
  readonly etcd: { readonly old: readonly CheckMember[]; readonly new: readonly CheckMember[] };
  readonly master: { readonly old: { readonly host: string; readonly apiserver: string }; readonly new: { readonly host: string; readonly apiserver: string } };
  /** Units that must be inactive on the old master. */
  readonly oldMasterUnits: readonly string[];
  readonly nodes: readonly { readonly name: string; readonly host: string }[];
  readonly dns?: { readonly server: string; readonly name: string; readonly expect: string };
  readonly console?: { readonly url: string; readonly cluster: string; readonly username: string; readonly password: string };
  /** A node's Ready heartbeat older than this counts as stale; default 60 000. */
  readonly heartbeatFreshMs?: number;
}

export interface CheckFailure {
  readonly check: string;
  readonly detail: string;
}

export interface CheckResult {
  readonly ok: boolean;
  readonly failures: readonly CheckFailure[];
  readonly passed: readonly string[];
  /** Acknowledged keys absent from the new cluster (when keys were given). */
  readonly lostKeys: readonly string[];
  readonly seconds: number;
}

export interface AckedKeys {
  readonly prefix: string;
  readonly keys: readonly string[];
}

// ---------------------------------------------------------------- etcdctl

export async function runEtcdctl(endpoints: readonly string[], args: readonly string[], timeoutMs = 20_000): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  const commandTimeoutS = Math.max(1, Math.floor(timeoutMs / 1000) - 4);
  try {
    const r = await run('etcdctl', [`--endpoints=${endpoints.join(',')}`, '--dial-timeout=2s', `--command-timeout=${commandTimeoutS}s`, ...args], {
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: timeoutMs,
      maxBuffer: 256 * 1024 * 1024,
    });
    return { ok: true, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: [e.stderr, e.message].filter((x) => x !== undefined && x.trim() !== '').join('\n') || String(err) };
  }
}

export interface EtcdctlMember {
  readonly name: string;
  readonly peerURLs: readonly string[];
  readonly clientURLs: readonly string[];
  readonly isLearner: boolean;
}

/** `etcdctl member list -w json` (IDs are left out: etcdctl prints them as integers JSON cannot hold). */
export async function readMemberList(endpoints: readonly string[]): Promise<EtcdctlMember[]> {
  const r = await runEtcdctl(endpoints, ['member', 'list', '-w', 'json']);
  if (!r.ok) throw new Error(`etcdctl member list on ${endpoints.join(',')} failed: ${r.stderr.trim().slice(0, 400)}`);
  const parsed = JSON.parse(r.stdout) as { members?: { name?: string; peerURLs?: string[]; clientURLs?: string[]; isLearner?: boolean }[] };
  return (parsed.members ?? []).map((m) => ({ name: m.name ?? '', peerURLs: m.peerURLs ?? [], clientURLs: m.clientURLs ?? [], isLearner: m.isLearner === true }));
}

/** `etcdctl endpoint health` of each endpoint on its own: endpoint → error text, or undefined when healthy. */
export async function readEndpointHealth(endpoints: readonly string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  await Promise.all(
    endpoints.map(async (e) => {
      const r = await runEtcdctl([e], ['endpoint', 'health']);
      out.set(e, r.ok ? undefined : r.stderr.trim().split('\n').slice(-1)[0] ?? 'unhealthy');
    }),
  );
  return out;
}

export interface QuorumReport {
  readonly ok: boolean;
  readonly voters: number;
  readonly healthyVoters: number;
  /** The client URLs of the voters that answered. */
  readonly healthyEndpoints: readonly string[];
  readonly detail: string;
}

/** The current members (read from any of `endpoints`): do more than half of the voters answer `endpoint health`? */
export async function readEtcdQuorum(endpoints: readonly string[]): Promise<QuorumReport> {
  let members: EtcdctlMember[] | undefined;
  let lastError = '';
  // All endpoints at once first (etcdctl's balancer takes one that answers), then one by one.
  for (const e of [endpoints, ...endpoints.map((x) => [x])]) {
    try {
      members = await readMemberList(e);
      break;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
  }
  if (members === undefined) return { ok: false, voters: 0, healthyVoters: 0, healthyEndpoints: [], detail: `no endpoint answered member list: ${lastError}` };
  const voters = members.filter((m) => !m.isLearner);
  const health = await readEndpointHealth(voters.map((m) => m.clientURLs[0] ?? '').filter((u) => u !== ''));
  const healthyEndpoints = [...health.entries()].filter(([, v]) => v === undefined).map(([e]) => e);
  const healthy = healthyEndpoints.length;
  const detail = voters.map((m) => `${m.name || '(unstarted)'}:${health.get(m.clientURLs[0] ?? '') === undefined ? 'healthy' : 'down'}`).join(' ');
  return { ok: healthy * 2 > voters.length, voters: voters.length, healthyVoters: healthy, healthyEndpoints, detail: `${members.length} members (${members.length - voters.length} learners); voters ${detail}` };
}

/** `etcdctl get --prefix --keys-only` on one endpoint: the keys under `prefix`. */
export async function readKeysWithEtcdctl(endpoint: string, prefix: string): Promise<Set<string>> {
  const r = await runEtcdctl([endpoint], ['get', '--prefix', '--keys-only', prefix], 90_000);
  if (!r.ok) throw new Error(`etcdctl get --prefix ${prefix} on ${endpoint} failed: ${r.stderr.trim().slice(0, 400)}`);
  return new Set(r.stdout.split('\n').filter((l) => l !== ''));
}

/** The acknowledged keys missing on the first of `endpoints` that answers (error when none does). */
export async function readMissingKeys(endpoints: readonly string[], acked: AckedKeys): Promise<string[]> {
  let lastError: unknown;
  for (const e of endpoints) {
    try {
      const found = await readKeysWithEtcdctl(e, acked.prefix);
      return acked.keys.filter((k) => !found.has(k));
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError instanceof Error ? lastError : new Error('no endpoint to read keys from');
}

// ---------------------------------------------------------------- HTTP

async function getJson(url: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON (healthz answers "ok")
  }
  return { status: res.status, body, headers: res.headers };
}

/** The lab supervisor's state of a unit (GET over its unix socket). */
export function readUnitState(labDir: string, host: string, unit: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const path = `/v1/hosts/${encodeURIComponent(host)}/units/${encodeURIComponent(unit)}`;
    const req = request({ socketPath: buildLabPaths(labDir).socketPath, method: 'GET', path, timeout: 10_000, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { state?: unknown }).state));
        } catch (err) {
          reject(err instanceof Error ? err : new Error(String(err)));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`the supervisor did not answer ${path}`)));
    req.on('error', reject);
    req.end();
  });
}

const stripScheme = (u: string) => u.replace(/^[a-z]+:\/\//, '').replace(/\/+$/, '');
const sameSet = (a: readonly string[], b: readonly string[]) => [...new Set(a)].sort().join(' ') === [...new Set(b)].sort().join(' ');
/** Does `text` name `address` (not as the prefix of a longer address)? */
const names = (text: string, address: string) => new RegExp(`(^|[^0-9.])${address.replaceAll('.', '\\.')}(?![0-9])`).test(text);

// ---------------------------------------------------------------- the check

/** Runs every check once. `acked`: the writer's acknowledged keys, each must be on every new member. */
export async function runIndependentCheck(t: CheckTarget, acked?: AckedKeys): Promise<CheckResult> {
  const started = performance.now();
  const failures: CheckFailure[] = [];
  const passed: string[] = [];
  let lostKeys: string[] = [];
  const check = async (name: string, fn: () => Promise<string | undefined>): Promise<void> => {
    try {
      const problem = await fn();
      if (problem === undefined) passed.push(name);
      else failures.push({ check: name, detail: problem });
    } catch (err) {
      failures.push({ check: name, detail: err instanceof Error ? err.message : String(err) });
    }
  };
  const newURLs = t.etcd.new.map((m) => m.clientURL);

  await check('etcd: member list is exactly the new members, all voters', async () => {
    const got = (await readMemberList(newURLs)).map((m) => `${m.name} ${m.peerURLs.join(',')} ${m.clientURLs.join(',')} ${m.isLearner ? 'learner' : 'voter'}`).sort();
    const want = t.etcd.new.map((m) => `${m.name} ${m.peerURL} ${m.clientURL} voter`).sort();
    return got.join('; ') === want.join('; ') ? undefined : `got [${got.join('; ')}], want [${want.join('; ')}]`;
  });
  await check('etcd: every new member healthy', async () => {
    const bad = [...(await readEndpointHealth(newURLs)).entries()].filter(([, v]) => v !== undefined);
    return bad.length === 0 ? undefined : bad.map(([e, v]) => `${e}: ${v}`).join('; ');
  });
  await check('etcd: old members stopped', async () => {
    const running = [];
    for (const o of t.etcd.old) {
      const s = await readUnitState(t.labDir, o.host, o.service ?? 'etcd');
      if (s !== 'inactive') running.push(`${o.name}: ${s}`);
    }
    return running.length === 0 ? undefined : running.join('; ');
  });
  if (acked !== undefined) {
    await check(`etcd: all ${acked.keys.length} acknowledged keys on every new member`, async () => {
      const problems = [];
      for (const url of newURLs) {
        const missing = await readMissingKeys([url], acked);
        if (missing.length > 0) problems.push(`${url} misses ${missing.length} (${missing.slice(0, 5).join(', ')})`);
        if (missing.length > lostKeys.length) lostKeys = missing;
      }
      return problems.length === 0 ? undefined : problems.join('; ');
    });
  }

  const newApi = t.master.new.apiserver.replace(/\/+$/, '');
  await check('apiserver: new /healthz ok', async () => {
    const r = await getJson(`${newApi}/healthz`);
    return r.status === 200 && String(r.body).trim() === 'ok' ? undefined : `HTTP ${r.status}: ${String(r.body).slice(0, 200)}`;
  });
  await check('apiserver: every node Ready with a fresh heartbeat', async () => {
    const r = await getJson(`${newApi}/api/v1/nodes`);
    type Cond = { type?: string; status?: string; lastHeartbeatTime?: string };
    const items = ((r.body as { items?: { metadata?: { name?: string }; status?: { conditions?: Cond[] } }[] }).items ?? []);
    const freshMs = t.heartbeatFreshMs ?? 60_000;
    const bad = [];
    for (const n of t.nodes) {
      const ready = items.find((i) => i.metadata?.name === n.name)?.status?.conditions?.find((c) => c.type === 'Ready');
      const age = Date.now() - Date.parse(ready?.lastHeartbeatTime ?? '');
      if (ready?.status !== 'True' || !(age <= freshMs)) bad.push(`${n.name}: Ready=${ready?.status ?? 'absent'}, heartbeat ${Number.isNaN(age) ? 'none' : `${Math.round(age / 1000)} s ago`}`);
    }
    return bad.length === 0 ? undefined : bad.join('; ');
  });
  await check('master: old apiserver refuses, old units inactive', async () => {
    const problems = [];
    const answered = await getJson(`${t.master.old.apiserver.replace(/\/+$/, '')}/healthz`).then((r) => `HTTP ${r.status}`, () => undefined);
    if (answered !== undefined) problems.push(`old apiserver answers (${answered})`);
    for (const u of t.oldMasterUnits) {
      const s = await readUnitState(t.labDir, t.master.old.host, u);
      if (s !== 'inactive') problems.push(`${u} on ${t.master.old.host} is ${s}`);
    }
    return problems.length === 0 ? undefined : problems.join('; ');
  });
  await check('nodes: sysconfig files name the new master and new etcd only', async () => {
    const problems = [];
    const oldAddresses = [t.master.old.host, ...t.etcd.old.map((m) => m.host)];
    for (const n of t.nodes) {
      const root = buildHostRoot(t.labDir, n.host);
      const read = (f: string) => readFileSync(mapPathIntoRoot(root, `/etc/sysconfig/${f}`), 'utf8');
      const kubelet = read('kubelet');
      const proxy = read('kube-proxy');
      const flannel = read('flanneld');
      const api = /--api-servers=([^'"\s]+)/.exec(kubelet)?.[1] ?? '';
      const master = /--master=([^'"\s]+)/.exec(proxy)?.[1] ?? '';
      const etcd = (/FLANNEL_ETCD="([^"]*)"/.exec(flannel)?.[1] ?? '').split(',').filter((s) => s !== '');
      if (!sameSet(api.split(',').map(stripScheme), [stripScheme(newApi)])) problems.push(`${n.host} kubelet --api-servers=${api}`);
      if (stripScheme(master) !== stripScheme(newApi)) problems.push(`${n.host} kube-proxy --master=${master}`);
      if (!sameSet(etcd.map(stripScheme), newURLs.map(stripScheme))) problems.push(`${n.host} flanneld FLANNEL_ETCD=${etcd.join(',')}`);
      for (const [file, text] of [['kubelet', kubelet], ['kube-proxy', proxy], ['flanneld', flannel]] as const) {
        const stale = oldAddresses.filter((a) => names(text, a));
        if (stale.length > 0) problems.push(`${n.host} ${file} still names ${stale.join(', ')}`);
      }
    }
    return problems.length === 0 ? undefined : problems.join('; ');
  });
  const dns = t.dns;
  if (dns !== undefined) {
    await check(`dns: ${dns.name} answers ${dns.expect}`, async () => {
      const { stdout } = await run('dig', [`@${dns.server}`, '+short', '+time=2', '+tries=2', dns.name], { timeout: 15_000 });
      return stdout.trim() === dns.expect ? undefined : `dig answered ${JSON.stringify(stdout.trim())}`;
    });
  }
  const console = t.console;
  if (console !== undefined) await check('console: record names the new apiserver and etcd, watcher RUNNING', () => checkConsole(console, newApi, newURLs));

  return { ok: failures.length === 0, failures, passed, lostKeys, seconds: (performance.now() - started) / 1000 };
}

async function checkConsole(c: NonNullable<CheckTarget['console']>, newApi: string, newURLs: readonly string[]): Promise<string | undefined> {
  const base = c.url.replace(/\/+$/, '');
  const login = await getJson(`${base}/api/user/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: c.username, password: c.password, loginType: 'USER' }),
  });
  const cookie = /JSESSIONID=[^;]+/.exec(login.headers.get('set-cookie') ?? '')?.[0];
  if (cookie === undefined) return `login failed: ${JSON.stringify(login.body).slice(0, 200)}`;
  const headers = { Cookie: cookie };
  type Cluster = { id?: number; name?: string; api?: string; etcd?: string };
  const list = ((await getJson(`${base}/api/cluster`, { headers })).body as { result?: Cluster[] }).result ?? [];
  const id = list.find((x) => x.name === c.cluster)?.id;
  if (id === undefined) return `no cluster "${c.cluster}" in ${JSON.stringify(list).slice(0, 200)}`;
  // The list is a summary (no etcd): the record itself is GET /api/cluster/{id}.
  const cluster = ((await getJson(`${base}/api/cluster/${id}`, { headers })).body as { result?: Cluster }).result ?? {};
  const problems = [];
  if (stripScheme(cluster.api ?? '') !== stripScheme(newApi)) problems.push(`api is ${cluster.api}`);
  const etcd = (cluster.etcd ?? '').split(',').filter((s) => s.trim() !== '');
  if (!sameSet(etcd.map(stripScheme), newURLs.map(stripScheme))) problems.push(`etcd is ${cluster.etcd}`);
  type Watcher = { state?: string; versionSelectorInfos?: { containerDrafts?: { args?: string[] }[] }[] };
  const status = (await getJson(`${base}/api/cluster/${id}/watcher/status`, { headers })).body as { resultCode?: number; result?: Watcher };
  if (status.result?.state !== 'RUNNING') problems.push(`watcher is ${status.result?.state ?? JSON.stringify(status).slice(0, 200)}`);
  const args = (status.result?.versionSelectorInfos ?? []).flatMap((v) => v.containerDrafts ?? []).flatMap((d) => d.args ?? []);
  const apiArg = args.find((a) => a.startsWith('--apiserver='));
  if (apiArg !== undefined && stripScheme(apiArg.slice('--apiserver='.length)) !== stripScheme(newApi)) problems.push(`watcher runs with ${apiArg}`);
  return problems.length === 0 ? undefined : problems.join('; ');
}

/** Repeats the check until it passes or `timeoutMs` runs out (things a gate saw may take a heartbeat to show). */
export async function waitIndependentCheck(t: CheckTarget, acked: AckedKeys | undefined, timeoutMs = 60_000): Promise<CheckResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await runIndependentCheck(t, acked);
    // Lost keys do not come back: no point waiting for them.
    if (r.ok || r.lostKeys.length > 0 || Date.now() > deadline) return r;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

/** The shape of a master lab (test/helpers/master-lab.ts) the target is read from; structural, to import nothing. */
export interface LabLike {
  readonly labDir: string;
  readonly inventory: { readonly etcd: { readonly old: readonly CheckMember[]; readonly new: readonly CheckMember[] } };
  readonly oldMaster: string;
  readonly newMaster: string;
  readonly oldMasterHost: string;
  readonly newMasterHost: string;
  readonly nodes: readonly { readonly name: string; readonly host: string }[];
}

/** The target of a lab migration; the lab's console account is DomeOS's default (admin / admin). */
export function buildCheckTarget(lab: LabLike, o: { dns?: CheckTarget['dns']; console?: { url: string; cluster: string } } = {}): CheckTarget {
  return {
    labDir: lab.labDir,
    etcd: lab.inventory.etcd,
    master: { old: { host: lab.oldMasterHost, apiserver: lab.oldMaster }, new: { host: lab.newMasterHost, apiserver: lab.newMaster } },
    oldMasterUnits: ['kube-apiserver', 'kube-controller', 'kube-scheduler', 'kube-proxy'],
    nodes: lab.nodes,
    ...(o.dns ? { dns: o.dns } : {}),
    ...(o.console ? { console: { ...o.console, username: 'admin', password: 'admin' } } : {}),
  };
}

/** One line per failed check, for an assertion message or a report. */
export function renderCheckFailures(r: CheckResult): string {
  return r.failures.map((f) => `${f.check}: ${f.detail}`).join('\n');
}
