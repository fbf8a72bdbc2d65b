/**
 * Manifest ETag checks (reference D10): the ETag a client sends in Location must equal the manifest object's
 * ETag, with surrounding quotes optional on either side and hex digits compared case-insensitively.
 */

/** The ETag without surrounding whitespace, a weak `W/` marker or quotes, lower-cased. */
export function normalizeEtag(etag: string): string {
  let s = etag.trim();
  if (s.startsWith("W/")) s = s.slice(2);
  if (s.startsWith('"')) s = s.slice(1);
  if (s.endsWith('"')) s = s.slice(0, -1);
  return s.toLowerCase();
}

/**
 * True when the object's ETag `actual` matches `expected`. No expectation (undefined, or empty after
 * removing quotes) matches anything: the job simply did not pin the manifest's version.
 */
export function etagMatches(expected: string | undefined, actual: string): boolean {
  if (expected === undefined) return true;
  const want = normalizeEtag(expected);
  return want === "" || want === normalizeEtag(actual);
}

/**
 * True when the ETag is a plain MD5 of the content (32 hex digits), as single-part uploads have; multipart
 * ETags (`<hex>-<parts>`) and other stores' opaque tags are not, so the scan's MD5 says nothing about them.
 */
export function isMd5Etag(etag: string): boolean {
  return /^[0-9a-f]{32}$/.test(normalizeEtag(etag));
}
