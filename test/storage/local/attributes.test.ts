/**
 * storage/local/attributes.ts: how the local backend keeps an object's attributes in its metadata row. Every
 * column holding the default is NULL (the private ACL, no tags, STANDARD, the content type the key's extension
 * gives), so an object with default attributes needs no row at all; what goes in comes back out the same; user
 * metadata keys are lower-cased.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { AccessControlList } from "../../../src/domain/job.js";
import {
  aclFromRow,
  aclToColumn,
  contentTypeFor,
  DEFAULT_CONTENT_TYPE,
  metadataFromRow,
  metadataToColumns,
  sameDefaultContentType,
  storageClassFromRow,
  storageClassToColumn,
  tagsFromRow,
  tagsToColumn,
} from "../../../src/storage/local/attributes.js";
import type { ObjectRow } from "../../../src/storage/local/metadata-db.js";
import { PRIVATE_ACL } from "../../../src/storage/object-attributes.js";

/** The metadata columns of an object whose metadata is all default. */
const DEFAULT_METADATA = {
  content_type: null,
  cache_control: null,
  content_disposition: null,
  content_encoding: null,
  content_language: null,
  expires: null,
  user_metadata: null,
} as const;

/** A metadata row with every column NULL but the ones given. */
function row(columns: Partial<ObjectRow> = {}): ObjectRow {
  return {
    etag: null,
    size: null,
    mtime_ns: null,
    ...DEFAULT_METADATA,
    tags: null,
    acl: null,
    storage_class: null,
    restore_tier: null,
    restore_ready_at: null,
    restore_expiry: null,
    legal_hold: null,
    retention_mode: null,
    retention_until: null,
    event_based_hold: null,
    ...columns,
  };
}

describe("content types", () => {
  it("defaults an object's content type from its key's extension, octet-stream without one", () => {
    assert.equal(contentTypeFor("data/report.json"), "application/json");
    assert.equal(contentTypeFor("photos/IMG_0001.JPG"), "image/jpeg");
    assert.equal(contentTypeFor("backups/db.tar.gz"), "application/gzip");
    assert.equal(contentTypeFor("README"), DEFAULT_CONTENT_TYPE);
    assert.equal(contentTypeFor("folder.d/file"), DEFAULT_CONTENT_TYPE);
    assert.equal(contentTypeFor("file.unknown-extension"), DEFAULT_CONTENT_TYPE);
    assert.equal(DEFAULT_CONTENT_TYPE, "application/octet-stream");
  });

  it("tells whether two keys share a default content type", () => {
    assert.equal(sameDefaultContentType("a.txt", "b/c.TXT"), true);
    assert.equal(sameDefaultContentType("a.jpg", "b.jpeg"), true);
    assert.equal(sameDefaultContentType("README", "notes.unknown"), true, "both octet-stream");
    assert.equal(sameDefaultContentType("a.txt", "a.json"), false);
    assert.equal(sameDefaultContentType("a", "a.json"), false);
  });
});

describe("ACL columns", () => {
  const grant = { granteeType: "id", identifier: "user-2", permission: "READ" } as const;

  it("stores the default private ACL as NULL, in any of its spellings", () => {
    for (const acl of [PRIVATE_ACL, {}, { canned: "private", grants: [] }, { grants: [] }] as AccessControlList[]) {
      assert.equal(aclToColumn(acl), null, JSON.stringify(acl));
    }
  });

  it("stores any other ACL compacted, and reads back what it stored", () => {
    const acls: AccessControlList[] = [
      { canned: "public-read" },
      { grants: [grant] },
      { canned: "private", owner: { id: "owner-1", displayName: "Owner" } },
      { canned: "bucket-owner-full-control", grants: [grant], owner: { id: "owner-1" } },
    ];
    for (const acl of acls) {
      const column = aclToColumn(acl);
      assert.notEqual(column, null, JSON.stringify(acl));
      assert.deepEqual(aclFromRow(row({ acl: column })), acl);
    }
    assert.equal(aclToColumn({ canned: "public-read", grants: [] }), '{"canned":"public-read"}', "no empty grants");
  });

  it("reads the private ACL from no row or a NULL column", () => {
    assert.deepEqual(aclFromRow(undefined), PRIVATE_ACL);
    assert.deepEqual(aclFromRow(row()), PRIVATE_ACL);
  });
});

describe("tag columns", () => {
  it("stores no tags as NULL and tags as key/value pairs only, in order", () => {
    assert.equal(tagsToColumn([]), null);
    const tags = [
      { key: "team", value: "取消 ✓" },
      { key: "empty", value: "" },
    ];
    const column = tagsToColumn([...tags.map((t) => ({ ...t, extra: "dropped" }))]);
    assert.equal(column, JSON.stringify(tags));
    assert.deepEqual(tagsFromRow(row({ tags: column })), tags);
  });

  it("reads no tags from no row or a NULL column", () => {
    assert.deepEqual(tagsFromRow(undefined), []);
    assert.deepEqual(tagsFromRow(row()), []);
  });
});

describe("storage class columns", () => {
  it("stores STANDARD, or no class, as NULL and any other class as it is", () => {
    assert.equal(storageClassToColumn(undefined), null);
    assert.equal(storageClassToColumn("STANDARD"), null);
    assert.equal(storageClassToColumn("GLACIER"), "GLACIER");
    assert.equal(storageClassToColumn("standard"), "standard", "only the exact default is left out");
  });

  it("reads STANDARD from no row or a NULL column", () => {
    assert.equal(storageClassFromRow(undefined), "STANDARD");
    assert.equal(storageClassFromRow({ storage_class: null }), "STANDARD");
    assert.equal(storageClassFromRow({ storage_class: "DEEP_ARCHIVE" }), "DEEP_ARCHIVE");
  });
});

describe("metadata columns", () => {
  it("stores no metadata, or the key's own default content type, as NULL columns", () => {
    const none = DEFAULT_METADATA;
    assert.deepEqual(metadataToColumns(undefined, "a.json"), none);
    assert.deepEqual(metadataToColumns({}, "a.json"), none);
    assert.deepEqual(metadataToColumns({ contentType: "application/json" }, "a.json"), none);
    assert.deepEqual(metadataToColumns({ contentType: "" }, "a.json"), none);
    assert.deepEqual(metadataToColumns({ userMetadata: {} }, "a.json"), none);
  });

  it("stores every other field, user metadata keys lower-cased", () => {
    const columns = metadataToColumns(
      {
        contentType: "text/plain; charset=utf-8",
        cacheControl: "max-age=60",
        contentDisposition: 'attachment; filename="a.json"',
        contentEncoding: "gzip",
        contentLanguage: "fr",
        expires: "Wed, 21 Oct 2026 07:28:00 GMT",
        userMetadata: { Owner: "Ana", "X-Trace": "1" },
      },
      "a.json",
    );
    assert.deepEqual(columns, {
      content_type: "text/plain; charset=utf-8",
      cache_control: "max-age=60",
      content_disposition: 'attachment; filename="a.json"',
      content_encoding: "gzip",
      content_language: "fr",
      expires: "Wed, 21 Oct 2026 07:28:00 GMT",
      user_metadata: '{"owner":"Ana","x-trace":"1"}',
    });
  });

  it("reads back what it stored, the content type defaulting from the key", () => {
    const metadata = {
      contentType: "text/csv",
      cacheControl: "no-cache",
      contentLanguage: "en",
      userMetadata: { owner: "ana" },
    };
    assert.deepEqual(metadataFromRow(row(metadataToColumns(metadata, "x.bin")), "x.bin"), metadata);
    assert.deepEqual(metadataFromRow(row(metadataToColumns({ contentType: "application/json" }, "a.json")), "a.json"), {
      contentType: "application/json",
    });
    assert.deepEqual(metadataFromRow(undefined, "photo.png"), { contentType: "image/png" });
    assert.deepEqual(metadataFromRow(row(), "README"), { contentType: DEFAULT_CONTENT_TYPE });
  });
});
