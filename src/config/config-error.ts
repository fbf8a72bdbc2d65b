/**
 * A configuration that objbatch cannot start with: a bad config file, environment variable or flag. The CLI
 * prints its message, which names the setting, and exits with status 2.
 */
export class ConfigError extends Error {}
