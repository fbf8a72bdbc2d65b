/**
 * Accounts, their keys and what their jobs may touch. The root account comes from the environment (or is
 * created once and kept in the data dir); more come from the config file.
 */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface Account {
  /** The account id: COS `x-cos-appid`, S3 Control `x-amz-account-id`, OSS uid. */
  readonly id: string;
  readonly keys: readonly AccessKey[];
  /** Bucket names or glob patterns (`*`, `logs-*`) the account's jobs may touch. */
  readonly buckets: readonly string[];
  /**
   * RoleArn -> bucket patterns the role may touch. When an account lists roles, a job must name one of
   * them and its tasks may touch only the role's buckets (and the account's).
   */
  readonly roles?: Readonly<Record<string, readonly string[]>>;
  /** Cap on jobs not yet Complete, Cancelled or Failed; CreateJob answers TooManyJobs beyond it. */
  readonly maxUnfinishedJobs?: number;
  /** Google project ids that name this account in the Google dialect's paths, besides its id (D46). */
  readonly projects?: readonly string[];
}

export interface AccountRegistry {
  byAccessKeyId(accessKeyId: string): { account: Account; key: AccessKey } | undefined;
  byId(accountId: string): Account | undefined;
  all(): readonly Account[];
}

export class StaticAccountRegistry implements AccountRegistry {
  private readonly byKey = new Map<string, { account: Account; key: AccessKey }>();
  private readonly byAccount = new Map<string, Account>();

  constructor(accounts: readonly Account[]) {
    for (const account of accounts) {
      if (this.byAccount.has(account.id)) throw new Error(`account ${account.id} is configured twice`);
      this.byAccount.set(account.id, account);
      for (const key of account.keys) {
        if (this.byKey.has(key.accessKeyId)) throw new Error(`access key ${key.accessKeyId} is configured twice`);
        this.byKey.set(key.accessKeyId, { account, key });
      }
    }
  }

  byAccessKeyId(accessKeyId: string) {
    return this.byKey.get(accessKeyId);
  }

  byId(accountId: string) {
    return this.byAccount.get(accountId);
  }

  all() {
    return [...this.byAccount.values()];
  }
}
