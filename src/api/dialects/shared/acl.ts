/**
 * Access control lists in CreateJob bodies: a grant (`<Grantee><TypeIdentifier/><Identifier/><DisplayName/>
 * </Grantee><Permission/>`) and an owner (`<ID/><DisplayName/>`), read the same way by COS and S3 Control.
 * The two differ only in what GrantRules says: which grantee type spellings they list first (the order shows
 * in error messages) and whether an empty DisplayName is allowed (AWS's shape needs one character).
 */
import type { Grant } from "../../../domain/job.js";
import type { XmlReader } from "../../xml/read.js";
import { dropUndefined } from "./object-values.js";

export const GRANT_PERMISSIONS = ["FULL_CONTROL", "READ", "WRITE", "READ_ACP", "WRITE_ACP"] as const;

export interface GrantRules {
  /** Accepted TypeIdentifier spellings and the canonical grantee type each means. */
  readonly granteeTypes: Readonly<Record<string, Grant["granteeType"]>>;
  /** Shortest DisplayName accepted (0 or 1). */
  readonly displayNameMin: number;
}

export function readGrant(g: XmlReader, rules: GrantRules): Grant {
  const grantee = g.requiredChild("Grantee", (e) => {
    const type = e.requiredEnum("TypeIdentifier", Object.keys(rules.granteeTypes));
    return dropUndefined({
      granteeType: rules.granteeTypes[type]!,
      identifier: e.requiredString("Identifier", { min: 1, max: 1024 }),
      displayName: e.optionalString("DisplayName", { min: rules.displayNameMin, max: 1024 }),
    });
  });
  return { ...grantee, permission: g.requiredEnum("Permission", GRANT_PERMISSIONS) };
}

export function readOwner(w: XmlReader, rules: GrantRules): { id: string; displayName?: string } {
  return dropUndefined({
    id: w.requiredString("ID", { min: 1, max: 1024 }),
    displayName: w.optionalString("DisplayName", { min: rules.displayNameMin, max: 1024 }),
  });
}
