/**
 * Which apiserver a node program talks to, and how: the server from its flag (`--api-servers`' first entry,
 * `--master`) or else from `--kubeconfig`'s current cluster, with the kubeconfig's credentials and TLS setting.
 * DomeOS passes `--kubeconfig=/etc/sysconfig/kubelet.config` for HTTPS apiservers (docs/design/domeos.md §2.2).
 */
import { readFile } from 'node:fs/promises';
import { messageOf } from '../../errors.ts';
import type { HttpTarget, HttpTls } from './http-client.ts';
import { resolveHostPath } from './host-paths.ts';
import { parseKubeconfig, type KubeconfigTarget } from './kubeconfig.ts';

export interface ApiserverChoice {
  /** Undefined when neither the flag nor the kubeconfig names a server. */
  readonly target?: HttpTarget;
  /** Why the kubeconfig was not used (read or parse failure), for the log. */
  readonly warning?: string;
}

/** `host:port` without a scheme means plain http, as the 1.4 clients read it. */
export function normalizeServerURL(server: string): string {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `http://${server}`;
  return withScheme.replace(/\/+$/, '');
}

/** Pure: combine the flag's server and the kubeconfig's. */
export function buildApiserverTarget(server: string | undefined, kubeconfig: KubeconfigTarget | undefined, tls?: HttpTls): HttpTarget | undefined {
  const chosen = server ?? kubeconfig?.server;
  if (chosen === undefined || chosen === '') return undefined;
  return {
    base: normalizeServerURL(chosen),
    ...(tls !== undefined ? { tls } : {}),
    ...(kubeconfig?.auth !== undefined ? { auth: kubeconfig.auth } : {}),
    ...(kubeconfig?.insecureSkipTlsVerify === true ? { insecureSkipTlsVerify: true } : {}),
  };
}

export async function readApiserverTarget(root: string, o: { readonly server?: string; readonly kubeconfig?: string }): Promise<ApiserverChoice> {
  let kubeconfig: KubeconfigTarget | undefined;
  let warning: string | undefined;
  let tls: HttpTls | undefined;
  if (o.kubeconfig !== undefined) {
    try {
      kubeconfig = parseKubeconfig(await readFile(resolveHostPath(root, o.kubeconfig), 'utf8'));
      tls = await readKubeconfigTls(root, kubeconfig);
    } catch (err) {
      warning = `invalid kubeconfig ${o.kubeconfig}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : messageOf(err)}`;
    }
  }
  const target = buildApiserverTarget(o.server, kubeconfig, tls);
  return { ...(target !== undefined ? { target } : {}), ...(warning !== undefined ? { warning } : {}) };
}

/** The CA and client certificate files a kubeconfig names, read from the host's root. */
async function readKubeconfigTls(root: string, k: KubeconfigTarget): Promise<HttpTls | undefined> {
  const read = (path: string | undefined) => (path === undefined ? Promise.resolve(undefined) : readFile(resolveHostPath(root, path)));
  const [ca, cert, key] = await Promise.all([read(k.certificateAuthority), read(k.clientCertificate), read(k.clientKey)]);
  if (ca === undefined && cert === undefined) return undefined;
  return { ...(ca !== undefined ? { ca } : {}), ...(cert !== undefined && key !== undefined ? { cert, key } : {}) };
}
