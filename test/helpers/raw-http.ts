/**
 * A plain node:http request that answers status, headers and the body as text: for what fetch cannot send
 * (no Content-Type, chunked bodies, absolute-form targets, odd headers) in the dialects' route tests and the
 * S3 Control signing client. The caller writes the body, so it decides between one Content-Length body
 * (`req.end(body)`) and chunked pieces (`req.write(...)` then `req.end()`).
 */
import { type ClientRequest, request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export function rawHttpRequest(
  target: URL | RequestOptions,
  options: RequestOptions,
  writeBody: (req: ClientRequest) => void,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: IncomingMessage) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => {
        text += d;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    };
    const req =
      target instanceof URL
        ? httpRequest(target, options, onResponse)
        : httpRequest({ ...target, ...options }, onResponse);
    req.on("error", reject);
    writeBody(req);
  });
}

/** Writes each piece as its own chunk (Transfer-Encoding: chunked), then ends the request. */
export function inChunks(chunks: readonly (string | Buffer)[]): (req: ClientRequest) => void {
  return (req) => {
    for (const c of chunks) req.write(c);
    req.end();
  };
}
