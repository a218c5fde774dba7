/**
 * The console's login: a YAML file `{username, password}` (the inventory's `domeos.credentialsFile`) or the
 * environment (FERRY_DOMEOS_USERNAME / FERRY_DOMEOS_PASSWORD). Never the command line, where `ps` would show it.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { inputError, messageOf } from '../../errors.ts';

export interface ConsoleCredentials {
  readonly username: string;
  readonly password: string;
}

export interface CredentialSource {
  /** YAML file with `username` and `password`; wins over the environment when given. */
  readonly path?: string;
  /** Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export function readConsoleCredentials(source: CredentialSource = {}): ConsoleCredentials {
  if (source.path !== undefined) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(source.path, 'utf8'));
    } catch (err) {
      // The parser's message may quote the file's text: only say which file failed.
      const why = err instanceof Error && 'syscall' in err ? messageOf(err) : 'it is not valid YAML';
      throw inputError('CONSOLE_CREDENTIALS_UNREADABLE', `cannot read the DomeOS credentials file ${source.path}: ${why}`, {
        hint: 'Write a YAML file with `username:` and `password:` keys, readable only by you (chmod 600).',
        subjects: { file: source.path },
      });
    }
    const record = doc !== null && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
    const username = record['username'];
    const password = record['password'];
    if (typeof username !== 'string' || username === '' || (typeof password !== 'string' && typeof password !== 'number')) {
      throw inputError('CONSOLE_CREDENTIALS_INVALID', `the DomeOS credentials file ${source.path} needs a non-empty \`username\` and a \`password\``, {
        hint: 'Write it as two YAML keys: `username: admin` and `password: ...`.',
        subjects: { file: source.path },
      });
    }
    return { username, password: String(password) };
  }
  const env = source.env ?? process.env;
  const username = env['FERRY_DOMEOS_USERNAME'];
  const password = env['FERRY_DOMEOS_PASSWORD'];
  if (username === undefined || username === '' || password === undefined) {
    throw inputError('CONSOLE_CREDENTIALS_MISSING', 'no DomeOS console credentials: neither a credentials file nor FERRY_DOMEOS_USERNAME/FERRY_DOMEOS_PASSWORD', {
      hint: "Set domeos.credentialsFile in the inventory (a YAML file with username and password), or export FERRY_DOMEOS_USERNAME and FERRY_DOMEOS_PASSWORD.",
    });
  }
  return { username, password };
}
