/**
 * The operator's allow-list of webhook destinations (D42, `notifications.allowedHosts`): an account can make
 * objbatch call only hosts the operator named. An entry is a host name or address (`hooks.example.com`,
 * `10.0.0.7`, `[::1]`), or `*.example.com` for any host under example.com (not example.com itself), each
 * optionally with `:port` (then only that port; without, any). Names are compared as the URL parser normalises
 * them (lower case, IDNA). Only http and https URLs, without user info, are accepted. The check is on the URL's
 * host as written: objbatch does not resolve it first, so a name on the list is trusted wherever its DNS points
 * (see D42 on DNS rebinding); redirects are never followed.
 */

export interface HostRule {
  /** The host, lower case; for a wildcard, the suffix after `*.`. */
  readonly host: string;
  readonly wildcard: boolean;
  /** Only this port, when given. */
  readonly port?: string;
}

/** Parses one allow-list entry; throws with a message naming what is wrong. */
export function parseHostRule(entry: string): HostRule {
  const wildcard = entry.startsWith("*.");
  const rest = wildcard ? entry.slice(2) : entry;
  let url: URL;
  try {
    url = new URL(`http://${rest}`);
  } catch {
    throw new Error(`"${entry}" is not a host, *.domain or host:port`);
  }
  if (url.pathname !== "/" || url.search !== "" || url.username !== "" || rest.includes("/")) {
    throw new Error(`"${entry}" is not a host, *.domain or host:port`);
  }
  const explicitPort = /:(\d+)$/.exec(rest)?.[1];
  return { host: url.hostname, wildcard, ...(explicitPort !== undefined ? { port: explicitPort } : {}) };
}

export class AllowedHosts {
  private readonly rules: readonly HostRule[];

  constructor(entries: readonly string[]) {
    this.rules = entries.map(parseHostRule);
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Why objbatch may not call `url`, or undefined when it may. */
  refusal(url: string): string | undefined {
    if (this.empty) {
      return (
        "webhooks are off: the operator has allowed no destination. Add the receiver's host to " +
        'notifications.allowedHosts in the config file (e.g. "hooks.example.com" or "*.example.com")'
      );
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return `${JSON.stringify(url.slice(0, 200))} is not an absolute URL`;
    }
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "only http and https URLs are allowed";
    if (parsed.username !== "" || parsed.password !== "") return "a webhook URL may not carry user info";
    const port = parsed.port !== "" ? parsed.port : parsed.protocol === "https:" ? "443" : "80";
    const host = parsed.hostname;
    const ok = this.rules.some(
      (r) => (r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host) && (r.port === undefined || r.port === port),
    );
    return ok
      ? undefined
      : `${host}${parsed.port !== "" ? `:${parsed.port}` : ""} is not in notifications.allowedHosts; the operator ` +
          "must add it to the config file";
  }
}
