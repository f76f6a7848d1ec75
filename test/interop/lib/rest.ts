// Small REST helpers of the interop harness (plain fetch with a timeout): the harness reads the chain straight from
// the beacon nodes, never through the counting proxies that sit in front of the validator client.

/** GET a JSON body; rejects on a non-2xx status (with `.status`), a timeout or a network error. */
export async function getJson(url: string, timeoutMs = 5000): Promise<unknown> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
  if (!res.ok) {
    await res.body?.cancel();
    throw Object.assign(new Error(`GET ${url}: HTTP ${res.status}`), { status: res.status });
  }
  return res.json();
}

/** GET a JSON body; `undefined` on 404 (an empty slot, an unknown block). */
export async function getJsonOr404(url: string, timeoutMs = 5000): Promise<unknown> {
  try {
    return await getJson(url, timeoutMs);
  } catch (e) {
    if ((e as { status?: number }).status === 404) return undefined;
    throw e;
  }
}

/** GET a text body (Prometheus metrics). */
export async function getText(url: string, timeoutMs = 5000): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET ${url}: HTTP ${res.status}`);
  }
  return res.text();
}

/**
 * The sum of a Prometheus counter's samples whose labels include `labels` (text exposition format).
 * `validator_duties_missed_total{duty="block",reason="x"} 2` matches `{duty: "block"}`.
 */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)/.exec(line);
    if (m === null || m[1] !== name) continue;
    const have: Record<string, string> = {};
    for (const pair of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) have[pair[1]] = pair[2];
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[4]);
  }
  return sum;
}
