/** Small readers of a resource request shared by the handlers. Pure. */
import type { ResourceRequest } from './context.ts';
import { toKubeObject } from './json.ts';
import type { KubeObject } from './json.ts';
import { badRequest } from './status.ts';

/** `?dryRun=All`: compute and validate, store nothing. */
export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

/** The body as an object of the request's kind, or 400. */
export function requireObjectBody(req: ResourceRequest): KubeObject {
  const obj = toKubeObject(req.body);
  if (obj === undefined) throw badRequest(`the body of the request is not a ${req.spec.kind} object`);
  return obj;
}
