export type { S3StorageConfig } from "./config.js";
export { S3Storage, type S3StorageOptions } from "./s3-storage.js";
