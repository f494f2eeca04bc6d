/** ConfigError lives in the one error catalog (domain/errors.ts); config code imports it from here. */
export { ConfigError } from '../domain/errors.js';
