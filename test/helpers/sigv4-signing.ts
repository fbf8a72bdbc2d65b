/**
 * The signing step the raw SigV4 test clients share (s3control-client.ts, json-api.ts): a request signed in its
 * headers, presigned in its query, or left unsigned, and its query written out as the wire carries it.
 */
import type { SignatureV4 } from "@smithy/signature-v4";

type Query = Record<string, string | string[] | null>;

export interface SigningRequest {
  readonly method: string;
  readonly protocol: string;
  readonly hostname: string;
  readonly path: string;
  readonly query: Query;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
}

export interface SigningChoice {
  readonly unsigned?: boolean;
  /** Presign (the signature in the query) for this many seconds instead of signing the headers. */
  readonly presignSeconds?: number;
  readonly signingDate?: Date;
}

/** The headers and the query string to send (the query without its "?", URLSearchParams-encoded). */
export async function signedParts(
  signer: SignatureV4,
  request: SigningRequest,
  choice: SigningChoice,
): Promise<{ headers: Record<string, string>; queryString: string }> {
  let headers = request.headers;
  let query: Query = { ...request.query };
  if (!choice.unsigned) {
    if (choice.presignSeconds !== undefined) {
      const presigned = await signer.presign(request, {
        expiresIn: choice.presignSeconds,
        signingDate: choice.signingDate,
        unhoistableHeaders: new Set(Object.keys(request.headers)),
      });
      query = presigned.query as Query;
    } else {
      const signed = await signer.sign(request, { signingDate: choice.signingDate });
      headers = signed.headers as Record<string, string>;
    }
  }
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    for (const value of Array.isArray(v) ? v : [v ?? ""]) search.append(k, value);
  }
  return { headers, queryString: search.toString() };
}
