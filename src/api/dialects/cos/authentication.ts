/**
 * How the COS dialect authenticates a request, for the dialect plugin (http/dialect-plugin.ts): a COS signature
 * (auth/cos-signature.ts), checked as the request arrives, before any body is read; then `x-cos-appid` must name
 * the signing account. Content-MD5 is optional; when sent it is signed (cos-signature.ts) and must match the body
 * that arrived. A COS signature never covers the body, so every request that changes something is bound to its
 * signature: the same signature with any other body (or target) is refused for as long as it is valid
 * (auth/signature-binding.ts).
 */
import type { AccountRegistry } from "../../../accounts/types.js";
import { type CosSignatureOptions, type CosVerified, verifyCosRequest } from "../../auth/cos-signature.js";
import { requireMatchingContentMd5 } from "../../http/content-md5.js";
import type { DialectAuthentication } from "../../http/dialect-plugin.js";

/** The account header: the APPID, at most 64 bytes. */
export const COS_ACCOUNT_HEADER = { name: "x-cos-appid", maxBytes: 64 } as const;

export function cosAuthentication(
  accounts: AccountRegistry,
  signature: CosSignatureOptions,
  now: () => Date,
): DialectAuthentication<CosVerified> {
  return {
    verifiesBeforeBody: () => true,
    verify: (request) =>
      verifyCosRequest({ method: request.method, url: request.url, headers: request.headers }, accounts, {
        ...signature,
        now: now(),
      }),
    accountHeader: COS_ACCOUNT_HEADER,
    checkBody: (request, _verified, body) => requireMatchingContentMd5(request.headers["content-md5"], body),
    bindingOf: () => ({
      scheme: "cos",
      advice:
        "Sign each request anew, and sign a Content-MD5 header with every body (the COS SDKs sign it when they send it).",
    }),
  };
}
