/**
 * The one parser of the http(s) endpoints ferry reads: the inventory's URLs (etcd client/peer URLs, the apiserver,
 * the DomeOS console), the etcd client's endpoints, `node update-config --master/--etcd`, the DNS add-on's
 * `--machines`/`--etcd-server` and the console's stored fields. The reason a URL is refused is worded to follow the
 * URL in a message: `clientURL "ftp://…" has scheme ftp: …`; each caller wraps it in its own error code.
 */

export interface HttpURL {
  readonly scheme: 'http' | 'https';
  /** Lowercase host, IPv6 without brackets, as the URL parser normalizes it (`010.1.1.1` → `8.1.1.1`). */
  readonly host: string;
  /** The effective port: the explicit one, or 80/443. */
  readonly port: number;
  /** False when the URL relies on the scheme's default port. */
  readonly explicitPort: boolean;
  /** `host:port` (IPv6 in brackets), for finding two URLs on one listening socket. */
  readonly hostPort: string;
}

export type HttpURLResult =
  | { readonly ok: true; readonly url: HttpURL }
  | { readonly ok: false; readonly reason: string; readonly hint: string };

/**
 * What may follow the authority: `none` for etcd URLs (etcd refuses any path, even `/`: "URL must not contain a
 * path"), `slash` for the apiserver (a bare `/` only), `any` for the DomeOS console (which may live under a path).
 */
export type PathRule = 'none' | 'slash' | 'any';

// scheme :// [userinfo@] host [:port] rest — WHATWG URL drops a default port (`:80`), so the port is read here.
const SHAPE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/(?:([^@/?#]*)@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::([^/?#]*))?(.*)$/;

/** The URL as messages may show it: user name and password replaced by `***`. */
export function redactURL(raw: string): string {
  return raw.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^@/?#]*@/, '$1***@');
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface EndpointOptions {
  /** The scheme may be left out (`10.17.33.21:4012`), meaning http, as flanneld, skydns and the console allow. */
  readonly schemeOptional?: boolean;
}

const HAS_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

/** `example` is a good URL for the place, shown in hints. */
export function parseEndpointURL(rawIn: string, pathRule: PathRule, example = 'http://10.17.33.31:4012', options: EndpointOptions = {}): HttpURLResult {
  const raw = options.schemeOptional === true && !HAS_SCHEME.test(rawIn) ? `http://${rawIn}` : rawIn;
  const m = SHAPE.exec(raw);
  if (m === null) {
    const hint = /^[^/]*:\d+$/.test(raw) ? `add the scheme: http://${raw}` : `write it like ${example}`;
    return { ok: false, reason: 'is not a URL (expected scheme://host:port)', hint };
  }
  const [, scheme = '', userinfo, , portText, rest = ''] = m;
  const lowerScheme = scheme.toLowerCase();
  if (lowerScheme !== 'http' && lowerScheme !== 'https') {
    return { ok: false, reason: `has scheme ${scheme}; only http and https are allowed`, hint: `write it like ${example}` };
  }
  if (userinfo !== undefined) {
    return {
      ok: false,
      reason: 'holds a user name or password',
      hint: 'remove the user@ part; credentials never go in the inventory',
    };
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid URL (check the host and the port, 1-65535)', hint: `write it like ${example}` };
  }
  if (parsed.hostname === '') {
    return { ok: false, reason: 'has no host', hint: `write it like ${example}` };
  }
  const allowedRest = pathRule === 'any' || rest === '' || (pathRule === 'slash' && rest === '/');
  if (!allowedRest) {
    return {
      ok: false,
      reason: `has a path or query (${rest}) after the port`,
      hint: `remove ${JSON.stringify(rest)}: give scheme, host and port only`,
    };
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const explicitPort = portText !== undefined && portText !== '';
  const port = parsed.port !== '' ? Number(parsed.port) : lowerScheme === 'https' ? 443 : 80;
  if (port === 0) return { ok: false, reason: 'has port 0 (check the port, 1-65535)', hint: `write it like ${example}` };
  return {
    ok: true,
    url: { scheme: lowerScheme, host, port, explicitPort, hostPort: formatHostPort(host, port) },
  };
}

/**
 * The host of a URL as it is written (lowercase, IPv6 without brackets), for what goes back into a file ferry writes:
 * {@link HttpURL.host} is the URL parser's normal form, which may differ (`010.17.33.20` is read as octal).
 */
export function readWrittenHost(raw: string): string | undefined {
  const host = SHAPE.exec(raw)?.[3];
  return host === undefined ? undefined : normalizeHost(host);
}

/** A host as written in the inventory, in the form {@link HttpURL.host} uses, so the two compare. */
export function normalizeHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
}
