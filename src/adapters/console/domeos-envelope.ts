/**
 * The DomeOS envelope `{resultCode, resultMsg, result}` checked once: a non-200 resultCode (sent with HTTP 200)
 * becomes FerryError `CONSOLE_<ResultStat name>` carrying the console's resultMsg and a hint. Pure.
 */
import { FerryError } from '../../errors.ts';

/** ResultStat codes ferry meets (docs/design/domeos.md §3.1). Others become CONSOLE_ERROR. */
const RESULT_NAMES: Readonly<Record<number, string>> = {
  400: 'PARAM_ERROR',
  403: 'FORBIDDEN',
  500: 'SERVER_INTERNAL_ERROR',
  1001: 'CLUSTER_NOT_LEGAL',
  1002: 'CLUSTER_NOT_EXIST',
  1003: 'CLUSTER_ALREADY_EXIST',
  1006: 'CANNOT_UPDATE_CLUSTER',
  1007: 'CLUSTER_WATCHER_NOT_READY',
  1201: 'DEPLOYMENT_NOT_EXIST',
  1202: 'CANNOT_DELETE_DEPLOYMENT',
  1203: 'DEPLOYMENT_EXIST',
  1204: 'DEPLOYMENT_STOP_FAILED',
  2002: 'USER_NOT_AUTHORIZED',
};

const HINTS: Readonly<Record<string, string>> = {
  PARAM_ERROR: 'The console refused the request; its message says which parameter. Check the value in the console UI.',
  FORBIDDEN: 'The console user lacks permission on this cluster: log in as a user with MODIFY rights (e.g. admin).',
  SERVER_INTERNAL_ERROR: "The console failed internally: check the DomeOS server's log and database, then retry.",
  CLUSTER_NOT_LEGAL: 'The cluster record is not legal for the console: check name, api, etcd and owner in 运维管理→集群→集群设置.',
  CLUSTER_NOT_EXIST: 'Check domeos.cluster in the inventory against the cluster names in the console (运维管理→集群).',
  CANNOT_UPDATE_CLUSTER: 'The console refused to update the cluster: check the user rights and the cluster in the console.',
  DEPLOYMENT_NOT_EXIST: 'The watcher deployment is gone: read the watcher status again.',
  CANNOT_DELETE_DEPLOYMENT: 'Stop the watcher first and wait until its state is STOP, then delete it.',
  DEPLOYMENT_STOP_FAILED: 'Check the watcher in the console (监听器设置): it may already be stopped.',
  USER_NOT_AUTHORIZED: 'Check the DomeOS username and password (domeos.credentialsFile or FERRY_DOMEOS_USERNAME/FERRY_DOMEOS_PASSWORD).',
};

export interface Envelope {
  readonly resultCode: number;
  readonly resultMsg: string;
  readonly result: unknown;
}

/** The envelope in a parsed body, or undefined when the body is not one. */
export function parseEnvelope(body: unknown): Envelope | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as Record<string, unknown>;
  if (typeof record['resultCode'] !== 'number') return undefined;
  return { resultCode: record['resultCode'], resultMsg: typeof record['resultMsg'] === 'string' ? record['resultMsg'] : '', result: record['result'] };
}

/** `CONSOLE_CLUSTER_NOT_EXIST` for 1002, `CONSOLE_ERROR` for a code ferry does not know. */
export function buildConsoleErrorCode(resultCode: number): string {
  const name = RESULT_NAMES[resultCode];
  return name === undefined ? 'CONSOLE_ERROR' : `CONSOLE_${name}`;
}

export function buildEnvelopeError(envelope: Envelope, what: string, subjects: Record<string, string>): FerryError {
  const name = RESULT_NAMES[envelope.resultCode];
  const hint = (name === undefined ? undefined : HINTS[name]) ?? 'Check the DomeOS console and its server log.';
  return new FerryError(buildConsoleErrorCode(envelope.resultCode), `DomeOS console refused to ${what}: ${envelope.resultMsg || `resultCode ${envelope.resultCode}`} (resultCode ${envelope.resultCode})`, {
    hint,
    retryable: envelope.resultCode === 500,
    subjects,
  });
}
