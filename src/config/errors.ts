/** The one error a bad flag, environment variable or config file raises. */

/** A bad flag, environment variable or config file: one line naming the field and the fix. */
export class ConfigError extends Error {
  readonly code = 'ERR_CLEANUP_CONFIG';
}
