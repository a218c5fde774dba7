/**
 * ferry's adapter for the DomeOS console (docs/design/domeos.md §3): log in with a session cookie, read and update a cluster's
 * apiserver and etcd (GET the whole ClusterInfo, change api and etcd, PUT it back whole, since PUT overwrites), and
 * replace the watcher (stop and wait for STOP, delete, create with the new apiserver, start). Every call is bounded;
 * an expired session (HTTP 401) is logged in again once; the envelope is checked here, once. The password never
 * appears in a message.
 */
import { FerryError, messageOf } from '../../errors.ts';
import type { ConsoleCredentials } from './domeos-credentials.ts';
import { buildEnvelopeError, parseEnvelope } from './domeos-envelope.ts';
import type { WatcherConf } from '../../console/domeos-fields.ts';
import type { ConsoleSession } from '../../ports/console.ts';
import type { ClusterEndpoints, ClusterInfo, DeploymentInfo, WatcherInfo } from '../../console/types.ts';

export { buildApiField, buildEtcdField, buildWatcherConf } from '../../console/domeos-fields.ts';
export type { WatcherConf } from '../../console/domeos-fields.ts';
export { readConsoleCredentials } from './domeos-credentials.ts';
export type { ConsoleCredentials, CredentialSource } from './domeos-credentials.ts';
export type { ConsoleApi, ConsoleSession } from '../../ports/console.ts';
export type { ClusterEndpoints, ClusterInfo, DeploymentInfo, WatcherInfo } from '../../console/types.ts';

export interface DomeosConsoleOptions {
  /** Bound on each HTTP request, in ms. Default 10 000. */
  readonly requestTimeoutMs?: number;
  /** Interval between status polls, in ms. Default 500. */
  readonly pollIntervalMs?: number;
  /** Cancels every call. */
  readonly signal?: AbortSignal;
  /** Injected for tests. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

interface CallSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: string;
  readonly body?: unknown;
  /** For messages: "read cluster 1". */
  readonly what: string;
  readonly subjects?: Record<string, string>;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });

function requireNumberField(value: unknown, field: string, what: string): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || typeof (value as Record<string, unknown>)[field] !== 'number') {
    throw new FerryError('CONSOLE_BAD_RESPONSE', `DomeOS console answered "${what}" without a numeric ${field}`, { hint: 'Check that the URL points at a DomeOS server (v0.6 or later).' });
  }
  return value as Record<string, unknown>;
}

export class DomeosConsole implements ConsoleSession {
  private readonly baseUrl: string;
  private readonly cookies = new Map<string, string>();
  private loggedIn = false;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private readonly doFetch: typeof fetch;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;

  constructor(
    baseUrl: string,
    private readonly credentials: ConsoleCredentials,
    private readonly opts: DomeosConsoleOptions = {},
  ) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.pollMs = opts.pollIntervalMs ?? 500;
    this.doFetch = opts.fetch ?? fetch;
    this.sleep = opts.sleep ?? defaultSleep;
  }

  private signal(timeoutMs = this.timeoutMs): AbortSignal {
    const timeout = AbortSignal.timeout(timeoutMs);
    return this.opts.signal === undefined ? timeout : AbortSignal.any([timeout, this.opts.signal]);
  }

  /** One HTTP exchange, cookies kept; transport failures become CONSOLE_UNREACHABLE. */
  private async send(spec: CallSpec, timeoutMs?: number): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (spec.body !== undefined) headers['Content-Type'] = 'application/json';
    if (this.cookies.size > 0) headers['Cookie'] = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    try {
      const res = await this.doFetch(`${this.baseUrl}${spec.path}`, {
        method: spec.method,
        headers,
        body: spec.body === undefined ? undefined : JSON.stringify(spec.body),
        redirect: 'manual',
        signal: this.signal(timeoutMs),
      });
      for (const line of res.headers.getSetCookie()) {
        const pair = line.split(';')[0] ?? '';
        const eq = pair.indexOf('=');
        if (eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
      return { status: res.status, text: await res.text() };
    } catch (err) {
      if (this.opts.signal?.aborted === true) throw err;
      throw new FerryError('CONSOLE_UNREACHABLE', `cannot ${spec.what} on the DomeOS console at ${this.baseUrl}: ${messageOf(err)}`, {
        hint: 'Check that the DomeOS server is running and reachable from this machine (GET /health), then retry.',
        retryable: true,
        subjects: { console: this.baseUrl, ...spec.subjects },
        cause: err,
      });
    }
  }

  /** The envelope's result of a call; logs in first, and once more on a 401 (expired session). */
  private async call(spec: CallSpec): Promise<unknown> {
    if (!this.loggedIn) await this.login();
    let answer = await this.send(spec);
    if (answer.status === 401) {
      this.loggedIn = false;
      await this.login();
      answer = await this.send(spec);
    }
    return this.checkAnswer(spec, answer);
  }

  private checkAnswer(spec: CallSpec, answer: { status: number; text: string }): unknown {
    const subjects = { console: this.baseUrl, ...spec.subjects };
    if (answer.status === 401) {
      throw new FerryError('CONSOLE_NOT_LOGGED_IN', `DomeOS console at ${this.baseUrl} answered HTTP 401 to "${spec.what}" right after a successful login`, {
        hint: 'The console drops sessions at once: check its session store (Redis) and clock.',
        retryable: true,
        subjects,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text) as unknown;
    } catch {
      body = undefined;
    }
    const envelope = parseEnvelope(body);
    if (answer.status !== 200 || envelope === undefined) {
      throw new FerryError('CONSOLE_BAD_RESPONSE', `DomeOS console at ${this.baseUrl} answered "${spec.what}" with HTTP ${answer.status} and no result envelope`, {
        hint: 'Check that the URL points at a DomeOS server (v0.6 or later) and not at a proxy or another service.',
        subjects: { ...subjects, status: String(answer.status) },
      });
    }
    if (envelope.resultCode !== 200) throw buildEnvelopeError(envelope, spec.what, subjects);
    return envelope.result;
  }

  /** POST /api/user/login; keeps the JSESSIONID cookie. Wrong credentials: CONSOLE_USER_NOT_AUTHORIZED. */
  async login(): Promise<void> {
    const spec: CallSpec = {
      method: 'POST',
      path: '/api/user/login',
      body: { username: this.credentials.username, password: this.credentials.password, loginType: 'USER' },
      what: `log in as user "${this.credentials.username}"`,
      subjects: { user: this.credentials.username },
    };
    this.cookies.clear();
    this.checkAnswer(spec, await this.send(spec));
    this.loggedIn = true;
  }

  /** GET /health (anonymous): true when the server answers 200. Never throws for a down server. */
  async health(timeoutMs?: number): Promise<boolean> {
    try {
      return (await this.send({ method: 'GET', path: '/health', what: 'check health' }, timeoutMs)).status === 200;
    } catch (err) {
      if (err instanceof FerryError) return false;
      throw err;
    }
  }

  async readClusterById(id: number): Promise<ClusterInfo> {
    const what = `read cluster ${id}`;
    const result = await this.call({ method: 'GET', path: `/api/cluster/${id}`, what, subjects: { cluster: String(id) } });
    return requireNumberField(result, 'id', what) as unknown as ClusterInfo;
  }

  /** The whole ClusterInfo of the cluster named `name`. Unknown name: CONSOLE_CLUSTER_NOT_EXIST. */
  async readCluster(name: string): Promise<ClusterInfo> {
    const list = await this.call({ method: 'GET', path: '/api/cluster', what: 'list clusters' });
    const items = Array.isArray(list) ? (list as Array<Record<string, unknown>>) : [];
    const found = items.find((c) => c !== null && typeof c === 'object' && c['name'] === name);
    if (found === undefined || typeof found['id'] !== 'number') {
      const names = items.map((c) => String(c?.['name'])).join(', ') || 'none';
      throw new FerryError('CONSOLE_CLUSTER_NOT_EXIST', `DomeOS console at ${this.baseUrl} has no cluster named "${name}" (it has: ${names})`, {
        hint: 'Set domeos.cluster in the inventory to the name shown in 运维管理→集群.',
        subjects: { console: this.baseUrl, cluster: name },
      });
    }
    return this.readClusterById(found['id']);
  }

  /**
   * Re-reads the cluster whole, sets `api` and/or `etcd` (formats: buildApiField, buildEtcdField) and PUTs it back
   * whole, because PUT /api/cluster overwrites every field. Returns what the console echoed.
   */
  async updateClusterEndpoints(cluster: Pick<ClusterInfo, 'id'>, endpoints: ClusterEndpoints): Promise<ClusterInfo> {
    const current = await this.readClusterById(cluster.id);
    const next: Record<string, unknown> = { ...current };
    if (endpoints.api !== undefined) next['api'] = endpoints.api;
    if (endpoints.etcd !== undefined) next['etcd'] = endpoints.etcd;
    const what = `update the endpoints of cluster "${current.name}"`;
    const result = await this.call({ method: 'PUT', path: '/api/cluster', body: next, what, subjects: { cluster: current.name } });
    return requireNumberField(result, 'id', what) as unknown as ClusterInfo;
  }

  /**
   * The cluster's watcher, or undefined when it has none ("no watcher in this cluster"), or when the console has no
   * watcher endpoint at all (HTTP 404: a DomeOS older than the watcher; the runbook says to skip the step then).
   */
  async readWatcher(clusterId: number): Promise<WatcherInfo | undefined> {
    const what = `read the watcher of cluster ${clusterId}`;
    try {
      const result = await this.call({ method: 'GET', path: `/api/cluster/${clusterId}/watcher/status`, what, subjects: { cluster: String(clusterId) } });
      return requireNumberField(result, 'deployId', what) as unknown as WatcherInfo;
    } catch (err) {
      if (err instanceof FerryError && err.code === 'CONSOLE_PARAM_ERROR' && /no watcher in this cluster/i.test(err.message)) return undefined;
      if (err instanceof FerryError && err.code === 'CONSOLE_BAD_RESPONSE' && err.subjects['status'] === '404') return undefined;
      throw err;
    }
  }

  async readDeployment(deployId: number): Promise<DeploymentInfo> {
    const what = `read deployment ${deployId}`;
    const result = await this.call({ method: 'GET', path: `/api/deploy/id/${deployId}`, what, subjects: { deployment: String(deployId) } });
    return requireNumberField(result, 'id', what) as unknown as DeploymentInfo;
  }

  /** Polls the deployment until it is `wanted`; CONSOLE_WATCHER_STOP_TIMEOUT (for STOP) or _START_TIMEOUT at the deadline. */
  async waitForDeploymentState(deployId: number, wanted: string, timeoutMs: number): Promise<DeploymentInfo> {
    const action = wanted === 'STOP' ? 'STOP' : 'START';
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const dep = await this.readDeployment(deployId);
      if (dep.state === wanted) return dep;
      if (Date.now() >= deadline) {
        throw new FerryError(action === 'STOP' ? 'CONSOLE_WATCHER_STOP_TIMEOUT' : 'CONSOLE_WATCHER_START_TIMEOUT', `the DomeOS watcher (deployment ${deployId}) is still ${dep.state} after ${timeoutMs} ms, waiting for ${wanted}`, {
          hint: `Look at the watcher in the console (监听器设置 → 查看详情) and its events, then run again; the wait resumes.`,
          retryable: true,
          subjects: { console: this.baseUrl, deployment: String(deployId) },
        });
      }
      await this.sleep(Math.min(this.pollMs, Math.max(0, deadline - Date.now())), this.opts.signal);
    }
  }

  /** Stops the watcher (POST /api/deploy/action/stop) unless already stopping, then polls until STOP. Idempotent. */
  async stopWatcher(deployId: number, opts: { timeoutMs?: number } = {}): Promise<DeploymentInfo> {
    const dep = await this.readDeployment(deployId);
    if (dep.state === 'STOP') return dep;
    if (dep.state !== 'STOPPING') {
      try {
        await this.call({ method: 'POST', path: `/api/deploy/action/stop?deployId=${deployId}`, what: `stop the watcher (deployment ${deployId})`, subjects: { deployment: String(deployId) } });
      } catch (err) {
        // It reached STOP between the read and the request ("deployment is already stopped"): what was asked is done.
        if (!(err instanceof FerryError && err.code === 'CONSOLE_DEPLOYMENT_STOP_FAILED' && (await this.readDeployment(deployId)).state === 'STOP')) throw err;
      }
    }
    return this.waitForDeploymentState(deployId, 'STOP', opts.timeoutMs ?? 60_000);
  }

  /** DELETE /api/deploy/id/{id}; the console refuses unless STOP (CONSOLE_CANNOT_DELETE_DEPLOYMENT). */
  async deleteWatcher(deployId: number): Promise<void> {
    await this.call({ method: 'DELETE', path: `/api/deploy/id/${deployId}`, what: `delete the watcher (deployment ${deployId})`, subjects: { deployment: String(deployId) } });
  }

  /** POST /api/cluster/{id}/watcher/create. The console bakes the cluster's current `api` into the watcher's args. */
  async createWatcher(clusterId: number, conf: WatcherConf): Promise<DeploymentInfo> {
    const what = `create a watcher in cluster ${clusterId}`;
    const result = await this.call({ method: 'POST', path: `/api/cluster/${clusterId}/watcher/create`, body: conf, what, subjects: { cluster: String(clusterId) } });
    return requireNumberField(result, 'id', what) as unknown as DeploymentInfo;
  }

  /** POST /api/deploy/action/start?deployId=&version=1&replicas=1, then polls until RUNNING. */
  async startWatcher(deployId: number, opts: { timeoutMs?: number; version?: number } = {}): Promise<DeploymentInfo> {
    const query = `deployId=${deployId}&version=${opts.version ?? 1}&replicas=1`;
    await this.call({ method: 'POST', path: `/api/deploy/action/start?${query}`, what: `start the watcher (deployment ${deployId})`, subjects: { deployment: String(deployId) } });
    return this.waitForDeploymentState(deployId, 'RUNNING', opts.timeoutMs ?? 60_000);
  }
}
