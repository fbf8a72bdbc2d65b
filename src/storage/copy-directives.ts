/**
 * The directives of a copy, as every backend reads CopyOptions: a directive not given is Replaced when the new
 * value is given, else Copy (S3's defaults for metadata, tagging and the ACL).
 */
import type { CopyOptions } from "./types.js";

/** Copy keeps the source's value, Replaced takes the requested one, Add merges it over the source's. */
export type Directive = "Copy" | "Replaced" | "Add";

export interface CopyDirectives {
  readonly metadataDirective: Directive;
  readonly taggingDirective: Directive;
  readonly aclDirective: Directive;
}

export function copyDirectives(options: CopyOptions): CopyDirectives {
  return {
    metadataDirective: options.metadataDirective ?? (options.metadata !== undefined ? "Replaced" : "Copy"),
    taggingDirective: options.taggingDirective ?? (options.tags !== undefined ? "Replaced" : "Copy"),
    aclDirective: options.aclDirective ?? (options.acl !== undefined ? "Replaced" : "Copy"),
  };
}
