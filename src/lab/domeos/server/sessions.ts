/**
 * Server-side sessions (Shiro's `DefaultWebSessionManager`): a `JSESSIONID` cookie names a session that expires
 * after `ttlMs` without use. Kept in memory: a restarted stand-in forgets its sessions, as a real server does.
 */
import { randomUUID } from 'node:crypto';

export const SESSION_COOKIE = 'JSESSIONID';

export class SessionStore {
  private readonly sessions = new Map<string, { username: string; lastUsed: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  create(username: string): string {
    const id = randomUUID().replaceAll('-', '').toUpperCase();
    this.sessions.set(id, { username, lastUsed: this.now() });
    return id;
  }

  /** The user of a live session (touching it), or undefined when unknown or expired. */
  touch(id: string | undefined): string | undefined {
    if (id === undefined) return undefined;
    const session = this.sessions.get(id);
    if (session === undefined) return undefined;
    const now = this.now();
    if (now - session.lastUsed >= this.ttlMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastUsed = now;
    return session.username;
  }

  remove(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }
}

/** The value of one cookie in a `Cookie` request header. */
export function parseCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
