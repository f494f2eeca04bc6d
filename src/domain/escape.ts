/** Escaping for every human line the CLI prints and the email notification sends (see escapeControls). */

/**
 * Characters a terminal acts on instead of showing: C0 controls (newline, ESC…), DEL, C1
 * controls (U+0080-U+009F, CSI among them), the line and paragraph separators, and the bidi
 * marks, embeddings, overrides and isolates that reorder what is shown.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/;
const CONTROLS = new RegExp(CONTROL.source, 'g');

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * `text` with every character in CONTROL written out: `\n`, `\r`, `\t`, `\xNN` up to U+00FF,
 * `\uNNNN` above. Everything else, backslashes included, is left as is (so the escaped bytes of
 * a name that is not UTF-8, `\xff`, read the same as in the API). For every human line of the
 * CLI that can carry a name: targets, reasons, warnings, errors, paths.
 */
export function escapeControls(text: string): string {
  if (!CONTROL.test(text)) return text;
  return text.replace(CONTROLS, (ch) => {
    const named = NAMED[ch];
    if (named) return named;
    const code = ch.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
