/**
 * The part of etcd's v2 keys API the lab's node programs use (`/v2/keys<key>`): flanneld's get, create with
 * prevExist=false and renew with prevExist=true (with a TTL); skydns's recursive get; kube2sky's set, recursive
 * delete and `/version`. It works over every endpoint the program was given, as etcd's Go client does: an endpoint
 * that does not answer or answers 5xx is skipped, the one that answered last is tried first, and only when none
 * answers is the cluster unavailable (worded as the Go client words it). etcd 3.4 serves this API only with
 * --enable-v2 (docs/design/lab-environment.md §1.5); without it every path is `404 page not found`.
 *
 * What a failure is called is the program's: flanneld raises its own error codes (flanneld/agent.ts); skydns and
 * kube2sky take {@link GO_CLIENT_FAILURES}, as the other lab node programs report a server they cannot reach.
 */
import { FerryError } from '../../../errors.ts';
import { isUnreachable, type HttpClient } from '../../node-runtime/http-client.ts';

export interface EtcdV2Node {
  readonly key: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly nodes?: readonly EtcdV2Node[];
  readonly modifiedIndex?: number;
  readonly ttl?: number;
}

export interface EtcdV2Answer {
  readonly node?: EtcdV2Node;
  readonly errorCode?: number;
  readonly message?: string;
  readonly cause?: string;
}

const KEY_NOT_FOUND = 100;
const NODE_EXIST = 105;
/** Default bound of one request to one endpoint. */
export const ETCD_REQUEST_TIMEOUT_MS = 5_000;

/** The errors a program raises for its etcd calls. */
export interface EtcdV2Failures {
  /** No endpoint answered; `attempts` lists why, `error #0: …; error #1: …`. */
  unavailable(attempts: string, endpoints: readonly string[]): Error;
  /** etcd answered, but not as its v2 API answers the call (v2 disabled, a proxy, an unhandled error code). */
  unexpected(path: string, status: number, answer: EtcdV2Answer | undefined, text: string): Error;
  /** Whether an endpoint's 5xx answer is quoted in `attempts` (skydns, kube2sky) or only its status (flanneld). */
  readonly quotesServerErrors: boolean;
}

/** etcd answered, but not as its v2 API does (v2 disabled, a proxy, an error code the caller does not handle). */
export class EtcdV2AnswerError extends Error {
  override readonly name = 'EtcdV2AnswerError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** `<path>: unexpected answer HTTP <status>: <text>`, with a hint when the text says the v2 API is off. */
export function describeUnexpectedAnswer(path: string, status: number, text: string): string {
  const hint = text.includes('404 page not found') ? ' (is the v2 API enabled? etcd 3.4 needs --enable-v2)' : '';
  return `${path}: unexpected answer HTTP ${status}: ${text.trim().slice(0, 200)}${hint}`;
}

/** The failures of skydns and kube2sky: `LAB_AGENT_UNREACHABLE`, and etcd's own error (`100: Key not found (…)`). */
export const GO_CLIENT_FAILURES: EtcdV2Failures = {
  unavailable: (attempts, endpoints) =>
    new FerryError('LAB_AGENT_UNREACHABLE', `client: etcd cluster is unavailable or misconfigured; ${attempts}`, {
      retryable: true,
      hint: 'Check that the etcd members given to the program run and serve the v2 API (--enable-v2).',
      subjects: { server: endpoints.join(',') },
    }),
  unexpected: (path, status, answer, text) =>
    answer?.errorCode !== undefined
      ? new EtcdV2AnswerError(status, `${answer.errorCode}: ${answer.message ?? ''} (${answer.cause ?? path})`)
      : new EtcdV2AnswerError(status, describeUnexpectedAnswer(path, status, text)),
  quotesServerErrors: true,
};

/** `/a/b_c` → `/v2/keys/a/b_c`, each segment escaped for a URL path. */
export function buildKeysPath(key: string): string {
  const segments = key.split('/').filter((s) => s !== '').map(encodeURIComponent);
  return `/v2/keys/${segments.join('/')}`;
}

export interface EtcdV2Options {
  /** Bound of one request to one endpoint; default {@link ETCD_REQUEST_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Default {@link GO_CLIENT_FAILURES}. */
  readonly failures?: EtcdV2Failures;
}

interface Reply {
  readonly status: number;
  readonly answer: EtcdV2Answer | undefined;
  readonly text: string;
}

export class EtcdV2Client {
  /** The endpoint that answered last is tried first. */
  private preferred = 0;
  private readonly timeoutMs: number;
  private readonly failures: EtcdV2Failures;

  constructor(
    private readonly clients: readonly HttpClient[],
    o: EtcdV2Options = {},
  ) {
    this.timeoutMs = o.timeoutMs ?? ETCD_REQUEST_TIMEOUT_MS;
    this.failures = o.failures ?? GO_CLIENT_FAILURES;
  }

  get endpoints(): string[] {
    return this.clients.map((c) => c.target.base);
  }

  private async send(method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<Reply> {
    const errors: string[] = [];
    for (let i = 0; i < this.clients.length; i++) {
      const index = (this.preferred + i) % this.clients.length;
      const client = this.clients[index] as HttpClient;
      try {
        const res = await client.request(method, path, {
          ...(body !== undefined ? { body, contentType: 'application/x-www-form-urlencoded' } : {}),
          signal,
          timeoutMs: this.timeoutMs,
        });
        if (res.status >= 500) {
          errors.push(`error #${i}: ${client.target.base}: HTTP ${res.status}${this.failures.quotesServerErrors ? ` ${res.text.trim().slice(0, 100)}` : ''}`);
          continue;
        }
        this.preferred = index;
        return { status: res.status, answer: res.json as EtcdV2Answer | undefined, text: res.text };
      } catch (err) {
        if (!isUnreachable(err) || signal.aborted) throw err;
        errors.push(`error #${i}: ${(err as Error).message}`);
      }
    }
    throw this.failures.unavailable(errors.join('; '), this.endpoints);
  }

  private unexpected(path: string, reply: Reply): Error {
    return this.failures.unexpected(path, reply.status, reply.answer, reply.text);
  }

  /** The node at `key` (with every node below it when `recursive`), or undefined when the key does not exist. */
  async get(key: string, o: { readonly recursive?: boolean }, signal: AbortSignal): Promise<EtcdV2Node | undefined> {
    const path = buildKeysPath(key);
    const query = new URLSearchParams({ quorum: 'false', ...(o.recursive === true ? { recursive: 'true' } : {}) });
    const reply = await this.send('GET', `${path}?${query.toString()}`, undefined, signal);
    if (reply.status === 200 && reply.answer?.node !== undefined) return reply.answer.node;
    if (reply.status === 404 && reply.answer?.errorCode === KEY_NOT_FOUND) return undefined;
    throw this.unexpected(path, reply);
  }

  /** Set `key` to `value` without a TTL (directories above it are created). */
  async set(key: string, value: string, signal: AbortSignal): Promise<void> {
    const path = buildKeysPath(key);
    const reply = await this.send('PUT', path, new URLSearchParams({ value }).toString(), signal);
    if (reply.status === 200 || reply.status === 201) return;
    throw this.unexpected(path, reply);
  }

  /** Create `key` with a TTL unless it exists: `created`, or `exists` when someone holds it already. */
  async create(key: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<'created' | 'exists'> {
    const path = buildKeysPath(key);
    const reply = await this.send('PUT', `${path}?prevExist=false`, new URLSearchParams({ value, ttl: String(ttlSeconds) }).toString(), signal);
    if (reply.status === 201 || reply.status === 200) return 'created';
    if (reply.status === 412 && reply.answer?.errorCode === NODE_EXIST) return 'exists';
    throw this.unexpected(path, reply);
  }

  /** Rewrite an existing `key` with a fresh TTL: `renewed`, or `missing` when it is gone (expired or deleted). */
  async renew(key: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<'renewed' | 'missing'> {
    const path = buildKeysPath(key);
    const reply = await this.send('PUT', `${path}?prevExist=true`, new URLSearchParams({ value, ttl: String(ttlSeconds) }).toString(), signal);
    if (reply.status === 200 || reply.status === 201) return 'renewed';
    if (reply.status === 404 && reply.answer?.errorCode === KEY_NOT_FOUND) return 'missing';
    throw this.unexpected(path, reply);
  }

  /** Delete `key` (a directory with everything below it when `recursive`): `missing` when it did not exist. */
  async delete(key: string, o: { readonly recursive?: boolean }, signal: AbortSignal): Promise<'deleted' | 'missing'> {
    const path = buildKeysPath(key);
    const reply = await this.send('DELETE', o.recursive === true ? `${path}?recursive=true` : path, undefined, signal);
    if (reply.status === 200) return 'deleted';
    if (reply.status === 404 && reply.answer?.errorCode === KEY_NOT_FOUND) return 'missing';
    throw this.unexpected(path, reply);
  }

  /** GET /version on one endpoint after another: the first that answers, or the unavailable error. */
  async version(signal: AbortSignal): Promise<{ endpoint: string; text: string }> {
    const { text } = await this.send('GET', '/version', undefined, signal);
    return { endpoint: this.clients[this.preferred]?.target.base ?? '', text: text.trim() };
  }
}
