/**
 * The request target as received, split and decoded once so that the signature check and the route handler
 * see the same values: what was signed is what is used.
 *
 * Query decoding follows the form-urlencoded convention (`+` is a space, then percent-decoding), like Node's
 * querystring and WHATWG URLSearchParams. A malformed escape is a client error, never a silent fallback.
 */
import { invalidArgument } from "../../domain/errors.js";

export interface QueryParam {
  /** Decoded name, case preserved. */
  readonly name: string;
  /** Decoded value; "" for `?name` and `?name=`. */
  readonly value: string;
}

export interface RequestTarget {
  /** The path exactly as received (percent-encoded as the client sent it). */
  readonly rawPath: string;
  /** The path percent-decoded (undefined when it is not valid percent-encoding). */
  readonly path: string | undefined;
  readonly rawQuery: string;
  readonly query: readonly QueryParam[];
}

/**
 * Splits a request target (origin form `/a/b?x=1`, or absolute form `http://host/a/b?x=1` as sent to proxies)
 * into path and query. Throws InvalidArgument when the query is not valid percent-encoded UTF-8.
 */
export function parseRequestTarget(url: string): RequestTarget {
  let target = url;
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(target);
  if (absolute !== null) target = target.slice(absolute[0].length) || "/";
  const hash = target.indexOf("#");
  if (hash !== -1) target = target.slice(0, hash);
  const q = target.indexOf("?");
  const rawPath = q === -1 ? target : target.slice(0, q);
  const rawQuery = q === -1 ? "" : target.slice(q + 1);
  return { rawPath, path: tryDecode(rawPath), rawQuery, query: parseQuery(rawQuery) };
}

export function parseQuery(rawQuery: string): QueryParam[] {
  const params: QueryParam[] = [];
  if (rawQuery === "") return params;
  for (const part of rawQuery.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? "" : part.slice(eq + 1);
    const name = tryDecode(rawName.replace(/\+/g, " "));
    const value = tryDecode(rawValue.replace(/\+/g, " "));
    if (name === undefined || value === undefined) {
      throw invalidArgument("The query string is not correctly percent-encoded UTF-8.");
    }
    params.push({ name, value });
  }
  return params;
}

function tryDecode(s: string): string | undefined {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
