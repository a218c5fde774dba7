/**
 * Issue 5 §1: the dashboard in a real browser (Debian's headless Chromium driven by playwright-core) against lab
 * runs in progress, started as the real CLI with `ferry apply --ui --port 0`:
 *  - a whole run (with the DNS add-on, as the demo): the page shows the steps advancing to done, the etcd members changing (the new ones become
 *    voters, the old ones go, a new one leads), the nodes grid turning done; then `ferry serve` replays the
 *    finished run, and its screenshot is taken (saved as docs/dashboard.png with FERRY_UPDATE_SCREENSHOT=1);
 *  - a run whose new master cannot start (its kube-apiserver binary exits 1, as in master-gate-rollback.test.ts):
 *    the page shows master.start-new failed, with its error code, and what was rolled back.
 * Addresses: 127.36.1.x (services 127.88.0.0/13, flannel 127.96.0.0/13) and 127.36.2.x (no DNS), one lab after the
 * other; the dashboards on 127.0.0.1, port 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ExitCode } from '../../src/errors.ts';
import { foldJournal } from '../../src/run/fold.ts';
import { hostPath, startMasterLab, type MasterLab } from '../helpers/master-lab.ts';
import { describeCliRun, FERRY_BIN, processesOf, readEvents, REPO_ROOT, runFerryCli } from '../helpers/migration.ts';

const CHROMIUM = '/usr/bin/chromium';
/** docs/dashboard.png (linked from the README) is rewritten only when asked: FERRY_UPDATE_SCREENSHOT=1. */
const UPDATE_SCREENSHOT = process.env['FERRY_UPDATE_SCREENSHOT'] === '1';
const labDirs: string[] = [];
const children = new Set<ChildProcess>();
let browser: Browser | undefined;

interface FerryChild {
  readonly child: ChildProcess;
  /** The dashboard URL printed (`dashboard: http://127.0.0.1:PORT/?token=…`). */
  readonly url: Promise<string>;
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

/** Start the real CLI as a child (cwd the repo, no colour) and resolve the dashboard URL it prints. */
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
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    stdout += c;
    const m = /^dashboard: (http:\/\/\S+)$/m.exec(stdout);
    if (m?.[1] !== undefined) onUrl(m[1]);
  });
  child.stderr?.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('close', (code) => {
      children.delete(child);
      onNoUrl(new Error(`ferry ${args.join(' ')} exited ${code} before printing the dashboard URL:\n${stdout}\n${stderr}`));
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, url, exited };
}

/**
 * Records, in the page, every state each step and each etcd member shows, in order (consecutive repeats dropped).
 * In-page code is given as text: this project's TypeScript has no DOM types.
 */
const RECORD_HISTORY = `(() => {
  window.__steps = {};
  window.__members = [];
  const snap = () => {
    document.querySelectorAll('li[data-step]').forEach((el) => {
      const id = el.getAttribute('data-step') || '';
      const state = el.getAttribute('data-state') || '';
      const list = (window.__steps[id] = window.__steps[id] || []);
      if (state !== '' && list[list.length - 1] !== state) list.push(state);
    });
    const members = [...document.querySelectorAll('[data-member]')].map((el) => el.getAttribute('data-member') + '=' + el.getAttribute('data-status')).join(' ');
    if (members !== '' && window.__members[window.__members.length - 1] !== members) window.__members.push(members);
  };
  snap();
  new MutationObserver(snap).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state', 'data-status'] });
})()`;

async function readHistory(page: Page): Promise<{ steps: Record<string, string[]>; members: string[] }> {
  return page.evaluate('({ steps: window.__steps, members: window.__members })');
}

/** The page's run state badge and how many node squares are done (a function, not text: the page's CSP forbids eval). */
interface PageDoc {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
  querySelectorAll(selector: string): { length: number };
}
function waitForRunState(page: Page, state: string, nodesDone: number, timeoutMs: number): Promise<unknown> {
  return page.waitForFunction(
    ([s, n]) => {
      const doc = (globalThis as unknown as { document: PageDoc }).document;
      return doc.querySelector('#run-state')?.getAttribute('data-state') === s && doc.querySelectorAll('[data-node][data-state="done"]').length >= Number(n);
    },
    [state, String(nodesDone)] as const,
    { timeout: timeoutMs, polling: 250 },
  );
}

const attr = (page: Page, selector: string, name: string) => page.locator(selector).evaluateAll((els, n) => els.map((e) => `${e.getAttribute('data-member') ?? e.getAttribute('data-node') ?? e.getAttribute('data-step') ?? e.getAttribute('data-unit') ?? ''}=${e.getAttribute(n)}`), name);

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is installed (Debian package chromium)`);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
});

after(async () => {
  for (const c of children) c.kill('SIGKILL');
  await browser?.close();
  for (const d of labDirs) assert.deepEqual(processesOf(d), [], `no process left behind by ${d}`);
});

test('a lab run in progress: steps advance to done, the etcd members change, the nodes turn done; serve replays it', { timeout: 600_000 }, async (t) => {
  // With the DNS add-on (on its own service and flannel ranges), as `ferry demo` runs it.
  const lab: MasterLab = await startMasterLab('127.36.1', {
    nodes: 2,
    lab: { dns: true, serviceClusterIpRange: '127.88.0.0/13', clusterDns: '127.88.40.1', flannelNetwork: '127.96.0.0/13' },
  });
  labDirs.push(lab.dir);
  const context = await (browser as Browser).newContext({ viewport: { width: 1440, height: 1000 } });
  let serve: FerryChild | undefined;
  try {
    const apply = startFerry(['apply', '-f', lab.inventoryPath, '--yes', '--ui', '--port', '0'], lab.env);
    const url = await apply.url;
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('li[data-step]');
    await page.evaluate(RECORD_HISTORY);
    assert.equal(new URL(page.url()).searchParams.has('token'), false, 'the token leaves the address bar (the cookie carries it)');

    await waitForRunState(page, 'done', 0, 480_000);
    const result = await apply.exited;
    assert.equal(result.code, ExitCode.ok, `apply --ui exits 0: ${describeCliRun(result)}`);
    const token = new URL(url).searchParams.get('token') ?? '';
    assert.equal((result.stdout + result.stderr).split(token).length - 1, 1, 'the token is printed once: in the URL line');

    const steps = await attr(page, 'li[data-step]', 'data-state');
    assert.ok(steps.length >= 8 && steps.every((s) => s.endsWith('=done')), `every step done: ${steps.join(' ')}`);
    const history = await readHistory(page);
    const advanced = Object.entries(history.steps).filter(([, states]) => states.includes('running') && states.at(-1) === 'done');
    t.diagnostic(`steps seen advancing live: ${advanced.map(([id]) => id).join(', ')}`);
    assert.ok(advanced.length >= 3, `the page showed steps running, then done: ${JSON.stringify(history.steps)}`);

    const members = await attr(page, '[data-member]', 'data-status');
    assert.deepEqual(members.filter((m) => m.startsWith('new')).sort(), ['new0=voter', 'new1=voter', 'new2=voter']);
    assert.deepEqual(members.filter((m) => m.startsWith('old')).sort(), ['old0=removed', 'old1=removed', 'old2=removed']);
    const leaders = await attr(page, '[data-member][data-leader="true"]', 'data-status');
    assert.equal(leaders.length, 1, `one leader: ${leaders.join(' ')}`);
    assert.match(leaders[0] ?? '', /^new\d=voter$/, 'a new member leads');
    t.diagnostic(`member pictures seen: ${history.members.length}`);
    assert.ok(history.members.length >= 3, `the members changed while the page watched: ${history.members.join('\n')}`);
    assert.ok(history.members.some((m) => /old\d=voter/.test(m) && /new\d=(voter|learner)/.test(m)), 'old and new members side by side mid-run');

    const nodes = await attr(page, '[data-node]', 'data-state');
    assert.deepEqual(nodes.sort(), lab.nodes.map((n) => `${n.name}=done`).sort());
    assert.equal(await page.locator('#failure').isHidden(), true, 'no failure panel');
    assert.deepEqual(await attr(page, '[data-master="new"] [data-unit="kube-apiserver"]', 'data-state'), ['kube-apiserver=running']);
    assert.deepEqual(await attr(page, '[data-master="old"] [data-unit="kube-apiserver"]', 'data-state'), ['kube-apiserver=stopped']);
    assert.ok((await page.locator('#log li').count()) > 20, 'the event log');
    assert.deepEqual(pageErrors, []);

    // The run is over and its --ui server stopped (stdout is not a terminal): `ferry serve` replays it.
    serve = startFerry(['serve', '--port', '0'], lab.env);
    const serveUrl = await serve.url;
    const replay = await context.newPage();
    await replay.goto(serveUrl);
    await waitForRunState(replay, 'done', lab.nodes.length, 30_000);
    assert.deepEqual(await attr(replay, 'li[data-step]', 'data-state'), steps, 'the replay shows what the live page showed');
    const runs = readEvents(join(lab.home, 'runs', new URL(replay.url()).searchParams.get('run') ?? ''));
    assert.equal(foldJournal(runs).runState, 'done', 'serve opened the newest run');
    for (const side of ['before', 'after']) {
      if (existsSync(join(lab.home, 'runs', new URL(replay.url()).searchParams.get('run') ?? '', `picture-${side}.json`))) {
        await replay.waitForSelector(`#pic-${side}:not([hidden])`, { timeout: 15_000 });
      } else t.diagnostic(`no picture-${side}.json in the run folder: the page says "no picture yet"`);
    }
    await replay.waitForTimeout(300);
    const shot = UPDATE_SCREENSHOT ? join(REPO_ROOT, 'docs', 'dashboard.png') : join(lab.dir, 'dashboard.png');
    mkdirSync(dirname(shot), { recursive: true });
    await replay.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 10_000, 'a screenshot of the finished run');
    t.diagnostic(`screenshot: ${shot}`);
    serve.child.kill('SIGTERM');
    const stopped = await serve.exited;
    assert.equal(stopped.code, 0, `serve stops cleanly on SIGTERM: ${describeCliRun(stopped)}`);
    assert.match(stopped.stdout, /SIGTERM: dashboard stopped/);
  } finally {
    serve?.child.kill('SIGKILL');
    await context.close();
    await lab.cleanup();
  }
});

test('a failed step: the page shows what failed, its error code, and what was rolled back', { timeout: 600_000 }, async () => {
  const lab = await startMasterLab('127.36.2', { nodes: 2 });
  labDirs.push(lab.dir);
  const context = await (browser as Browser).newContext({ viewport: { width: 1440, height: 1000 } });
  try {
    // The new master's apiserver cannot start: right version (the preflight passes), then exit 1.
    const binary = hostPath(lab, lab.newMasterHost, '/usr/sbin/domeos/k8s/1.4.7/kube-apiserver');
    rmSync(binary);
    writeFileSync(binary, '#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Kubernetes v1.4.7"; exit 0; fi\necho "broken on purpose" >&2\nexit 1\n');
    chmodSync(binary, 0o755);
    // A plan that gives up on the new master after 10 s instead of 60 (a plan's timeouts are its data).
    const planPath = join(lab.dir, 'plan.json');
    const made = await runFerryCli(['plan', '-f', lab.inventoryPath, '-o', 'json', '--out', planPath], lab.env);
    assert.equal(made.code, 0, `${made.stdout}\n${made.stderr}`);
    const plan = JSON.parse(readFileSync(planPath, 'utf8')) as { phases: { steps: { kind: string; params: { timeouts: { startTimeoutMs: number } } }[] }[] };
    const startNew = plan.phases.flatMap((p) => p.steps).find((s) => s.kind === 'master.start-new');
    assert.ok(startNew);
    startNew.params.timeouts.startTimeoutMs = 10_000;
    writeFileSync(planPath, JSON.stringify(plan, null, 2));

    const apply = startFerry(['apply', planPath, '--yes', '--ui', '--port', '0'], lab.env);
    const page = await context.newPage();
    await page.goto(await apply.url);
    await page.waitForSelector('#failure[data-step="master.start-new"][data-state="rolled-back"]', { timeout: 480_000 });
    const result = await apply.exited;
    assert.equal(result.code, ExitCode.failedRolledBack, `exit 1: ${describeCliRun(result)}`);

    const runId = new URL(page.url()).searchParams.get('run') ?? '';
    const view = foldJournal(readEvents(join(lab.home, 'runs', runId)));
    const code = view.steps.get('master.start-new')?.error?.code;
    assert.ok(code !== undefined);
    assert.equal(await page.locator('#failure-code').textContent(), code, 'the error code');
    assert.match((await page.locator('#failure').textContent()) ?? '', /Why/);
    assert.deepEqual(await attr(page, 'li[data-step="master.start-new"]', 'data-state'), ['master.start-new=rolled-back']);
    assert.equal(await page.locator('#run-state').getAttribute('data-state'), 'rolled-back');
    const rolledBack = await page.locator('#failure-rollback li[data-action]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-action')}=${e.getAttribute('data-status')}`));
    assert.ok(rolledBack.includes('restart-old:kube-apiserver=finished'), `the old apiserver restarted: ${rolledBack.join(' ')}`);
    assert.ok(rolledBack.some((a) => a.startsWith('stop-new:')), `the new master stopped: ${rolledBack.join(' ')}`);
    assert.deepEqual(await attr(page, '[data-master="old"] [data-unit="kube-apiserver"]', 'data-state'), ['kube-apiserver=running']);
    assert.deepEqual(await attr(page, '[data-node]', 'data-state'), lab.nodes.map((n) => `${n.name}=pending`), 'no node was touched');
  } finally {
    await context.close();
    await lab.cleanup();
  }
});
