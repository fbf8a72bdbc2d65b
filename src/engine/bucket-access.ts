/**
 * What a job may touch: the buckets its account may use and, where the account configures roles, the
 * buckets of the job's role too. The engine hands operations a storage view that refuses everything else.
 */
import { globToRegExp } from "../accounts/bucket-patterns.js";
import type { Account } from "../accounts/types.js";
import { StorageError } from "../storage/errors.js";
import type { ObjectStorage } from "../storage/types.js";

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
  // Refusals come back as rejected promises, like any other storage error. Not an async function: a request
  // allowed through costs no promise of its own here (the storage's is handed back).
  const guarded =
    <A extends unknown[], R>(method: (bucket: string, ...rest: A) => Promise<R>) =>
    (bucket: string, ...rest: A): Promise<R> => {
      try {
        access.check(bucket);
        return method.call(storage, bucket, ...rest);
      } catch (e) {
        return Promise.reject(e);
      }
    };
  return {
    description: storage.description,
    bucketExists: guarded(storage.bucketExists),
    createBucket: guarded(storage.createBucket),
    head: guarded(storage.head),
    get: guarded(storage.get),
    put: guarded(storage.put),
    copy: (source, target, options) => {
      try {
        access.check(source.bucket);
        access.check(target.bucket);
        return storage.copy(source, target, options);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    delete: guarded(storage.delete),
    getTagging: guarded(storage.getTagging),
    putTagging: guarded(storage.putTagging),
    deleteTagging: guarded(storage.deleteTagging),
    getAcl: guarded(storage.getAcl),
    putAcl: guarded(storage.putAcl),
    restore: guarded(storage.restore),
    putLegalHold: guarded(storage.putLegalHold),
    putRetention: guarded(storage.putRetention),
    putEventBasedHold: guarded(storage.putEventBasedHold),
    replaceMetadata: guarded(storage.replaceMetadata),
    listKeyVersions: (bucket, key) => {
      access.check(bucket);
      return storage.listKeyVersions(bucket, key);
    },
    createMultipartUpload: guarded(storage.createMultipartUpload),
    uploadPart: guarded(storage.uploadPart),
    completeMultipartUpload: guarded(storage.completeMultipartUpload),
    abortMultipartUpload: guarded(storage.abortMultipartUpload),
    listMultipartUploads: (bucket, prefix) => {
      access.check(bucket);
      return storage.listMultipartUploads(bucket, prefix);
    },
    list: (bucket, options) => {
      access.check(bucket);
      return storage.list(bucket, options);
    },
    // The underlying storage is shared; its owner closes it.
    close: () => Promise.resolve(),
  };
}
