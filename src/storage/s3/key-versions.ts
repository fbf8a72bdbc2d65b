/**
 * Every version and delete marker of one key (ListObjectVersions with the key as prefix, page by page), for a
 * delete of all its versions (Google's permanentObjectDeletionEnabled, D45). Keys that only start with the
 * key are left out; S3 lists in key order and the key itself sorts before every longer key under it, so the
 * listing stops at the first page that reaches another key. A server that refuses ListObjectVersions (405
 * MethodNotAllowed or 501 NotImplemented: s3rver) keeps no versions: the key's object, when HEAD finds it, is
 * listed without a version id, for a plain delete.
 */
import { ListObjectVersionsCommand } from "@aws-sdk/client-s3";
import { isStorageError } from "../errors.js";
import type { KeyVersion } from "../types.js";
import type { S3Backend } from "./backend.js";
import { toStorageError } from "./errors.js";

const PAGE = 1000;
/** What a server without versions answers ListObjectVersions. */
const NO_VERSIONS: ReadonlySet<string> = new Set(["MethodNotAllowed", "NotImplemented"]);

async function exists(backend: S3Backend, bucket: string, key: string): Promise<boolean> {
  try {
    await backend.storage.head(bucket, key);
    return true;
  } catch (e) {
    if (isStorageError(e) && e.code === "NoSuchKey") return false;
    throw e;
  }
}

export async function* listKeyVersions(backend: S3Backend, bucket: string, key: string): AsyncGenerator<KeyVersion> {
  let keyMarker: string | undefined;
  let versionIdMarker: string | undefined;
  for (;;) {
    let page: Awaited<ReturnType<typeof listPage>>;
    try {
      page = await listPage(backend, bucket, key, keyMarker, versionIdMarker);
    } catch (e) {
      const error = toStorageError(e, bucket, key);
      if (keyMarker !== undefined || !isStorageError(error) || !NO_VERSIONS.has(error.code)) throw error;
      if (await exists(backend, bucket, key)) yield { deleteMarker: false };
      return;
    }
    let otherKey = false;
    for (const v of page.Versions ?? []) {
      if (v.Key !== key) otherKey = true;
      else if (v.VersionId !== undefined) yield { versionId: v.VersionId, deleteMarker: false };
    }
    for (const m of page.DeleteMarkers ?? []) {
      if (m.Key !== key) otherKey = true;
      else if (m.VersionId !== undefined) yield { versionId: m.VersionId, deleteMarker: true };
    }
    if (otherKey || !page.IsTruncated) return;
    keyMarker = page.NextKeyMarker;
    versionIdMarker = page.NextVersionIdMarker;
    if (keyMarker === undefined) return;
  }
}

function listPage(
  backend: S3Backend,
  bucket: string,
  key: string,
  keyMarker: string | undefined,
  versionIdMarker: string | undefined,
) {
  return backend.clients.single.send(
    new ListObjectVersionsCommand({
      Bucket: bucket,
      Prefix: key,
      MaxKeys: PAGE,
      ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
      ...(versionIdMarker !== undefined ? { VersionIdMarker: versionIdMarker } : {}),
    }),
  );
}
