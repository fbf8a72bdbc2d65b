/**
 * The OSS operation element (operation.ts), read from a CreateJob body: each OSS operation and the DeleteObject
 * extension, and the malformed ones refused.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../../../src/domain/job.js";
import { assertDomainError } from "../../../helpers/assert-domain-error.js";
import { withOperation } from "../../fixtures/oss-requests.js";

describe("OSS CreateJob: Operation", () => {
  it("reads each OSS operation and the DeleteObject extension", () => {
    const cases: [string, Operation][] = [
      [
        "<AddObjectTagging><TagSet><Tag><Key>a</Key><Value></Value></Tag><Tag><Key>b</Key><Value>2</Value></Tag></TagSet></AddObjectTagging>",
        {
          kind: "AddObjectTagging",
          tagSet: [
            { key: "a", value: "" },
            { key: "b", value: "2" },
          ],
        },
      ],
      ["<PutObjectTagging><TagSet></TagSet></PutObjectTagging>", { kind: "PutObjectTagging", tagSet: [] }],
      ["<DeleteObjectTagging></DeleteObjectTagging>", { kind: "DeleteObjectTagging" }],
      ["<DeleteObjectTagging/>", { kind: "DeleteObjectTagging" }],
      ["<DeleteObject/>", { kind: "DeleteObject" }],
      [
        "<PutObjectAcl><ObjectAcl>public-read</ObjectAcl></PutObjectAcl>",
        { kind: "PutObjectAcl", acl: { canned: "public-read" } },
      ],
      [
        "<RestoreObject><Days>7</Days><Tier>Standard</Tier></RestoreObject>",
        { kind: "InitiateRestoreObject", expirationInDays: 7, tier: "Standard" },
      ],
      ["<RestoreObject></RestoreObject>", { kind: "InitiateRestoreObject" }],
    ];
    for (const [xml, expected] of cases) assert.deepEqual(withOperation(xml).operation, expected, xml);
  });

  it("rejects unknown, missing, doubled and malformed operations", () => {
    assertDomainError(() => withOperation(""), "MalformedXML", /none/);
    assertDomainError(
      () => withOperation("<DeleteObject/><DeleteObjectTagging/>"),
      "MalformedXML",
      /DeleteObject, DeleteObjectTagging/,
    );
    assertDomainError(() => withOperation("<PutObjectCopy/>"), "MalformedXML", /Unknown operation/);
    assertDomainError(() => withOperation("<COSDeleteObject/>"), "MalformedXML", /Unknown operation/);
    assertDomainError(() => withOperation("<DeleteObject>now</DeleteObject>"), "MalformedXML", /text/);
    assertDomainError(
      () => withOperation("<AddObjectTagging><TagSet/></AddObjectTagging>"),
      "InvalidArgument",
      /at least 1/,
    );
    assertDomainError(() => withOperation("<PutObjectTagging/>"), "InvalidArgument", /TagSet/);
    const eleven = Array.from({ length: 11 }, (_, i) => `<Tag><Key>k${i}</Key><Value>v</Value></Tag>`).join("");
    assertDomainError(
      () => withOperation(`<PutObjectTagging><TagSet>${eleven}</TagSet></PutObjectTagging>`),
      "InvalidArgument",
      /at most 10/,
    );
    assertDomainError(
      () =>
        withOperation(
          "<PutObjectTagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></PutObjectTagging>",
        ),
      "InvalidArgument",
      /more than once/,
    );
    assertDomainError(
      () =>
        withOperation(
          "<PutObjectTagging><TagSet><Tag><Key>a&#10;b</Key><Value>1</Value></Tag></TagSet></PutObjectTagging>",
        ),
      "InvalidArgument",
      /control characters/,
    );
    assertDomainError(
      () =>
        withOperation(
          `<PutObjectTagging><TagSet><Tag><Key>${"k".repeat(129)}</Key><Value>1</Value></Tag></TagSet></PutObjectTagging>`,
        ),
      "InvalidArgument",
      /Key/,
    );
    assertDomainError(
      () => withOperation("<PutObjectAcl><ObjectAcl>everyone</ObjectAcl></PutObjectAcl>"),
      "InvalidArgument",
      /ObjectAcl/,
    );
    assertDomainError(() => withOperation("<PutObjectAcl/>"), "InvalidArgument", /ObjectAcl/);
    assertDomainError(() => withOperation("<RestoreObject><Days>0</Days></RestoreObject>"), "InvalidArgument", /Days/);
    assertDomainError(
      () => withOperation("<RestoreObject><Tier>Glacier</Tier></RestoreObject>"),
      "InvalidArgument",
      /Tier/,
    );
  });
});
