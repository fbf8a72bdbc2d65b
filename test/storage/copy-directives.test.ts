/**
 * The directives of a copy (copy-directives.ts): a directive not given is Replaced when the new value is given,
 * else Copy, as S3 defaults metadata, tagging and the ACL.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { copyDirectives } from "../../src/storage/copy-directives.js";

describe("copyDirectives", () => {
  it("copies what is not given and replaces what is, unless a directive says otherwise", () => {
    assert.deepEqual(copyDirectives({}), { metadataDirective: "Copy", taggingDirective: "Copy", aclDirective: "Copy" });
    assert.deepEqual(copyDirectives({ metadata: {}, tags: [], acl: { canned: "private" } }), {
      metadataDirective: "Replaced",
      taggingDirective: "Replaced",
      aclDirective: "Replaced",
    });
    assert.deepEqual(
      copyDirectives({
        metadataDirective: "Add",
        metadata: {},
        taggingDirective: "Copy",
        tags: [],
        aclDirective: "Replaced",
      }),
      { metadataDirective: "Add", taggingDirective: "Copy", aclDirective: "Replaced" },
    );
  });
});
