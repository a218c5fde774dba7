/**
 * Which apiserver a node program talks to, and how: the server from its flag (`--api-servers`' first entry,
 * `--master`) or else from `--kubeconfig`'s current cluster, with the kubeconfig's credentials and TLS setting.
 * DomeOS passes `--kubeconfig=/etc/sysconfig/kubelet.config` for HTTPS apiservers (domeos.md §2.2).
 */
import { readFile } from 'node:fs/promises';
import { messageOf } from '../../errors.ts';
import type { HttpTarget } from './http-client.ts';
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
export function buildApiserverTarget(server: string | undefined, kubeconfig: KubeconfigTarget | undefined): HttpTarget | undefined {
  const chosen = server ?? kubeconfig?.server;
  if (chosen === undefined || chosen === '') return undefined;
  return {
    base: normalizeServerURL(chosen),
    ...(kubeconfig?.auth !== undefined ? { auth: kubeconfig.auth } : {}),
    ...(kubeconfig?.insecureSkipTlsVerify === true ? { insecureSkipTlsVerify: true } : {}),
  };
}

export async function readApiserverTarget(root: string, o: { readonly server?: string; readonly kubeconfig?: string }): Promise<ApiserverChoice> {
  let kubeconfig: KubeconfigTarget | undefined;
  let warning: string | undefined;
  if (o.kubeconfig !== undefined) {
    try {
      kubeconfig = parseKubeconfig(await readFile(resolveHostPath(root, o.kubeconfig), 'utf8'));
    } catch (err) {
      warning = `invalid kubeconfig ${o.kubeconfig}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : messageOf(err)}`;
    }
  }
  const target = buildApiserverTarget(o.server, kubeconfig);
  return { ...(target !== undefined ? { target } : {}), ...(warning !== undefined ? { warning } : {}) };
}
