/**
 * The COS operation element (operation.ts), read from a CreateJob body: every COSPutObjectCopy field and each
 * operation COS has, with objbatch's extensions (D1).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../../../src/domain/job.js";
import { parse, withOperation } from "../../fixtures/cos-requests.js";

describe("COS operations in a CreateJob request", () => {
  it("reads every COSPutObjectCopy field", () => {
    const spec = parse(
      withOperation(`<COSPutObjectCopy>
        <AccessControlDirective>Replaced</AccessControlDirective>
        <AccessControlGrants>
          <COSGrant><Grantee><Identifier>qcs::cam::uin/100000000001:uin/100000000011</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>READ</Permission></COSGrant>
          <COSGrant><Grantee><DisplayName>Ann</DisplayName><Identifier>qcs::cam::uin/1:uin/2</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>FULL_CONTROL</Permission></COSGrant>
        </AccessControlGrants>
        <PrefixReplace>true</PrefixReplace>
        <ResourcesPrefix>pic</ResourcesPrefix>
        <TargetKeyPrefix></TargetKeyPrefix>
        <CannedAccessControlList>private</CannedAccessControlList>
        <MetadataDirective>Replaced</MetadataDirective>
        <ModifiedSinceConstraint>1576778429</ModifiedSinceConstraint>
        <UnModifiedSinceConstraint>2019-12-19T18:00:29+08:00</UnModifiedSinceConstraint>
        <NewObjectMetadata>
          <CacheControl>no-cache</CacheControl><ContentDisposition>inline</ContentDisposition>
          <ContentEncoding>gzip</ContentEncoding><ContentType>text/plain</ContentType>
          <HttpExpiresDate>Thu, 19 Dec 2019 18:00:29 GMT</HttpExpiresDate><SSEAlgorithm>AES256</SSEAlgorithm>
          <UserMetadata><member><Key>a</Key><Value>1</Value></member><member><Key>b</Key><Value></Value></member></UserMetadata>
        </NewObjectMetadata>
        <TaggingDirective>Add</TaggingDirective>
        <NewObjectTagging><COSTag><Key>k</Key><Value>v</Value></COSTag></NewObjectTagging>
        <StorageClass>STANDARD_IA</StorageClass>
        <TargetResource>arn:aws:s3:::dest-bucket</TargetResource>
      </COSPutObjectCopy>`),
    );
    assert.deepEqual(spec.operation, {
      kind: "PutObjectCopy",
      targetResource: { arn: "arn:aws:s3:::dest-bucket", bucket: "dest-bucket" },
      prefixReplace: true,
      resourcesPrefix: "pic",
      targetKeyPrefix: "",
      metadataDirective: "Replaced",
      newObjectMetadata: {
        cacheControl: "no-cache",
        contentDisposition: "inline",
        contentEncoding: "gzip",
        contentType: "text/plain",
        httpExpiresDate: "2019-12-19T18:00:29Z",
        sseAlgorithm: "AES256",
        userMetadata: [
          { key: "a", value: "1" },
          { key: "b", value: "" },
        ],
      },
      taggingDirective: "Add",
      newObjectTagging: [{ key: "k", value: "v" }],
      accessControlDirective: "Replaced",
      accessControlGrants: [
        { granteeType: "id", identifier: "qcs::cam::uin/100000000001:uin/100000000011", permission: "READ" },
        { granteeType: "id", identifier: "qcs::cam::uin/1:uin/2", displayName: "Ann", permission: "FULL_CONTROL" },
      ],
      cannedAccessControlList: "private",
      storageClass: "STANDARD_IA",
      modifiedSinceConstraint: "2019-12-19T18:00:29Z",
      unModifiedSinceConstraint: "2019-12-19T10:00:29Z",
    } satisfies Operation);
  });

  const operations: Record<string, [string, Operation]> = {
    COSInitiateRestoreObject: [
      "<COSInitiateRestoreObject><ExpirationInDays>365</ExpirationInDays><JobTier>Bulk</JobTier></COSInitiateRestoreObject>",
      { kind: "InitiateRestoreObject", expirationInDays: 365, tier: "Bulk" },
    ],
    "COSPutObjectTagging (Replaced)": [
      "<COSPutObjectTagging><TaggingDirective>Replaced</TaggingDirective><TagSet><COSTag><Key>a</Key><Value>1</Value></COSTag></TagSet></COSPutObjectTagging>",
      { kind: "PutObjectTagging", tagSet: [{ key: "a", value: "1" }] },
    ],
    "COSPutObjectTagging (no directive, empty set removes all tags)": [
      "<COSPutObjectTagging><TagSet/></COSPutObjectTagging>",
      { kind: "PutObjectTagging", tagSet: [] },
    ],
    "COSPutObjectTagging (Add)": [
      "<COSPutObjectTagging><TagSet><COSTag><Key>a</Key><Value>1</Value></COSTag><COSTag><Key>b</Key><Value>2</Value></COSTag></TagSet><TaggingDirective>Add</TaggingDirective></COSPutObjectTagging>",
      {
        kind: "AddObjectTagging",
        tagSet: [
          { key: "a", value: "1" },
          { key: "b", value: "2" },
        ],
      },
    ],
    COSDeleteObject: ["<COSDeleteObject></COSDeleteObject>", { kind: "DeleteObject" }],
    "COSDeleteObject (self-closing)": ["<COSDeleteObject/>", { kind: "DeleteObject" }],
    "COSDeleteObjectTagging (extension)": ["<COSDeleteObjectTagging/>", { kind: "DeleteObjectTagging" }],
    "COSPutObjectAcl with a canned ACL (extension)": [
      "<COSPutObjectAcl><CannedAccessControlList>public-read</CannedAccessControlList></COSPutObjectAcl>",
      { kind: "PutObjectAcl", acl: { canned: "public-read" } },
    ],
    "COSPutObjectAcl with grants (extension)": [
      "<COSPutObjectAcl><AccessControlGrants><COSGrant><Grantee><Identifier>u</Identifier><TypeIdentifier>ID</TypeIdentifier></Grantee><Permission>WRITE_ACP</Permission></COSGrant></AccessControlGrants><Owner><ID>o</ID></Owner></COSPutObjectAcl>",
      {
        kind: "PutObjectAcl",
        acl: { grants: [{ granteeType: "id", identifier: "u", permission: "WRITE_ACP" }], owner: { id: "o" } },
      },
    ],
  };
  for (const [name, [xml, expected]] of Object.entries(operations)) {
    it(`reads ${name}`, () => assert.deepEqual(parse(withOperation(xml)).operation, expected));
  }
});
