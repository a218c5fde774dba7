/**
 * The dashboard's access token: 24 random bytes (base64url), carried in the URL printed to the operator
 * (`?token=`) for the first page load, then in an HttpOnly, SameSite=Strict cookie. Compared in constant time.
 * The token is a secret: it is never logged, except in the one URL line printed to the operator.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function createDashboardToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * The cookie's name carries the port: cookies are not port-scoped, so two dashboards on one address (a `ferry
 * serve` and a `ferry apply --ui`) would otherwise overwrite each other's cookie.
 */
export function buildCookieName(port: number): string {
  return `ferry_dashboard_${port}`;
}

export function buildTokenCookie(port: number, token: string): string {
  return `${buildCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

/** The value of cookie `name` in a Cookie header, if present. */
export function parseCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Constant-time comparison: both sides are hashed first, so neither their length nor their bytes leak through timing. */
export function checkToken(given: string | undefined, expected: string): boolean {
  if (given === undefined || given === '') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
