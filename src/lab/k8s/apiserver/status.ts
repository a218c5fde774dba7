/**
 * Kubernetes `Status` failures as the apiserver returns them (k8s.io/apimachinery metav1.Status). Handlers throw
 * ApiError; the server turns it into the JSON body and HTTP code. Reasons and messages follow the real apiserver's
 * wording (apimachinery/pkg/api/errors) so clients that match on them behave the same.
 */
import type { JsonObject } from './json.ts';

export const StatusReason = {
  notFound: 'NotFound',
  alreadyExists: 'AlreadyExists',
  conflict: 'Conflict',
  badRequest: 'BadRequest',
  invalid: 'Invalid',
  forbidden: 'Forbidden',
  methodNotAllowed: 'MethodNotAllowed',
  unsupportedMediaType: 'UnsupportedMediaType',
  expired: 'Expired',
  internalError: 'InternalError',
  timeout: 'Timeout',
} as const;
export type StatusReason = (typeof StatusReason)[keyof typeof StatusReason];

export interface StatusDetails {
  name?: string;
  kind?: string;
  causes?: Array<{ reason: string; message: string; field: string }>;
}

export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: StatusDetails,
  ) {
    super(message);
  }
}

export function buildStatusBody(err: ApiError): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: err.message,
    reason: err.reason,
    ...(err.details === undefined ? {} : { details: err.details }),
    code: err.code,
  };
}

export function buildSuccessStatus(code: number, details?: StatusDetails): JsonObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', ...(details ? { details } : {}), code };
}

/** `pods "web-1" not found` */
export function notFound(resource: string, name: string): ApiError {
  return new ApiError(404, StatusReason.notFound, `${resource} "${name}" not found`, { name, kind: resource });
}

export function alreadyExists(resource: string, name: string): ApiError {
  return new ApiError(409, StatusReason.alreadyExists, `${resource} "${name}" already exists`, { name, kind: resource });
}

/** The optimistic-concurrency failure, worded as the real apiserver words it. */
export function conflict(resource: string, name: string, why = 'the object has been modified; please apply your changes to the latest version and try again'): ApiError {
  return new ApiError(409, StatusReason.conflict, `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, StatusReason.badRequest, message);
}

/** 422 with one cause per field problem: `Service "x" is invalid: spec.clusterIP: Invalid value: ...`. */
export function invalid(kind: string, name: string, causes: Array<{ field: string; message: string }>): ApiError {
  const text = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
  return new ApiError(422, StatusReason.invalid, `${kind} "${name}" is invalid: ${text}`, {
    name,
    kind,
    causes: causes.map((c) => ({ reason: 'FieldValueInvalid', message: c.message, field: c.field })),
  });
}

export function forbidden(resource: string, name: string, why: string): ApiError {
  return new ApiError(403, StatusReason.forbidden, `${resource} "${name}" is forbidden: ${why}`, { name, kind: resource });
}

export function methodNotAllowed(): ApiError {
  return new ApiError(405, StatusReason.methodNotAllowed, 'the server does not allow this method on the requested resource');
}

export function pathNotFound(): ApiError {
  return new ApiError(404, StatusReason.notFound, 'the server could not find the requested resource');
}

export function internalError(message: string): ApiError {
  return new ApiError(500, StatusReason.internalError, `Internal error occurred: ${message}`);
}

export function storageTimeout(message: string): ApiError {
  return new ApiError(504, StatusReason.timeout, `Timeout: ${message}`);
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}
