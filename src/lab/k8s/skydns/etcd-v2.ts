/**
 * The part of etcd's v2 keys API that skydns and kube2sky use (`/v2/keys<key>`: recursive get, set, recursive
 * delete), over every endpoint they were given, as etcd's Go client does: an endpoint that does not answer or
 * answers 5xx is skipped, the one that answered last is tried first, and only when none answers is the cluster
 * unavailable (worded as the Go client words it; FerryError `LAB_AGENT_UNREACHABLE`, as the other lab node
 * programs report a server they cannot reach). etcd 3.4 serves this API only with --enable-v2
 * (this-machine.md §1.5); without it every path is `404 page not found`.
 */
import { FerryError } from '../../../errors.ts';
import { isUnreachable, type HttpClient } from '../../node-runtime/http-client.ts';

export interface EtcdV2Node {
  readonly key: string;
  readonly value?: string;
  readonly dir?: boolean;
  readonly nodes?: readonly EtcdV2Node[];
  readonly modifiedIndex?: number;
}

interface EtcdV2Answer {
  node?: EtcdV2Node;
  errorCode?: number;
  message?: string;
  cause?: string;
}

const KEY_NOT_FOUND = 100;
/** Default bound of one request to one endpoint. */
export const ETCD_REQUEST_TIMEOUT_MS = 5_000;

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

/** `/a/b_c` → `/a/b_c` with each segment escaped for a URL path. */
export function buildKeysPath(key: string): string {
  const segments = key.split('/').filter((s) => s !== '').map(encodeURIComponent);
  return `/v2/keys/${segments.join('/')}`;
}

export interface EtcdV2Options {
  /** Bound of one request to one endpoint; default {@link ETCD_REQUEST_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
}

export class EtcdV2Client {
  private preferred = 0;
  private readonly timeoutMs: number;

  constructor(
    private readonly clients: readonly HttpClient[],
    o: EtcdV2Options = {},
  ) {
    this.timeoutMs = o.timeoutMs ?? ETCD_REQUEST_TIMEOUT_MS;
  }

  get endpoints(): string[] {
    return this.clients.map((c) => c.target.base);
  }

  private async send(method: string, path: string, body: string | undefined, signal: AbortSignal): Promise<{ status: number; answer: EtcdV2Answer | undefined; text: string }> {
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
          errors.push(`error #${i}: ${client.target.base}: HTTP ${res.status} ${res.text.trim().slice(0, 100)}`);
          continue;
        }
        this.preferred = index;
        return { status: res.status, answer: res.json as EtcdV2Answer | undefined, text: res.text };
      } catch (err) {
        if (!isUnreachable(err) || signal.aborted) throw err;
        errors.push(`error #${i}: ${(err as Error).message}`);
      }
    }
    throw new FerryError('LAB_AGENT_UNREACHABLE', `client: etcd cluster is unavailable or misconfigured; ${errors.join('; ')}`, {
      retryable: true,
      hint: 'Check that the etcd members given to the program run and serve the v2 API (--enable-v2).',
      subjects: { server: this.endpoints.join(',') },
    });
  }

  private invalid(path: string, status: number, answer: EtcdV2Answer | undefined, text: string): EtcdV2AnswerError {
    if (answer?.errorCode !== undefined) return new EtcdV2AnswerError(status, `${answer.errorCode}: ${answer.message ?? ''} (${answer.cause ?? path})`);
    const hint = text.includes('404 page not found') ? ' (is the v2 API enabled? etcd 3.4 needs --enable-v2)' : '';
    return new EtcdV2AnswerError(status, `${path}: unexpected answer HTTP ${status}: ${text.trim().slice(0, 200)}${hint}`);
  }

  /** The node at `key` (with every node below it when `recursive`), or undefined when the key does not exist. */
  async get(key: string, o: { recursive?: boolean }, signal: AbortSignal): Promise<EtcdV2Node | undefined> {
    const path = buildKeysPath(key);
    const query = new URLSearchParams({ quorum: 'false', ...(o.recursive === true ? { recursive: 'true' } : {}) });
    const { status, answer, text } = await this.send('GET', `${path}?${query.toString()}`, undefined, signal);
    if (status === 200 && answer?.node !== undefined) return answer.node;
    if (status === 404 && answer?.errorCode === KEY_NOT_FOUND) return undefined;
    throw this.invalid(path, status, answer, text);
  }

  /** Set `key` to `value` without a TTL (directories above it are created). */
  async set(key: string, value: string, signal: AbortSignal): Promise<void> {
    const path = buildKeysPath(key);
    const { status, answer, text } = await this.send('PUT', path, new URLSearchParams({ value }).toString(), signal);
    if (status === 200 || status === 201) return;
    throw this.invalid(path, status, answer, text);
  }

  /** Delete `key` (a directory with everything below it when `recursive`): `missing` when it did not exist. */
  async delete(key: string, o: { recursive?: boolean }, signal: AbortSignal): Promise<'deleted' | 'missing'> {
    const path = buildKeysPath(key);
    const { status, answer, text } = await this.send('DELETE', o.recursive === true ? `${path}?recursive=true` : path, undefined, signal);
    if (status === 200) return 'deleted';
    if (status === 404 && answer?.errorCode === KEY_NOT_FOUND) return 'missing';
    throw this.invalid(path, status, answer, text);
  }

  /** GET /version on one endpoint after another: the first that answers, or the unavailable error. */
  async version(signal: AbortSignal): Promise<{ endpoint: string; text: string }> {
    const { text } = await this.send('GET', '/version', undefined, signal);
    return { endpoint: this.clients[this.preferred]?.target.base ?? '', text: text.trim() };
  }
}
