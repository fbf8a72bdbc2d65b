/**
 * Percent-encoding of a URI component as the signature schemes want it (RFC 3986's unreserved characters left
 * alone): encodeURIComponent, and `! ' ( ) *` too. AWS SigV4 (the lean S3 path), COS and OSS V4 all sign with it.
 */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
