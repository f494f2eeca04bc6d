/** escapeControls moved to domain/ (the email notification escapes names too); re-exported for the CLI. */
export { escapeControls } from '../domain/escape.js';
