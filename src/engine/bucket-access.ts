/**
 * What a job may touch: the buckets its account may use and, where the account configures roles, the
 * buckets of the job's role too. The engine hands operations a storage view that refuses everything else.
 */
import type { Account } from "../accounts/types.js";
import type { ObjectStorage } from "../storage/types.js";
import { StorageError } from "../storage/types.js";

export function globToRegExp(pattern: string): RegExp {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`);
}

export class BucketAccess {
  private readonly accountPatterns: RegExp[];
  private readonly rolePatterns: RegExp[] | undefined;
  private readonly denyAll: string | undefined;
  /** A job touches few buckets, each many times: remember the answers. */
  private readonly answers = new Map<string, boolean>();

  constructor(account: Account | undefined, roleArn: string) {
    if (!account) {
      this.accountPatterns = [];
      this.denyAll = "the job's account is no longer configured";
      return;
    }
    this.accountPatterns = account.buckets.map(globToRegExp);
    if (account.roles && Object.keys(account.roles).length > 0) {
      const role = account.roles[roleArn];
      if (!role) this.denyAll = `the role ${roleArn} is not configured for account ${account.id}`;
      this.rolePatterns = (role ?? []).map(globToRegExp);
    }
  }

  allows(bucket: string): boolean {
    let answer = this.answers.get(bucket);
    if (answer === undefined) {
      answer = this.decide(bucket);
      if (this.answers.size < 1000) this.answers.set(bucket, answer);
    }
    return answer;
  }

  private decide(bucket: string): boolean {
    if (this.denyAll) return false;
    if (!this.accountPatterns.some((p) => p.test(bucket))) return false;
    return this.rolePatterns === undefined || this.rolePatterns.some((p) => p.test(bucket));
  }

  check(bucket: string): void {
    if (!this.allows(bucket)) {
      throw new StorageError(
        "AccessDenied",
        403,
        `Access Denied: the job may not use bucket ${bucket}${this.denyAll ? ` (${this.denyAll})` : ""}.`,
        false,
      );
    }
  }
}

/** An ObjectStorage that checks every bucket it is asked to touch. */
export function restrictStorage(storage: ObjectStorage, access: BucketAccess): ObjectStorage {
  return {
    description: storage.description,
    bucketExists: async (bucket) => {
      access.check(bucket);
      return storage.bucketExists(bucket);
    },
    createBucket: async (bucket) => {
      access.check(bucket);
      return storage.createBucket(bucket);
    },
    head: async (bucket, key, versionId) => {
      access.check(bucket);
      return storage.head(bucket, key, versionId);
    },
    get: async (bucket, key, options) => {
      access.check(bucket);
      return storage.get(bucket, key, options);
    },
    put: async (bucket, key, body, options) => {
      access.check(bucket);
      return storage.put(bucket, key, body, options);
    },
    copy: async (source, target, options) => {
      access.check(source.bucket);
      access.check(target.bucket);
      return storage.copy(source, target, options);
    },
    delete: async (bucket, key, versionId) => {
      access.check(bucket);
      return storage.delete(bucket, key, versionId);
    },
    getTagging: async (bucket, key, versionId) => {
      access.check(bucket);
      return storage.getTagging(bucket, key, versionId);
    },
    putTagging: async (bucket, key, tags, versionId) => {
      access.check(bucket);
      return storage.putTagging(bucket, key, tags, versionId);
    },
    deleteTagging: async (bucket, key, versionId) => {
      access.check(bucket);
      return storage.deleteTagging(bucket, key, versionId);
    },
    getAcl: async (bucket, key, versionId) => {
      access.check(bucket);
      return storage.getAcl(bucket, key, versionId);
    },
    putAcl: async (bucket, key, acl, versionId) => {
      access.check(bucket);
      return storage.putAcl(bucket, key, acl, versionId);
    },
    restore: async (bucket, key, request) => {
      access.check(bucket);
      return storage.restore(bucket, key, request);
    },
    list: (bucket, options) => {
      access.check(bucket);
      return storage.list(bucket, options);
    },
    close: () => Promise.resolve(),
  };
}
