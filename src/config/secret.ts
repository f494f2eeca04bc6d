/**
 * A secret read from the environment (a webhook's signing key, an SMTP password). It hides its
 * value from JSON.stringify, pino, util.inspect and string conversion, so a settings object that
 * holds one can be logged or returned without leaking it; only `reveal()` gives the value.
 */
import { inspect } from 'node:util';

const REDACTED = '[secret]';

export class Secret {
  readonly #value: string;
  /** The environment variable it came from (safe to show: it names, it does not tell). */
  readonly envName: string;

  constructor(envName: string, value: string) {
    this.envName = envName;
    this.#value = value;
  }

  /** The value itself: for signing or logging in, never for output. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}
