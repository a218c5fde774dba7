/**
 * `deps.console(url)`: the DomeOS console at a URL. `/health` needs no login; `login()` reads the credentials at
 * that moment (credential-source.ts), keeps them in the session's memory only (to log in again when the session
 * expires) and returns a logged-in {@link DomeosConsole}.
 */
import { existsSync } from 'node:fs';
import type { Env } from '../../home.ts';
import { buildCredentialSource } from './credential-source.ts';
import { readConsoleCredentials } from './domeos-credentials.ts';
import { DomeosConsole, type DomeosConsoleOptions } from './domeos.ts';
import type { ConsoleApi } from '../../ports/console.ts';

export interface OpenConsoleOptions extends Omit<DomeosConsoleOptions, 'signal'> {
  /** Where FERRY_DOMEOS_USERNAME / FERRY_DOMEOS_PASSWORD are read; default `process.env`. */
  readonly env?: Env;
  /** The lab's login file (buildLabCredentialsFile), for an inventory with access mode lab. */
  readonly labCredentialsFile?: string;
}

/** Bound on one /health probe, in ms. */
const DEFAULT_HEALTH_TIMEOUT_MS = 2_000;

export function openConsole(url: string, o: OpenConsoleOptions = {}): ConsoleApi {
  const { env = process.env, labCredentialsFile, ...consoleOptions } = o;
  // /health is anonymous: this instance never logs in.
  const anonymous = new DomeosConsole(url, { username: '', password: '' }, consoleOptions);
  return {
    url,
    health: (timeoutMs = DEFAULT_HEALTH_TIMEOUT_MS) => anonymous.health(timeoutMs),
    async login(options = {}) {
      const source = buildCredentialSource(
        { ...(options.credentialsFile !== undefined ? { credentialsFile: options.credentialsFile } : {}), env, ...(labCredentialsFile !== undefined ? { labCredentialsFile } : {}) },
        labCredentialsFile !== undefined && existsSync(labCredentialsFile),
      );
      const session = new DomeosConsole(url, readConsoleCredentials(source), { ...consoleOptions, ...(options.signal !== undefined ? { signal: options.signal } : {}) });
      await session.login();
      return session;
    },
  };
}
