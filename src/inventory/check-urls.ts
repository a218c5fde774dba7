/**
 * Cross-field checks of every URL in the inventory: each must be a plain http(s) URL, an etcd URL must point at its
 * own member's host, and no two URLs may share one host:port (two listeners cannot share a socket).
 */
import type { Draft, DraftMember } from './draft.ts';
import { defaultURL } from './normalize.ts';
import { DEFAULTS } from './schema.ts';
import { error, formatPath, show, warning } from './problems.ts';
import type { Finding, Segment } from './problems.ts';
import { normalizeHost, parseEndpointURL, redactURL } from './urls.ts';
import type { HttpURL, PathRule } from './urls.ts';

interface Endpoint {
  readonly segments: readonly Segment[];
  readonly label: string;
  readonly raw: string;
  readonly given: boolean;
  /** The etcd member the URL belongs to, if any. */
  readonly member?: DraftMember;
  readonly owner?: Owner;
  readonly url: HttpURL;
}

/** The machine role a URL is served by: two owners of one kind on one host are reported by the host checks. */
interface Owner {
  readonly kind: 'member' | 'master';
  readonly id: string;
  readonly host: string;
}

interface Place {
  readonly segments: readonly Segment[];
  readonly label: string;
  readonly raw: string;
  readonly given: boolean;
  readonly rule: PathRule;
  /** A good URL for this place, for hints. */
  readonly example: string;
  readonly member?: DraftMember;
  readonly owner?: Owner;
}

/** Every URL of the draft, in file order (old members, new members, master, console). */
function places(draft: Draft): Place[] {
  const out: Place[] = [];
  for (const member of draft.members) {
    const base = ['etcd', member.side, member.index];
    const owner: Owner = { kind: 'member', id: `${member.side}${member.index}`, host: member.host };
    if (member.clientURL !== undefined) {
      out.push({ segments: [...base, 'clientURL'], label: 'clientURL', ...member.clientURL, rule: 'none', example: defaultURL(member.host, DEFAULTS.etcd.clientPort), member, owner });
    }
    if (member.peerURL !== undefined) {
      out.push({ segments: [...base, 'peerURL'], label: 'peerURL', ...member.peerURL, rule: 'none', example: defaultURL(member.host, DEFAULTS.etcd.peerPort), member, owner });
    }
  }
  for (const side of ['old', 'new'] as const) {
    const m = draft.master[side];
    if (m !== undefined) {
      const owner: Owner = { kind: 'master', id: side, host: m.host };
      out.push({ segments: ['master', side, 'apiserver'], label: 'apiserver', raw: m.apiserver, given: true, rule: 'slash', example: defaultURL(m.host, 8080), owner });
    }
  }
  if (draft.domeos !== undefined) {
    out.push({ segments: ['domeos', 'url'], label: 'url', raw: draft.domeos.url, given: true, rule: 'any', example: 'http://10.17.33.10:8080' });
  }
  return out;
}

function checkPlace(place: Place, findings: Finding[]): Endpoint | undefined {
  const shown = show(redactURL(place.raw));
  const result = parseEndpointURL(place.raw, place.rule, place.example);
  if (!result.ok) {
    findings.push(error(place.segments, `${place.label} ${shown} ${result.reason}`, result.hint));
    return undefined;
  }
  const { url } = result;
  if (place.member !== undefined && !url.explicitPort) {
    findings.push(
      warning(
        place.segments,
        `${place.label} ${shown} has no port, so it means port ${url.port}`,
        `write the port explicitly, e.g. ${place.example.replace(/^http:/, `${url.scheme}:`)}`,
      ),
    );
  }
  if (place.member !== undefined && url.host !== normalizeHost(place.member.host)) {
    findings.push(
      error(
        place.segments,
        `${place.label} host ${url.host} differs from member host ${place.member.host}`,
        `an etcd member serves on its own host: use ${url.scheme}://${place.member.host}:${url.port}, or correct host`,
      ),
    );
    return undefined;
  }
  const { rule: _rule, example: _example, ...rest } = place;
  return { ...rest, url };
}

/**
 * True when a clash is already reported elsewhere: as two members (or both masters) on one host, whose URLs then
 * clash too, or as equal default ports. Saying it again would only bury the cause.
 */
function explainedByHost(a: Endpoint, b: Endpoint): boolean {
  // Both from the default ports: the clash is the defaults' (clientPort = peerPort), reported at etcd.defaults.
  if (a.member !== undefined && a.member === b.member && !a.given && !b.given) return true;
  return (
    a.owner !== undefined &&
    b.owner !== undefined &&
    a.owner.kind === b.owner.kind &&
    a.owner.id !== b.owner.id &&
    normalizeHost(a.owner.host) === normalizeHost(b.owner.host)
  );
}

function describe(e: Endpoint, self: Endpoint): string {
  if (e.member !== undefined && e.member === self.member) return `this member's ${e.label}`;
  return formatPath(e.segments);
}

function checkClashes(endpoints: readonly Endpoint[]): Finding[] {
  const findings: Finding[] = [];
  endpoints.forEach((e, i) => {
    const earlier = endpoints.slice(0, i).find((f) => f.url.hostPort === e.url.hostPort && !explainedByHost(e, f));
    if (earlier === undefined) return;
    const shown = show(redactURL(e.raw));
    const defaulted = e.given ? '' : ' (from the default port)';
    const other = describe(earlier, e);
    const message =
      earlier.url.scheme === e.url.scheme && earlier.label === e.label
        ? `${e.label} ${shown}${defaulted} is also ${other}`
        : `${e.label} ${shown}${defaulted} uses ${e.url.hostPort}, which ${other} (${show(redactURL(earlier.raw))}) also uses`;
    findings.push(
      error(
        e.segments,
        message,
        'every URL needs its own host:port; give clientURL and peerURL different ports (DomeOS uses 4012 and 4010)',
      ),
    );
  });
  return findings;
}

export function checkURLs(draft: Draft): Finding[] {
  const findings: Finding[] = [];
  const endpoints: Endpoint[] = [];
  for (const place of places(draft)) {
    const endpoint = checkPlace(place, findings);
    if (endpoint !== undefined) endpoints.push(endpoint);
  }
  return [...findings, ...checkClashes(endpoints)];
}
