/**
 * GetObjectAcl and PutObjectAcl on an S3 endpoint. S3 takes an ACL either as a canned ACL (x-amz-acl) or as an
 * AccessControlPolicy naming the owner and listing every grant, never both in one request, and it never tells
 * which canned ACL, if any, produced the grants it lists.
 */
import { GetObjectAclCommand, PutObjectAclCommand } from "@aws-sdk/client-s3";
import type { AccessControlList } from "../../domain/job.js";
import { mergeAcl } from "../object-attributes.js";
import { grantsFromS3, grantsToS3 } from "./attributes.js";
import type { S3Backend } from "./backend.js";
import { toStorageError } from "./errors.js";

/** The object's owner and grants. */
export async function getObjectAcl(
  backend: S3Backend,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<AccessControlList> {
  try {
    const out = await backend.clients.single.send(
      new GetObjectAclCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
    );
    const owner = out.Owner?.ID
      ? { id: out.Owner.ID, ...(out.Owner.DisplayName ? { displayName: out.Owner.DisplayName } : {}) }
      : undefined;
    return { ...(owner ? { owner } : {}), grants: grantsFromS3(out.Grants) };
  } catch (e) {
    throw toStorageError(e, bucket, key);
  }
}

/**
 * A canned ACL alone is sent as x-amz-acl; grants as an AccessControlPolicy (with the object's current owner
 * unless the ACL names one). A canned ACL with grants is applied first, then the grants are added to it.
 */
export async function putObjectAcl(
  backend: S3Backend,
  bucket: string,
  key: string,
  acl: AccessControlList,
  versionId?: string,
): Promise<void> {
  const client = backend.clients.single;
  const grants = acl.grants ?? [];
  try {
    if (acl.canned !== undefined) {
      await client.send(
        new PutObjectAclCommand({ Bucket: bucket, Key: key, VersionId: versionId, ACL: acl.canned as never }),
      );
      if (grants.length === 0 && acl.owner === undefined) return;
    }
    const current =
      acl.owner === undefined || acl.canned !== undefined ? await getObjectAcl(backend, bucket, key, versionId) : {};
    const owner = acl.owner ?? current.owner;
    const all = acl.canned !== undefined ? mergeAcl({ grants: current.grants ?? [] }, { grants }).grants : grants;
    await client.send(
      new PutObjectAclCommand({
        Bucket: bucket,
        Key: key,
        VersionId: versionId,
        AccessControlPolicy: {
          ...(owner
            ? { Owner: { ID: owner.id, ...(owner.displayName ? { DisplayName: owner.displayName } : {}) } }
            : {}),
          Grants: grantsToS3(all ?? []),
        },
      }),
    );
  } catch (e) {
    throw toStorageError(e, bucket, key);
  }
}
