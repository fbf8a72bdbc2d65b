/**
 * A Job's transformation (the `transformation` union of the reference) to objbatch's Operation and back (D46):
 *
 *   putObjectHold             PutObjectHold (SET/UNSET of each hold; HOLD_STATUS_UNSPECIFIED leaves it)
 *   deleteObject              DeleteObject (permanentObjectDeletionEnabled: allVersions)
 *   putMetadata               UpdateObjectMetadata (customMetadata as user metadata, objectRetention: LOCKED is
 *                             COMPLIANCE, UNLOCKED GOVERNANCE)
 *   rewriteObject             RewriteObject (kmsKey)
 *   updateObjectCustomContext UpdateObjectCustomContext (updates, keysToClear, clearAll)
 *   setObjectAcls             PutObjectAcl: the object's ACL becomes its owner plus the grants (allUsers and
 *                             allAuthenticatedUsers as the AllUsers and AuthenticatedUsers groups, READER as READ,
 *                             OWNER as FULL_CONTROL); with no grants it becomes private. Every entity not granted
 *                             is removed, so removeEntities may name only entities not granted.
 *
 * A job created through another dialect shows the nearest Google transformation: PutObjectLegalHold as the
 * temporary hold, PutObjectRetention as putMetadata.objectRetention, tagging as custom contexts (objbatch keeps an
 * object's custom contexts as its tags), PutObjectAcl as setObjectAcls where its grants have Google entities.
 * Every job whose operation is not exactly one of Google's (an ACL of Google entities is) also carries the extension field
 * `objbatchOperation: {"kind": "<objbatch operation>"}`; a PutObjectCopy, restore, checksum, function or
 * replication job has only that.
 */
import type { Grant, Operation, OperationKind } from "../../../domain/job.js";
import { badField } from "./errors.js";
import {
  isObject,
  type JsonObject,
  optionalBoolean,
  optionalEnum,
  optionalString,
  optionalStringArray,
  readObject,
  requiredString,
  rfc3339,
} from "./json-fields.js";

export const TRANSFORMATION_FIELDS = [
  "putObjectHold",
  "deleteObject",
  "putMetadata",
  "rewriteObject",
  "updateObjectCustomContext",
  "setObjectAcls",
] as const;

export type TransformationField = (typeof TRANSFORMATION_FIELDS)[number];

/** The operation kinds that are exactly one of Google's transformations (no extension field needed). */
const GOOGLE_KINDS: ReadonlySet<OperationKind> = new Set([
  "PutObjectHold",
  "DeleteObject",
  "UpdateObjectMetadata",
  "RewriteObject",
  "UpdateObjectCustomContext",
]);

const HOLD_STATES = ["HOLD_STATUS_UNSPECIFIED", "SET", "UNSET"] as const;
const RETENTION_MODES = ["RETENTION_MODE_UNSPECIFIED", "LOCKED", "UNLOCKED"] as const;
const ACL_ENTITIES: Readonly<Record<string, string>> = {
  allUsers: "http://acs.amazonaws.com/groups/global/AllUsers",
  allAuthenticatedUsers: "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
};
const ACL_ROLES: Readonly<Record<string, Grant["permission"]>> = { READER: "READ", OWNER: "FULL_CONTROL" };
const MAX_METADATA_ENTRIES = 100;

/** The job's one transformation; none or two are INVALID_ARGUMENT. */
export function parseTransformation(job: JsonObject): Operation {
  const present = TRANSFORMATION_FIELDS.filter((f) => job[f] !== undefined);
  if (present.length !== 1) {
    throw badField(
      "job.transformation",
      present.length === 0
        ? `exactly one transformation is required: one of ${TRANSFORMATION_FIELDS.join(", ")}.`
        : `only one transformation may be given; this job has ${present.join(" and ")}.`,
    );
  }
  const field = present[0]!;
  const path = `job.${field}`;
  const value = job[field];
  switch (field) {
    case "putObjectHold":
      return parsePutObjectHold(value, path);
    case "deleteObject": {
      const o = readObject(value, path, ["permanentObjectDeletionEnabled"]);
      const allVersions = optionalBoolean(o, "permanentObjectDeletionEnabled", path);
      return allVersions ? { kind: "DeleteObject", allVersions } : { kind: "DeleteObject" };
    }
    case "putMetadata":
      return parsePutMetadata(value, path);
    case "rewriteObject": {
      const o = readObject(value, path, ["kmsKey"]);
      return { kind: "RewriteObject", kmsKey: requiredString(o, "kmsKey", path, 1024) };
    }
    case "updateObjectCustomContext":
      return parseCustomContext(value, path);
    case "setObjectAcls":
      return parseSetObjectAcls(value, path);
  }
}

function parsePutObjectHold(value: unknown, path: string): Operation {
  const o = readObject(value, path, ["temporaryHold", "eventBasedHold"]);
  const temporary = optionalEnum(o, "temporaryHold", path, HOLD_STATES);
  const eventBased = optionalEnum(o, "eventBasedHold", path, HOLD_STATES);
  const asBoolean = (s: (typeof HOLD_STATES)[number] | undefined) =>
    s === "SET" ? true : s === "UNSET" ? false : undefined;
  const temporaryHold = asBoolean(temporary);
  const eventBasedHold = asBoolean(eventBased);
  if (temporaryHold === undefined && eventBasedHold === undefined) {
    throw badField(path, "at least one of temporaryHold and eventBasedHold must be SET or UNSET.");
  }
  return {
    kind: "PutObjectHold",
    ...(temporaryHold !== undefined ? { temporaryHold } : {}),
    ...(eventBasedHold !== undefined ? { eventBasedHold } : {}),
  };
}

const METADATA_FIELDS = [
  "cacheControl",
  "contentDisposition",
  "contentEncoding",
  "contentLanguage",
  "contentType",
] as const;

function parsePutMetadata(value: unknown, path: string): Operation {
  const o = readObject(value, path, [...METADATA_FIELDS, "customMetadata", "customTime", "objectRetention"]);
  const fixed: Record<string, string> = {};
  for (const field of METADATA_FIELDS) {
    const v = optionalString(o, field, path, 2048);
    if (v !== undefined) fixed[field] = v;
  }
  const customTime = optionalString(o, "customTime", path, 64);
  if (customTime !== undefined) rfc3339(customTime, `${path}.customTime`);
  let userMetadata: { key: string; value: string }[] | undefined;
  if (o.customMetadata !== undefined) {
    const map = o.customMetadata;
    if (!isObject(map)) throw badField(`${path}.customMetadata`, "must be a map of strings.");
    const entries = Object.entries(map);
    if (entries.length > MAX_METADATA_ENTRIES) {
      throw badField(`${path}.customMetadata`, `must have at most ${MAX_METADATA_ENTRIES} entries.`);
    }
    userMetadata = entries.map(([key, v]) => {
      if (typeof v !== "string") throw badField(`${path}.customMetadata.${key}`, "must be a string.");
      if (key === "") throw badField(`${path}.customMetadata`, "a key must not be empty.");
      return { key, value: v };
    });
  }
  let retention: { mode: "COMPLIANCE" | "GOVERNANCE"; retainUntilDate: string } | undefined;
  if (o.objectRetention !== undefined) {
    const rpath = `${path}.objectRetention`;
    const r = readObject(o.objectRetention, rpath, ["retainUntilTime", "retentionMode"]);
    const mode = optionalEnum(r, "retentionMode", rpath, RETENTION_MODES);
    const until = optionalString(r, "retainUntilTime", rpath, 64);
    if (mode === undefined || mode === "RETENTION_MODE_UNSPECIFIED" || until === undefined) {
      throw badField(
        rpath,
        "objbatch sets a retention only: retentionMode LOCKED or UNLOCKED and retainUntilTime are both required.",
      );
    }
    retention = {
      mode: mode === "LOCKED" ? "COMPLIANCE" : "GOVERNANCE",
      retainUntilDate: new Date(rfc3339(until, `${rpath}.retainUntilTime`)).toISOString(),
    };
  }
  if (Object.keys(fixed).length === 0 && customTime === undefined && userMetadata === undefined && !retention) {
    throw badField(path, "at least one metadata field must be given.");
  }
  return {
    kind: "UpdateObjectMetadata",
    ...fixed,
    ...(customTime !== undefined ? { customTime } : {}),
    ...(userMetadata !== undefined ? { userMetadata } : {}),
    ...(retention !== undefined ? { retention } : {}),
  };
}

function parseCustomContext(value: unknown, path: string): Operation {
  const o = readObject(value, path, ["customContextUpdates", "clearAll"]);
  const clearAll = optionalBoolean(o, "clearAll", path);
  if ((o.customContextUpdates === undefined) === (clearAll === undefined)) {
    throw badField(path, "exactly one of customContextUpdates and clearAll must be given.");
  }
  if (clearAll !== undefined) {
    if (!clearAll) throw badField(`${path}.clearAll`, "if set, must be true.");
    return { kind: "UpdateObjectCustomContext", removeAll: true };
  }
  const upath = `${path}.customContextUpdates`;
  const u = readObject(o.customContextUpdates, upath, ["updates", "keysToClear"]);
  const set: { key: string; value: string }[] = [];
  if (u.updates !== undefined) {
    if (!isObject(u.updates)) throw badField(`${upath}.updates`, "must be a map of custom context payloads.");
    for (const [key, payload] of Object.entries(u.updates)) {
      const ppath = `${upath}.updates.${key}`;
      if (key === "" || Buffer.byteLength(key) > 128) throw badField(ppath, "a key must be 1-128 bytes.");
      const p = readObject(payload, ppath, ["value"], ["createTime", "updateTime"]);
      set.push({ key, value: optionalString(p, "value", ppath, 256) ?? "" });
    }
  }
  const remove = optionalStringArray(u, "keysToClear", upath, { maxItems: 50, maxBytes: 128 }) ?? [];
  const both = remove.find((k) => set.some((s) => s.key === k));
  if (both !== undefined) throw badField(`${upath}.keysToClear`, `"${both}" is both updated and cleared.`);
  if (set.length === 0 && remove.length === 0) throw badField(upath, "must update or clear at least one key.");
  return {
    kind: "UpdateObjectCustomContext",
    ...(set.length > 0 ? { set } : {}),
    ...(remove.length > 0 ? { remove } : {}),
  };
}

function parseSetObjectAcls(value: unknown, path: string): Operation {
  const o = readObject(value, path, ["accessControlsUpdates"]);
  const upath = `${path}.accessControlsUpdates`;
  if (o.accessControlsUpdates === undefined) throw badField(upath, "is required.");
  const u = readObject(o.accessControlsUpdates, upath, ["grants", "removeEntities"]);
  const grants: Grant[] = [];
  if (u.grants !== undefined) {
    if (!Array.isArray(u.grants)) throw badField(`${upath}.grants`, "must be a list.");
    u.grants.forEach((g, i) => {
      const gpath = `${upath}.grants[${i}]`;
      const grant = readObject(g, gpath, ["entity", "role"]);
      const entity = requiredString(grant, "entity", gpath);
      const role = requiredString(grant, "role", gpath);
      const uri = ACL_ENTITIES[entity];
      if (uri === undefined) throw badField(`${gpath}.entity`, "must be allUsers or allAuthenticatedUsers.");
      const permission = ACL_ROLES[role];
      if (permission === undefined) throw badField(`${gpath}.role`, "must be READER or OWNER.");
      if (grants.some((x) => x.identifier === uri)) throw badField(`${gpath}.entity`, `"${entity}" is granted twice.`);
      grants.push({ granteeType: "uri", identifier: uri, permission });
    });
  }
  const removeEntities = optionalStringArray(u, "removeEntities", upath, { maxItems: 10 }) ?? [];
  removeEntities.forEach((entity, i) => {
    const uri = ACL_ENTITIES[entity];
    if (uri === undefined) {
      throw badField(`${upath}.removeEntities[${i}]`, "must be allUsers or allAuthenticatedUsers.");
    }
    if (grants.some((g) => g.identifier === uri)) {
      throw badField(`${upath}.removeEntities[${i}]`, `"${entity}" can't be both granted and removed.`);
    }
  });
  if (grants.length === 0 && removeEntities.length === 0) {
    throw badField(upath, "must grant or remove at least one entity.");
  }
  return { kind: "PutObjectAcl", acl: grants.length === 0 ? { canned: "private" } : { grants } };
}

/** The Google transformation field(s) a job shows for its operation (see the header). */
export function renderTransformation(operation: Operation): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const google = googleTransformationOf(operation);
  if (google !== undefined) out[google.field] = google.value;
  // An ACL with Google entities only is exactly what setObjectAcls does (the owner plus these grants).
  const exact = GOOGLE_KINDS.has(operation.kind) || (operation.kind === "PutObjectAcl" && google !== undefined);
  if (!exact) out.objbatchOperation = { kind: operation.kind };
  return out;
}

function holdState(value: boolean | undefined): string | undefined {
  return value === undefined ? undefined : value ? "SET" : "UNSET";
}

function googleTransformationOf(op: Operation): { field: TransformationField; value: unknown } | undefined {
  switch (op.kind) {
    case "PutObjectHold":
      return {
        field: "putObjectHold",
        value: dropUndefined({
          temporaryHold: holdState(op.temporaryHold),
          eventBasedHold: holdState(op.eventBasedHold),
        }),
      };
    case "PutObjectLegalHold":
      return { field: "putObjectHold", value: { temporaryHold: holdState(op.status === "ON") } };
    case "DeleteObject":
      return { field: "deleteObject", value: { permanentObjectDeletionEnabled: op.allVersions ?? false } };
    case "UpdateObjectMetadata":
      return {
        field: "putMetadata",
        value: dropUndefined({
          cacheControl: op.cacheControl,
          contentDisposition: op.contentDisposition,
          contentEncoding: op.contentEncoding,
          contentLanguage: op.contentLanguage,
          contentType: op.contentType,
          customTime: op.customTime,
          customMetadata:
            op.userMetadata === undefined
              ? undefined
              : Object.fromEntries(op.userMetadata.map((t) => [t.key, t.value])),
          objectRetention: op.retention === undefined ? undefined : retentionOf(op.retention),
        }),
      };
    case "PutObjectRetention":
      return op.mode !== undefined && op.retainUntilDate !== undefined
        ? {
            field: "putMetadata",
            value: { objectRetention: retentionOf({ mode: op.mode, retainUntilDate: op.retainUntilDate }) },
          }
        : undefined;
    case "RewriteObject":
      return { field: "rewriteObject", value: { kmsKey: op.kmsKey } };
    case "UpdateObjectCustomContext":
      return { field: "updateObjectCustomContext", value: customContextOf(op.set, op.remove, op.removeAll) };
    case "PutObjectTagging":
    case "AddObjectTagging":
      return { field: "updateObjectCustomContext", value: customContextOf(op.tagSet, undefined, false) };
    case "DeleteObjectTagging":
      return { field: "updateObjectCustomContext", value: { clearAll: true } };
    case "PutObjectAcl": {
      const updates = aclUpdatesOf(op.acl.canned, op.acl.grants);
      return updates === undefined ? undefined : { field: "setObjectAcls", value: { accessControlsUpdates: updates } };
    }
    default:
      return undefined;
  }
}

function retentionOf(r: { mode: "COMPLIANCE" | "GOVERNANCE"; retainUntilDate: string }) {
  return {
    retainUntilTime: new Date(r.retainUntilDate).toISOString().replace(".000Z", "Z"),
    retentionMode: r.mode === "COMPLIANCE" ? "LOCKED" : "UNLOCKED",
  };
}

function customContextOf(
  set: readonly { key: string; value: string }[] | undefined,
  remove: readonly string[] | undefined,
  removeAll: boolean | undefined,
) {
  if (removeAll) return { clearAll: true };
  return {
    customContextUpdates: dropUndefined({
      updates:
        set === undefined || set.length === 0
          ? undefined
          : Object.fromEntries(set.map((t) => [t.key, { value: t.value }])),
      keysToClear: remove === undefined || remove.length === 0 ? undefined : [...remove],
    }),
  };
}

const ENTITY_OF_URI = Object.fromEntries(Object.entries(ACL_ENTITIES).map(([entity, uri]) => [uri, entity]));
const ROLE_OF_PERMISSION: Readonly<Record<string, string>> = { READ: "READER", FULL_CONTROL: "OWNER" };

/** The AccessControlsUpdates an ACL is, when every part of it has a Google entity and role. */
function aclUpdatesOf(canned: string | undefined, grants: readonly Grant[] | undefined) {
  if (canned === "private" && (grants ?? []).length === 0) return { removeEntities: Object.keys(ACL_ENTITIES) };
  if (canned === "public-read" && (grants ?? []).length === 0)
    return { grants: [{ entity: "allUsers", role: "READER" }] };
  if (canned === "authenticated-read" && (grants ?? []).length === 0) {
    return { grants: [{ entity: "allAuthenticatedUsers", role: "READER" }] };
  }
  if (canned !== undefined || grants === undefined || grants.length === 0) return undefined;
  const out: { entity: string; role: string }[] = [];
  for (const g of grants) {
    const entity = g.granteeType === "uri" ? ENTITY_OF_URI[g.identifier] : undefined;
    const role = ROLE_OF_PERMISSION[g.permission];
    if (entity === undefined || role === undefined) return undefined;
    out.push({ entity, role });
  }
  return { grants: out };
}

function dropUndefined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
