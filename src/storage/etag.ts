/**
 * ETags, one meaning per function. An ETag is written the way S3 answers it, quoted (`"<32 hex digits>"`,
 * `"<hex>-<parts>"` for multipart uploads); clients and other stores may leave the quotes off or add a weak
 * `W/` marker. Three different questions are asked of them:
 *
 * - Is it the same ETag? (`sameEtag`) Quotes and `W/` aside, character for character: a part listed in
 *   CompleteMultipartUpload, the ETag a copy read was pinned to.
 * - Does an If-Match condition hold? (`ifMatchAccepts`) HTTP's rules: `*` accepts any object, otherwise one of
 *   the listed ETags must be the object's, compared as above (GetObject's If-Match,
 *   x-amz-copy-source-if-match).
 * - Is this the manifest the job named? (`manifestEtagMatches`) docs/decisions.md D10: no expectation matches
 *   any manifest, quotes are optional and hex digits compare case-insensitively, since people type them.
 */

/** The ETag as S3 writes it, in quotes; a quoted or weak ETag, and `*`, are left as they are. */
export function quoteEtag(etag: string): string {
  return etag.startsWith('"') || etag.startsWith("W/") || etag === "*" ? etag : `"${etag}"`;
}

/** The ETag without surrounding whitespace, a weak `W/` marker or quotes; letter case kept. */
export function bareEtag(etag: string): string {
  let s = etag.trim();
  if (s.startsWith("W/")) s = s.slice(2);
  if (s.startsWith('"')) s = s.slice(1);
  if (s.endsWith('"')) s = s.slice(0, -1);
  return s;
}

/** True when `a` and `b` are the same ETag, whether quoted, weak or bare. */
export function sameEtag(a: string, b: string): boolean {
  return bareEtag(a) === bareEtag(b);
}

/**
 * True when the If-Match condition `condition` accepts an object whose ETag is `etag`: the condition is `*`, or
 * a comma-separated list of ETags (quotes optional) one of which is the object's.
 */
export function ifMatchAccepts(condition: string, etag: string): boolean {
  const listed = condition.trim();
  if (listed === "*") return true;
  return etagList(listed).some((candidate) => sameEtag(candidate, etag));
}

/** The ETags of an If-Match list: quoted ones may hold commas, bare ones end at the next comma. */
function etagList(list: string): string[] {
  const out: string[] = [];
  for (const m of list.matchAll(/\s*((?:W\/)?"[^"]*"|[^,]+?)\s*(?:,|$)/g)) {
    if (m[1] !== undefined && m[1] !== "") out.push(m[1]);
  }
  return out;
}

/** The ETag bare (see bareEtag) and lower-cased: the form manifests, inventories and reports compare and print. */
export function normalizeEtag(etag: string): string {
  return bareEtag(etag).toLowerCase();
}

/**
 * True when the manifest object's ETag `actual` is the one the job expected (docs/decisions.md D10). No
 * expectation (undefined, or empty once its quotes are removed) matches anything: the job simply did not pin the
 * manifest's version.
 */
export function manifestEtagMatches(expected: string | undefined, actual: string): boolean {
  if (expected === undefined) return true;
  const want = normalizeEtag(expected);
  return want === "" || want === normalizeEtag(actual);
}

/**
 * True when the ETag is a plain MD5 of the content (32 hex digits), as single-part uploads have; multipart
 * ETags (`<hex>-<parts>`) and other stores' opaque tags are not, so an MD5 computed from the bytes says nothing
 * about them.
 */
export function isMd5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(normalizeEtag(etag));
}
