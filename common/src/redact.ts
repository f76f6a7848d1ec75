/**
 * Secrets never reach a log line. Keys whose name says "secret" are replaced wholesale; URLs lose their
 * credentials and token-looking query parameters. The logger applies `redactSecrets` to every object it logs
 * via pino's serializers; code that builds messages by hand calls `redactUrl`.
 */

/** Field names (case-insensitive, ignoring `_` and `-`) whose values are secrets. */
const SECRET_KEY_PATTERN =
  /^(password|passphrase|pass|pwd|secret|secretkey|privatekey|privkey|sk|mnemonic|seed|token|authtoken|apitoken|bearer|authorization|cookie|jwt|jwtsecret|keystorepassword)$/;

export const REDACTED = "[redacted]";

/** True when an object key names a secret. */
export function isSecretKey(key: string): boolean {
  return SECRET_KEY_PATTERN.test(key.toLowerCase().replace(/[-_]/g, ""));
}

/** Removes user:password@ and secret-looking query parameters (token, auth, key, password…) from a URL. */
export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url.replace(/\/\/[^/@\s]+@/, `//${REDACTED}@`);
  }
  if (u.username || u.password) {
    u.username = "redacted";
    u.password = "";
  }
  for (const name of [...u.searchParams.keys()]) {
    if (isSecretKey(name) || /token|auth|key|pass/i.test(name)) u.searchParams.set(name, REDACTED);
  }
  return u.toString();
}

const MAX_DEPTH = 8;

/**
 * A copy of `value` with secrets replaced: values under secret-named keys, credentials inside URL strings.
 * Non-plain objects (Errors, typed arrays, class instances) are kept as they are, except that Errors'
 * messages are not touched (never put a secret in an error message).
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return /^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i.test(value) ? redactUrl(value) : value;
  if (value === null || typeof value !== "object" || depth >= MAX_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = isSecretKey(k) ? REDACTED : redactSecrets(v, depth + 1);
  return out;
}
