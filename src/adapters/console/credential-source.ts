/**
 * Where the console login comes from, in order: the target's `credentialsFile`; else FERRY_DOMEOS_USERNAME and
 * FERRY_DOMEOS_PASSWORD; else, with access mode lab only, the file `ferry lab up` writes on the console's lab host
 * (the stand-in's DomeOS default account, so that `ferry demo` works out of the box). Never the command line or
 * the inventory itself. Pure: the caller says whether the lab's file exists.
 */
import type { Env } from '../../home.ts';
import type { CredentialSource } from './domeos-credentials.ts';

export interface CredentialPlaces {
  readonly credentialsFile?: string;
  readonly env: Env;
  /** The lab's login file (only for an inventory with access mode lab). */
  readonly labCredentialsFile?: string;
}

export function buildCredentialSource(places: CredentialPlaces, labFileExists: boolean): CredentialSource {
  if (places.credentialsFile !== undefined) return { path: places.credentialsFile };
  // Either variable set means the operator meant the environment (a missing half is then reported, not papered over).
  const envGiven = (places.env['FERRY_DOMEOS_USERNAME'] ?? '') !== '' || places.env['FERRY_DOMEOS_PASSWORD'] !== undefined;
  if (!envGiven && places.labCredentialsFile !== undefined && labFileExists) return { path: places.labCredentialsFile };
  // The environment, which reports CONSOLE_CREDENTIALS_MISSING when it has nothing.
  return { env: places.env };
}
