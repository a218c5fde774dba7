/**
 * The DomeOS server's response envelope (`HttpResponseTemp.java`): `{result, resultCode, resultMsg}`, errors sent as
 * HTTP 200 with a non-200 `resultCode`, and `resultMsg` = the ResultStat name, optionally `":" + detail`
 * (`ResultStat.wrap()`), as in docs/design/domeos.md §3.1.
 */

/** The ResultStat codes the stand-in answers with (a subset of `ResultStat.java`). */
export const ResultStat = {
  OK: 200,
  PARAM_ERROR: 400,
  FORBIDDEN: 403,
  SERVER_INTERNAL_ERROR: 500,
  CLUSTER_NOT_LEGAL: 1001,
  CLUSTER_NOT_EXIST: 1002,
  DEPLOYMENT_NOT_EXIST: 1201,
  CANNOT_DELETE_DEPLOYMENT: 1202,
  DEPLOYMENT_STOP_FAILED: 1204,
  USER_NOT_AUTHORIZED: 2002,
} as const;
export type ResultStatName = keyof typeof ResultStat;

export interface Envelope {
  readonly result: unknown;
  readonly resultCode: number;
  readonly resultMsg: string;
}

/** A failure a handler throws; the server turns it into an HTTP 200 envelope. */
export class DomeosApiError extends Error {
  constructor(
    readonly stat: ResultStatName,
    readonly detail?: string,
  ) {
    super(detail === undefined ? stat : `${stat}:${detail}`);
  }
}

export function buildOkEnvelope(result: unknown): Envelope {
  return { result: result ?? null, resultCode: ResultStat.OK, resultMsg: 'OK' };
}

export function buildErrorEnvelope(stat: ResultStatName, detail?: string): Envelope {
  return { result: null, resultCode: ResultStat[stat], resultMsg: detail === undefined ? stat : `${stat}:${detail}` };
}

/** What Shiro's redirect filter sends to a request without a live session (HTTP 401). */
export const NOT_LOGGED_IN_HTML =
  '<html><head><meta http-equiv="refresh" content="0;url=/login/login.html"></head><body></body></html>';
