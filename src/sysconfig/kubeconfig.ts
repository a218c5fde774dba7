/**
 * The `server:` lines of a kubeconfig (DomeOS's /etc/sysconfig/kubelet.config, written for an https master),
 * read and rewritten line by line so the rest of the YAML — indentation, quoting, comments, CRLF — keeps its
 * bytes. Block-style YAML only (what the install script writes); a flow-style `{server: …}` is not found, which
 * the caller reports. Pure.
 */
import { inputError } from '../errors.ts';

export interface KubeconfigRewrite {
  readonly text: string;
  readonly changed: boolean;
  /** How many `server:` lines there were. */
  readonly occurrences: number;
}

/** `  server: VALUE  # comment`, optionally as a list item (`- server: …`). */
const SERVER_LINE = /^([ \t]*(?:-[ \t]+)?server:(?:[ \t]+|(?=$)))(.*)$/;

interface ServerValue {
  /** Offsets of the scalar token (quotes included) inside the text after `server:`. */
  readonly start: number;
  readonly end: number;
  readonly value: string;
  readonly quote: "'" | '"' | '';
}

/** The scalar after `server:`: a double- or single-quoted YAML string or a plain one (up to ` #`). */
function parseScalar(rest: string): ServerValue | undefined {
  if (rest.startsWith('"')) {
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (m === null) return undefined;
    try {
      return { start: 0, end: m[0].length, value: JSON.parse(m[0]) as string, quote: '"' };
    } catch {
      return undefined; // a YAML escape JSON does not know (\x41, \e…): leave the line alone
    }
  }
  if (rest.startsWith("'")) {
    const m = /^'((?:[^']|'')*)'/.exec(rest);
    return m === null ? undefined : { start: 0, end: m[0].length, value: (m[1] as string).replace(/''/g, "'"), quote: "'" };
  }
  const comment = rest.search(/[ \t]#/);
  const plain = (comment === -1 ? rest : rest.slice(0, comment)).replace(/[ \t]+$/, '');
  return { start: 0, end: plain.length, value: plain, quote: '' };
}

function splitLines(text: string): string[] {
  return text.split(/(?<=\n)/);
}

function renderScalar(value: string, quote: "'" | '"' | ''): string {
  if (quote === '' && /^[A-Za-z0-9_.:/[\]@%+=,-]+$/.test(value) && !/^[[\]@%]/.test(value)) return value;
  if (quote === "'") return `'${value.replace(/'/g, "''")}'`;
  return JSON.stringify(value);
}

/** Every `server:` value in the file, in order. */
export function readKubeconfigServers(text: string): string[] {
  const out: string[] = [];
  for (const line of splitLines(text)) {
    const m = SERVER_LINE.exec(line.replace(/\r?\n$/, ''));
    const scalar = m === null ? undefined : parseScalar(m[2] as string);
    if (scalar !== undefined) out.push(scalar.value);
  }
  return out;
}

/** Point every `server:` line at `newServer`, keeping each line's indentation, quote style, comment and line end. */
export function rewriteKubeconfigServer(text: string, newServer: string): KubeconfigRewrite {
  if (newServer === '' || /[\s\0]/.test(newServer)) {
    throw inputError('SYSCONFIG_VALUE_INVALID', `the server ${JSON.stringify(newServer)} is empty or holds whitespace`);
  }
  let occurrences = 0;
  let changed = false;
  const lines = splitLines(text).map((line) => {
    const eol = /\r?\n$/.exec(line)?.[0] ?? '';
    const body = line.slice(0, line.length - eol.length);
    const m = SERVER_LINE.exec(body);
    const prefix = m?.[1];
    const scalar = m === null ? undefined : parseScalar(m[2] as string);
    if (prefix === undefined || scalar === undefined) return line;
    occurrences++;
    if (scalar.value === newServer) return line;
    changed = true;
    const rest = m?.[2] as string;
    const gap = /[ \t]$/.test(prefix) ? '' : ' '; // `server:` was empty: YAML needs a space after the colon
    return `${prefix}${gap}${renderScalar(newServer, scalar.quote)}${rest.slice(scalar.end)}${eol}`;
  });
  return { text: changed ? lines.join('') : text, changed, occurrences };
}
