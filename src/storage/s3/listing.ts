/**
 * ListObjectsV2 on an S3 endpoint, page by page (1,000 keys a request), in S3's key order (UTF-8 bytes), from
 * a prefix and after a key.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import type { ListedObject } from "../types.js";
import type { S3Backend } from "./backend.js";
import { toStorageError } from "./errors.js";

const LIST_PAGE = 1000;

export async function* listObjects(
  backend: S3Backend,
  bucket: string,
  options: { prefix?: string; startAfter?: string },
): AsyncGenerator<ListedObject> {
  let token: string | undefined;
  let first = true;
  while (first || token !== undefined) {
    first = false;
    let page: Awaited<ReturnType<typeof listPage>>;
    try {
      page = await listPage(backend, bucket, options, token);
    } catch (e) {
      throw toStorageError(e, bucket, options.prefix);
    }
    for (const o of page.Contents ?? []) {
      if (o.Key === undefined) continue;
      yield {
        key: o.Key,
        size: o.Size ?? 0,
        etag: o.ETag ?? '""',
        lastModified: o.LastModified ?? new Date(0),
        storageClass: o.StorageClass ?? "STANDARD",
      };
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  }
}

function listPage(
  backend: S3Backend,
  bucket: string,
  options: { prefix?: string; startAfter?: string },
  token: string | undefined,
) {
  return backend.clients.single.send(
    new ListObjectsV2Command({
      Bucket: bucket,
      MaxKeys: LIST_PAGE,
      ...(options.prefix ? { Prefix: options.prefix } : {}),
      ...(token !== undefined
        ? { ContinuationToken: token }
        : options.startAfter
          ? { StartAfter: options.startAfter }
          : {}),
    }),
  );
}
