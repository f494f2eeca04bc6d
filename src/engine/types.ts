/** The vocabulary moved to domain/ (the ground floor every layer shares); re-exported for old imports. */
export * from '../domain/types.js';
