/**
 * Issue 6 §5: secrets planted in a test inventory and its environment never appear in anything ferry writes or
 * prints. Planted: an SSH private key (access.keyFile; the inventory may only name its path — mode lab ignores it,
 * an ssh-mode `ferry plan` reaches the code that reads it), the DomeOS console password (domeos.credentialsFile for
 * the good runs; FERRY_DOMEOS_PASSWORD, wrong, for a failing one), the console cluster's own k8s password and OAuth
 * token (in the console's record, which ferry reads and PUTs back whole), an etcd client key and certificate
 * (etcd.tls, on an inventory whose `ferry plan` fails), an unrelated secret in the environment, and the dashboard
 * tokens of `ferry apply --ui` and `ferry serve`.
 *
 * Then: `ferry validate`, `ferry plan -o text|json|yaml` (and --out), a failing `ferry apply --ui` (the console
 * refuses the wrong password), a whole lab migration with `ferry apply --ui` while every dashboard endpoint is
 * fetched (page, /api/*, pictures, the SSE stream to its end), `ferry status` (text/json/yaml, --all),
 * `ferry report` (html/json/yaml), `ferry serve` with every endpoint again, and failing ssh-mode and TLS plans.
 * Every stdout/stderr, every file under FERRY_HOME and every file of the lab folder (but the console's own
 * database) and every dashboard response body is searched for each marker, raw and base64/base64url (at each
 * alignment), hex, URL- and JSON-encoded. A dashboard token may appear only in the one `dashboard: URL` line its
 * command prints to stdout.
 *
 * Addresses: 127.47.1.x (console .10, new master .20, etcd new .21–.23, old master .30, etcd old .31–.33, nodes .39–.40);
 * services 127.216.0.0/13 (cluster DNS 127.216.40.1); flannel 127.224.0.0/13; the ssh-mode plan 127.47.9.1.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, stringify } from 'yaml';
import { ExitCode } from '../../src/errors.ts';
import { LAB_DOMEOS_STATE_FILE } from '../../src/lab/setup/domeos-up.ts';
import type { ServerState } from '../../src/lab/domeos/server/model.ts';
import { SupervisorClient } from '../../src/lab/supervisor/supervisor-client.ts';
import { hostPath, startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { assertMigrated, type CliResult, describeCliRun, FERRY_BIN, processesOf, REPO_ROOT, runFerryCli } from '../helpers/migration.ts';
import { recordReliability } from '../helpers/reliability.ts';

const P = '127.47.1';
const CONSOLE = `${P}.10`;
const LAB = { dns: true, serviceClusterIpRange: '127.216.0.0/13', clusterDns: '127.216.40.1', flannelNetwork: '127.224.0.0/13' } as const;
const CONSOLE_USER = 'ferryop';

const fixtureDirs: string[] = [];
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  for (const d of fixtureDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

const rand = (): string => randomBytes(6).toString('hex');

/** Something ferry wrote or printed, by where it came from. */
interface Place {
  readonly where: string;
  readonly data: Buffer;
}

/** The byte patterns under which `value` could hide: raw, base64/base64url at each alignment, hex, URL, JSON. */
function encodedForms(value: string): Map<string, Buffer> {
  const raw = Buffer.from(value, 'utf8');
  const forms = new Map<string, Buffer>([['raw', raw]]);
  const add = (name: string, text: string): void => {
    if (text.length >= 8 && ![...forms.values()].some((b) => b.toString('utf8') === text)) forms.set(name, Buffer.from(text, 'utf8'));
  };
  for (let shift = 0; shift < 3; shift++) {
    // Embedded at offset `shift` (mod 3) in a longer string, the characters covering only marker bytes are stable.
    const b64 = Buffer.concat([Buffer.alloc(shift), raw]).toString('base64').replace(/=+$/, '');
    const start = shift === 0 ? 0 : Math.ceil((shift * 4) / 3);
    const stable = b64.slice(start, b64.length - 2);
    add(`base64@${shift}`, stable);
    add(`base64url@${shift}`, stable.replaceAll('+', '-').replaceAll('/', '_'));
  }
  add('hex', raw.toString('hex'));
  add('HEX', raw.toString('hex').toUpperCase());
  add('url', encodeURIComponent(value));
  add('form', encodeURIComponent(value).replaceAll('%20', '+'));
  add('json', JSON.stringify(value).slice(1, -1));
  return forms;
}

interface Hit {
  readonly marker: string;
  readonly form: string;
  readonly where: string;
  readonly context: string;
}

function findHits(places: readonly Place[], markers: ReadonlyMap<string, string>): Hit[] {
  const hits: Hit[] = [];
  for (const [name, value] of markers) {
    for (const [form, pattern] of encodedForms(value)) {
      for (const p of places) {
        const at = p.data.indexOf(pattern);
        if (at >= 0) hits.push({ marker: name, form, where: p.where, context: p.data.subarray(Math.max(0, at - 60), at + pattern.length + 60).toString('utf8') });
      }
    }
  }
  return hits;
}

/** Every regular file under `dir` (symlinks not followed), except those `skip` names. */
function readTree(dir: string, label: string, skip: (rel: string) => boolean = () => false): Place[] {
  const out: Place[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      const rel = relative(dir, full);
      if (skip(rel)) continue;
      if (e.isDirectory()) walk(full);
      else if (e.isFile() && lstatSync(full).isFile()) out.push({ where: `${label}/${rel}`, data: readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

interface FerryChild {
  readonly url: Promise<string>;
  readonly exited: Promise<CliResult>;
  readonly child: ChildProcess;
}

/** The real CLI as a child whose dashboard URL (`dashboard: http://…`) resolves as soon as it is printed. */
function startFerry(args: readonly string[], env: Record<string, string | undefined>): FerryChild {
  const child = spawn(process.execPath, [FERRY_BIN, ...args], { cwd: REPO_ROOT, env: { ...env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  let onUrl: (u: string) => void = () => undefined;
  let onNoUrl: (e: Error) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    onUrl = resolve;
    onNoUrl = reject;
  });
  url.catch(() => undefined);
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    const m = /^dashboard: (http:\/\/\S+)$/m.exec(stdout);
    if (m?.[1] !== undefined) onUrl(m[1]);
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<CliResult>((resolve) =>
    child.once('close', (code, signal) => {
      children.delete(child);
      onNoUrl(new Error(`ferry ${args.join(' ')} exited ${code} before printing the dashboard URL:\n${stdout}\n${stderr}`));
      resolve({ code, signal, stdout, stderr, timedOut: false });
    }),
  );
  return { url, exited, child };
}

/** GET with the token in the query; the body (and headers but Set-Cookie, which carries the token by design). */
async function fetchPlace(base: URL, path: string, token: string, label: string): Promise<Place> {
  const url = new URL(path, base);
  url.searchParams.set('token', token);
  const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  const body = Buffer.from(await res.arrayBuffer());
  const headers = [...res.headers].filter(([k]) => k !== 'set-cookie').map(([k, v]) => `${k}: ${v}`).join('\n');
  return { where: `${label} GET ${path} (${res.status})`, data: Buffer.concat([Buffer.from(`${headers}\n\n`), body]) };
}

/** The SSE stream of a run: everything it sends until it ends (the server stops) or `maxMs` passes. */
async function readEventStream(base: URL, runId: string, token: string, label: string, maxMs: number): Promise<Place> {
  const url = new URL(`/api/runs/${runId}/events`, base);
  url.searchParams.set('token', token);
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), maxMs);
  const chunks: Buffer[] = [];
  try {
    const res = await fetch(url, { signal: ac.signal });
    assert.equal(res.status, 200, `${label}: the event stream opens`);
    for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c));
  } catch (err) {
    if (!ac.signal.aborted) throw err;
  } finally {
    clearTimeout(timer);
  }
  return { where: `${label} SSE /api/runs/${runId}/events`, data: Buffer.concat(chunks) };
}

/** Every dashboard endpoint of run `runId` (and 404/401 paths): page, run list, run view, pictures. */
async function fetchDashboard(base: URL, token: string, runId: string, label: string): Promise<Place[]> {
  const paths = ['/', '/index.html', '/api/runs', `/api/runs/${runId}`, `/api/runs/${runId}/picture`, `/api/runs/${runId}/picture/before`, `/api/runs/${runId}/picture/after`, '/api/runs/no-such-run', '/nowhere'];
  const places = await Promise.all(paths.map((p) => fetchPlace(base, p, token, label)));
  const unauth = await fetch(new URL('/api/runs', base), { signal: AbortSignal.timeout(15_000) });
  assert.equal(unauth.status, 401, `${label}: no token, no answer`);
  places.push({ where: `${label} GET /api/runs without token (401)`, data: Buffer.from(await unauth.text()) });
  return places;
}

/** Give the lab console a login and cluster credentials only the planted secrets open (stop, edit, start). */
async function plantConsoleSecrets(lab: MasterLab, password: string, k8sPassword: string, k8sToken: string): Promise<void> {
  const supervisor = new SupervisorClient(lab.labDir);
  await supervisor.stop(CONSOLE, 'domeos');
  const file = hostPath(lab, CONSOLE, LAB_DOMEOS_STATE_FILE);
  const state = JSON.parse(readFileSync(file, 'utf8')) as ServerState;
  state.users = [{ username: CONSOLE_USER, password }];
  for (const c of state.clusters) Object.assign(c, { username: 'k8s-admin', password: k8sPassword, oauthToken: k8sToken });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await supervisor.start(CONSOLE, 'domeos');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ok = await fetch(`http://${CONSOLE}:8080/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) return;
    assert.ok(Date.now() < deadline, 'the console answers /health again');
    await sleep(200);
  }
}

test('planted secrets never appear in what ferry prints, writes or serves', { timeout: 1_800_000 }, async (t) => {
  const secretsDir = mkdtempSync(join(tmpdir(), 'ferry-secrets-'));
  fixtureDirs.push(secretsDir);
  const m = {
    consolePassword: `Cpw+/= ${rand()}&x`,
    consoleEnvPassword: `Epw-${rand()}`,
    wrongPassword: `Wpw+${rand()}/`,
    k8sPassword: `K8sPw-${rand()}`,
    k8sToken: `K8sTok-${rand()}`,
    unrelatedEnv: `EnvSecret-${rand()}`,
    sshKeyComment: `sshcomment-${rand()}`,
    etcdKeyMarker: `etcdkey-${rand()}`,
  };
  // An SSH key (ed25519, no passphrase: ferry supports no passphrase) with a marker comment inside its body.
  const keyFile = join(secretsDir, 'id_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', m.sshKeyComment, '-f', keyFile]);
  const keyText = readFileSync(keyFile, 'utf8');
  // An etcd client key and certificate (a real EC key and self-signed cert, the marker in the subject).
  const etcdKey = join(secretsDir, 'etcd-client.key');
  const etcdCert = join(secretsDir, 'etcd-client.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', `/CN=${m.etcdKeyMarker}`, '-keyout', etcdKey, '-out', etcdCert], { stdio: 'ignore' });
  const etcdKeyText = readFileSync(etcdKey, 'utf8');
  const credentialsFile = join(secretsDir, 'domeos-credentials.yaml');
  writeFileSync(credentialsFile, stringify({ username: CONSOLE_USER, password: m.consolePassword }), { mode: 0o600 });

  /** Each secret by name; PEM bodies by line too, in case a line (not the whole file) is copied somewhere. */
  const markers = new Map<string, string>(Object.entries(m));
  markers.set('sshKeyFile', keyText);
  markers.set('etcdKeyFile', etcdKeyText);
  for (const [name, text] of [['sshKey', keyText], ['etcdKey', etcdKeyText]] as const) {
    text.split('\n').filter((l) => l.length >= 16 && !l.startsWith('-----')).forEach((l, i) => markers.set(`${name}Line${i}`, l));
  }

  const lab = await startMasterLab(P, {
    nodes: 2,
    extra: { domeos: { url: `http://${CONSOLE}:8080`, cluster: 'mit', credentialsFile } },
    lab: LAB,
  });
  fixtureDirs.push(lab.dir);
  const outputs: Place[] = [];
  const tokens: { command: string; token: string; stdout: string }[] = [];
  const dashboardPlaces: Place[] = [];
  const env = { ...lab.env, FERRY_DOMEOS_USERNAME: CONSOLE_USER, FERRY_DOMEOS_PASSWORD: m.consoleEnvPassword, FERRY_TEST_UNRELATED_SECRET: m.unrelatedEnv };
  const record = (label: string, r: CliResult): CliResult => {
    outputs.push({ where: `${label} stdout`, data: Buffer.from(r.stdout) }, { where: `${label} stderr`, data: Buffer.from(r.stderr) });
    return r;
  };
  const cli = async (label: string, args: readonly string[], e: Record<string, string | undefined> = env): Promise<CliResult> => record(label, await runFerryCli(args, e));
  try {
    await plantConsoleSecrets(lab, m.consolePassword, m.k8sPassword, m.k8sToken);
    const inv = lab.inventoryPath;
    // The inventory names the SSH key file (mode lab warns that it ignores it: the path may be there, never the key).
    const raw = parse(readFileSync(inv, 'utf8')) as Record<string, Record<string, unknown>>;
    raw['access'] = { ...raw['access'], keyFile };
    writeFileSync(inv, stringify(raw));
    // The same inventory without credentialsFile: the login then comes from the environment (a wrong password).
    const badInv = join(lab.dir, 'inventory-env-login.yaml');
    const { credentialsFile: _unused, ...domeosNoFile } = raw['domeos'] ?? {};
    writeFileSync(badInv, stringify({ ...raw, domeos: domeosNoFile }));
    // etcd over TLS with the client key (the lab's etcd speaks plain http: the plan fails on the handshake).
    const tlsInv = join(lab.dir, 'inventory-tls.yaml');
    const etcdRaw = raw['etcd'] as { old: { name: string; host: string }[]; new: { name: string; host: string }[] };
    const https = (ms: { name: string; host: string }[]) => ms.map((x) => ({ ...x, clientURL: `https://${x.host}:4012` }));
    writeFileSync(tlsInv, stringify({ ...raw, domeos: domeosNoFile, etcd: { ...etcdRaw, old: https(etcdRaw.old), new: https(etcdRaw.new), tls: { ca: etcdCert, cert: etcdCert, key: etcdKey } } }));
    // ssh mode with the key: nothing listens on 127.47.9.1, so the plan fails reaching the hosts.
    const sshInv = join(lab.dir, 'inventory-ssh.yaml');
    writeFileSync(sshInv, stringify({
      apiVersion: 'ferry/v1',
      name: 'ssh-secrets',
      access: { mode: 'ssh', keyFile, knownHosts: join(secretsDir, 'known_hosts'), port: 22479 },
      etcd: { old: [{ name: 'old0', host: '127.47.9.1' }], new: [{ name: 'new0', host: '127.47.9.2' }] },
    }));

    await cli('validate', ['validate', '-f', inv]);
    for (const o of ['text', 'json', 'yaml']) {
      const r = await cli(`plan -o ${o}`, ['plan', '-f', inv, '-o', o]);
      assert.equal(r.code, 0, `ferry plan -o ${o}:\n${r.stderr}`);
    }
    await cli('plan --out', ['plan', '-f', inv, '-o', 'json', '--out', join(lab.dir, 'plan-out.json')]);

    // A failing run: the console refuses the wrong password from the environment; nothing is changed.
    const failing = startFerry(['apply', '-f', badInv, '--yes', '--ui'], { ...env, FERRY_DOMEOS_PASSWORD: m.wrongPassword });
    const failed = record('apply --ui (wrong console password)', await failing.exited);
    assert.notEqual(failed.code, ExitCode.ok, `the run with a wrong console password fails: ${describeCliRun(failed)}`);
    assert.match(`${failed.stdout}\n${failed.stderr}`, /CONSOLE_USER_NOT_AUTHORIZED|not authori[sz]ed|password wrong/i, 'it says the console refused the login');
    tokens.push({ command: 'apply --ui (wrong console password)', token: new URL(await failing.url).searchParams.get('token') ?? '', stdout: failed.stdout });

    // The whole migration with the dashboard, read while it runs.
    const good = startFerry(['apply', '-f', inv, '--yes', '--ui'], env);
    const base = new URL(await good.url);
    const token = base.searchParams.get('token') ?? '';
    let runId: string | null = null;
    for (let i = 0; i < 300 && runId === null; i++) {
      const r = (await (await fetch(new URL(`/api/runs?token=${token}`, base))).json()) as { defaultRunId: string | null };
      runId = r.defaultRunId;
      if (runId === null) await sleep(100);
    }
    assert.ok(runId !== null, 'the dashboard names the run');
    const sse = readEventStream(base, runId, token, 'apply --ui', 900_000);
    let live = 0;
    while (good.child.exitCode === null && good.child.signalCode === null) {
      dashboardPlaces.push(...(await fetchDashboard(base, token, runId, `apply --ui #${live++}`).catch(() => [])));
      await sleep(10_000);
    }
    const done = record('apply --ui', await good.exited);
    assert.equal(done.code, ExitCode.ok, `the migration finishes: ${describeCliRun(done)}`);
    tokens.push({ command: 'apply --ui', token, stdout: done.stdout });
    dashboardPlaces.push(await sse);
    assert.ok(live > 0, 'the dashboard was read while the run went on');
    await assertMigrated(lab, runId);
    const state = JSON.parse(readFileSync(hostPath(lab, CONSOLE, LAB_DOMEOS_STATE_FILE), 'utf8')) as ServerState;
    assert.equal(state.clusters[0]?.api, `${P}.20:8080`, 'the console was updated (the planted login worked)');
    assert.equal(state.clusters[0]?.oauthToken, m.k8sToken, "the cluster's own token survived the whole-record PUT");

    for (const o of ['text', 'json', 'yaml']) await cli(`status -o ${o}`, ['status', '-o', o]);
    await cli('status --all', ['status', '--all']);
    for (const o of ['html', 'json', 'yaml']) {
      const r = await cli(`report -o ${o}`, ['report', '-o', o]);
      assert.equal(r.code, 0, `ferry report -o ${o}:\n${r.stderr}`);
    }
    await cli('report --out', ['report', runId, '--out', join(lab.dir, 'report-out.html')]);
    // The failing run's own report and status (its error path).
    const runIds = readdirSync(join(lab.home, 'runs'));
    assert.equal(runIds.length, 2, 'two runs: the failing one and the migration');
    for (const id of runIds.filter((x) => x !== runId)) {
      await cli('report (failing run)', ['report', id]);
      await cli('report -o json (failing run)', ['report', id, '-o', 'json']);
      await cli('status (failing run)', ['status', '--run', id, '-o', 'yaml']);
    }

    // `ferry serve`: the finished run, every endpoint, the stream replayed for a few seconds; then SIGINT.
    const serve = startFerry(['serve'], env);
    const serveBase = new URL(await serve.url);
    const serveToken = serveBase.searchParams.get('token') ?? '';
    dashboardPlaces.push(...(await fetchDashboard(serveBase, serveToken, runId, 'serve')));
    dashboardPlaces.push(await readEventStream(serveBase, runId, serveToken, 'serve', 5000));
    serve.child.kill('SIGINT');
    const served = record('serve', await serve.exited);
    assert.equal(served.code, 0, `ferry serve stops on SIGINT:\n${served.stderr}`);
    tokens.push({ command: 'serve', token: serveToken, stdout: served.stdout });

    // Error paths that read the SSH key and the etcd client key.
    const sshPlan = await cli('plan (ssh mode, unreachable)', ['plan', '-f', sshInv]);
    assert.notEqual(sshPlan.code, ExitCode.ok, `the ssh-mode plan fails: ${describeCliRun(sshPlan)}`);
    const tlsPlan = await cli('plan (etcd TLS against plain etcd)', ['plan', '-f', tlsInv]);
    assert.notEqual(tlsPlan.code, ExitCode.ok, `the TLS plan fails: ${describeCliRun(tlsPlan)}`);

    // Everything ferry wrote: FERRY_HOME, and the lab folder (hosts' files, backups, logs) but the console's
    // database (the stand-in keeps its users' passwords and clusters' tokens there, as DomeOS's MySQL does).
    const consoleDb = relative(lab.dir, hostPath(lab, CONSOLE, LAB_DOMEOS_STATE_FILE));
    // etcd's own data (WAL and snapshots: 64 MB preallocated segments) is not ferry's writing and is left out.
    const files = readTree(lab.dir, 'lab.dir', (rel) => rel === consoleDb || rel.startsWith(`${consoleDb}.tmp`) || /\/member\/(wal|snap)$/.test(rel));
    const homeFiles = files.filter((f) => f.where.startsWith(`lab.dir/home/`));
    assert.ok(homeFiles.some((f) => f.where.endsWith('/journal.jsonl')) && homeFiles.some((f) => f.where.endsWith('/report.html')) && homeFiles.some((f) => f.where.endsWith('/commands.jsonl')), 'the search covers the journal, the report and the command log');
    const places = [...outputs, ...dashboardPlaces, ...files];
    // The search itself works: it finds the planted files' contents, raw and encoded at an odd offset.
    const control = findHits([
      { where: 'control: credentials file', data: readFileSync(credentialsFile) },
      { where: 'control: base64', data: Buffer.from(Buffer.from(`x${m.k8sToken}yz`).toString('base64')) },
      { where: 'control: key file', data: Buffer.from(keyText) },
    ], markers);
    assert.ok(control.some((h) => h.marker === 'consolePassword' && h.form === 'raw'), 'the control finds the password');
    assert.ok(control.some((h) => h.marker === 'k8sToken' && h.form.startsWith('base64')), 'the control finds base64 at offset 1');
    assert.ok(control.some((h) => h.marker.startsWith('sshKeyLine')), 'the control finds the key lines');
    const hits = findHits(places, markers);

    // Dashboard tokens: exactly one line of their own command's stdout, nowhere else.
    for (const tk of tokens) {
      assert.ok(tk.token.length >= 24, `${tk.command}: a token was printed`);
      const lines = tk.stdout.split('\n').filter((l) => l.includes(tk.token));
      assert.equal(lines.length, 1, `${tk.command}: the token is printed once`);
      assert.match(lines[0] ?? '', /^dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+$/, `${tk.command}: only in the dashboard URL line`);
    }
    const ownUrlLine = (p: Place, tk: { command: string; token: string }): Buffer =>
      p.where === `${tk.command} stdout` ? Buffer.from(p.data.toString('utf8').replace(`?token=${tk.token}`, '?token=<printed>')) : p.data;
    const tokenHits = tokens.flatMap((tk) => findHits(places.map((p) => ({ where: p.where, data: ownUrlLine(p, tk) })), new Map([[`token of ${tk.command}`, tk.token]])));

    const leaks = [...hits, ...tokenHits];
    const bytes = places.reduce((n, p) => n + p.data.length, 0);
    t.diagnostic(`searched ${places.length} places (${files.length} files, ${outputs.length} outputs, ${dashboardPlaces.length} dashboard responses), ${bytes} bytes, ${markers.size + tokens.length} markers`);
    recordReliability('security', {
      case: 'secrets never written',
      outcome: leaks.length === 0 ? 'no secret found anywhere' : `${leaks.length} leak(s)`,
      places: places.length,
      files: files.length,
      outputs: outputs.length,
      dashboardResponses: dashboardPlaces.length,
      bytes,
      markers: markers.size + tokens.length,
      leaks: leaks.length,
    });
    assert.deepEqual(leaks, [], 'no planted secret appears anywhere');
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await lab.cleanup();
    rmSync(secretsDir, { recursive: true, force: true });
  }
});
