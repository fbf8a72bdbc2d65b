/**
 * Bucket name patterns: a bucket name, or a glob where `*` stands for any run of characters and `?` for any one
 * character. Accounts and roles name the buckets they may use this way (engine/bucket-access.ts), and so do the
 * storage routes of the config file (storage/routed-storage.ts, storage/store-kind.ts). A leaf: it imports
 * nothing of objbatch, so every layer can use it without depending on another.
 */

/** The pattern as an anchored regular expression: it must match the whole bucket name. */
export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}
