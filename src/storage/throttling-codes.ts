/**
 * Error codes S3 and S3-compatible storage (and the AWS SDK's own list) answer when the client must slow down
 * or the server is briefly overloaded, whatever HTTP status comes with them. The engine's retry policy backs
 * off longer on these (engine/retry.ts); the S3 backend marks them retryable (storage/s3/errors.ts). Each adds
 * its own few codes on top of this list.
 */
export const THROTTLING_CODES: readonly string[] = [
  "SlowDown",
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "RequestThrottled",
  "RequestThrottledException",
  "TooManyRequests",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "BandwidthLimitExceeded",
  "ProvisionedThroughputExceededException",
  "PriorRequestNotComplete",
  "ServiceUnavailable",
];
