/**
 * The parts of a kubeconfig the node programs use (pure): the server of the current context's cluster, whether
 * to skip TLS verification, and the user's credentials. DomeOS writes one for HTTPS apiservers
 * (`/etc/sysconfig/kubelet.config`, docs/design/domeos.md §2.2: basic auth user, `insecure-skip-tls-verify: true`).
 */
import { parse } from 'yaml';
import type { HttpAuth } from './http-client.ts';

export interface KubeconfigTarget {
  /** `server:` of the cluster; undefined when the file names none. */
  readonly server?: string;
  readonly insecureSkipTlsVerify: boolean;
  readonly auth?: HttpAuth;
  /** Paths as the file gives them (host paths): `certificate-authority`, `client-certificate`, `client-key`. */
  readonly certificateAuthority?: string;
  readonly clientCertificate?: string;
  readonly clientKey?: string;
}

interface Named<T> {
  name?: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function pick<T>(list: unknown, name: string | undefined, field: 'cluster' | 'user' | 'context'): T | undefined {
  if (!Array.isArray(list)) return undefined;
  const entries = list as Named<T>[];
  const found = name === undefined ? undefined : entries.find((e) => e?.name === name);
  return (found ?? entries[0])?.[field];
}

/** Throws when the text is not YAML; a YAML document without the fields gives an empty target. */
export function parseKubeconfig(text: string): KubeconfigTarget {
  const doc = (parse(text) ?? {}) as Record<string, unknown>;
  const context = pick<Record<string, unknown>>(doc['contexts'], str(doc['current-context']), 'context');
  const cluster = pick<Record<string, unknown>>(doc['clusters'], str(context?.['cluster']), 'cluster');
  const user = pick<Record<string, unknown>>(doc['users'], str(context?.['user']), 'user');
  const username = str(user?.['username']);
  const password = str(user?.['password']);
  const token = str(user?.['token']);
  const auth: HttpAuth | undefined = token !== undefined ? { token } : username !== undefined ? { username, password } : undefined;
  const server = str(cluster?.['server']);
  const certificateAuthority = str(cluster?.['certificate-authority']);
  const clientCertificate = str(user?.['client-certificate']);
  const clientKey = str(user?.['client-key']);
  return {
    ...(certificateAuthority !== undefined ? { certificateAuthority } : {}),
    ...(clientCertificate !== undefined ? { clientCertificate } : {}),
    ...(clientKey !== undefined ? { clientKey } : {}),
    ...(server !== undefined ? { server: server.replace(/\/+$/, '') } : {}),
    insecureSkipTlsVerify: cluster?.['insecure-skip-tls-verify'] === true,
    ...(auth !== undefined ? { auth } : {}),
  };
}
