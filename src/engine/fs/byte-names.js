// @ts-check
/**
 * File names as bytes (SPEC 3.5: every name is handled, whatever its bytes). Linux allows any
 * byte but `/` and NUL in a name; Node decodes names as UTF-8 and turns bytes that are not
 * UTF-8 into U+FFFD, after which the string no longer names the file (lstat gives ENOENT) or,
 * worse, names a different file whose real name is that U+FFFD text.
 *
 * Inside the engine such a name is held "surrogateescape"-style (as Python does): valid UTF-8
 * decodes as usual and each byte that is not part of valid UTF-8 becomes the lone surrogate
 * U+DC80 + (byte - 0x80), i.e. U+DC00 + byte. Valid UTF-8 never encodes a surrogate, so the
 * string maps back to the exact bytes (`toFsPath`), and an ordinary name is its ordinary string.
 * People, the API and the history see the escaped form `\xNN` (`displayPath`).
 *
 * Plain JavaScript so the walker's worker thread can import it as is (see walk-worker.js).
 */

import { readdirSync } from 'node:fs';

/** A lone trail surrogate from an escaped byte (`u`: a surrogate pair is one code point, never matched). */
const ESCAPED_BYTE = /[\uDC80-\uDCFF]/gu;

/**
 * True when `s` holds no lone surrogate, i.e. no escaped byte: an ordinary name or path.
 * (String.prototype.isWellFormed, Node 20; the lib typings predate it.)
 * @param {string} s
 * @returns {boolean}
 */
export function isPlainName(s) {
  return /** @type {{ isWellFormed(): boolean }} */ (/** @type {unknown} */ (s)).isWellFormed();
}

/**
 * Length of the valid UTF-8 sequence starting at `bytes[i]` (1-4), or 0 when the byte there
 * does not start one (strict: no overlong forms, no surrogates, nothing above U+10FFFF).
 * @param {Uint8Array} b @param {number} i
 */
function sequenceLength(b, i) {
  const b0 = /** @type {number} */ (b[i]);
  if (b0 < 0x80) return 1;
  const cont = (/** @type {number} */ k, lo = 0x80, hi = 0xbf) => i + k < b.length && /** @type {number} */ (b[i + k]) >= lo && /** @type {number} */ (b[i + k]) <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const [lo, hi] = b0 === 0xe0 ? [0xa0, 0xbf] : b0 === 0xed ? [0x80, 0x9f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const [lo, hi] = b0 === 0xf0 ? [0x90, 0xbf] : b0 === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

/**
 * The engine's string for a name (or path) read as bytes: valid UTF-8 as usual, each other
 * byte as U+DC00 + byte. `encodeName(decodeName(b))` equals `b` for every byte string.
 * @param {Uint8Array} bytes
 * @returns {string}
 */
export function decodeName(bytes) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const plain = buf.toString('utf8');
  // A real U+FFFD in a name is valid UTF-8 (EF BF BD): only then is the slow path needed at all.
  if (!plain.includes('\uFFFD')) return plain;
  let out = '';
  let start = 0;
  for (let i = 0; i < buf.length; ) {
    const n = sequenceLength(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += buf.toString('utf8', start, i) + String.fromCharCode(0xdc00 + /** @type {number} */ (buf[i]));
    start = ++i;
  }
  return out + buf.toString('utf8', start);
}

/**
 * The bytes a string of decodeName stands for: each lone U+DC80…U+DCFF is its byte, the rest
 * is UTF-8.
 * @param {string} s
 * @returns {Buffer}
 */
export function encodeName(s) {
  /** @type {Buffer[]} */
  const parts = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue; // the second half of a surrogate pair: a real character
    parts.push(Buffer.from(s.slice(start, i), 'utf8'), Buffer.of(c - 0xdc00));
    start = i + 1;
  }
  parts.push(Buffer.from(s.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/**
 * What to hand to an fs call for an engine path: the string itself when it is plain (the fast,
 * usual case), else its exact bytes. Never pass an engine path with escaped bytes to fs as a
 * string: Node would write U+FFFD for them and reach another file, or none.
 * @param {string} p
 * @returns {string | Buffer}
 */
export function toFsPath(p) {
  return isPlainName(p) ? p : encodeName(p);
}

/**
 * The form people, the API, the log and the history see: each escaped byte as `\xNN`
 * (lower-case hex), everything else as is. An ordinary path is returned unchanged.
 * @param {string} p
 * @returns {string}
 */
export function displayPath(p) {
  if (isPlainName(p)) return p;
  return p.replace(ESCAPED_BYTE, (ch) => `\\x${(ch.charCodeAt(0) - 0xdc00).toString(16).padStart(2, '0')}`);
}

/**
 * The entries of the folder at engine path `dir`, read as bytes, each name as decodeName gives
 * it (so it leads back to its own file through toFsPath). Throws as readdirSync does.
 * @param {string} dir
 * @returns {import('node:fs').Dirent[]}
 */
export function readdirAsBytes(dir) {
  const entries = readdirSync(toFsPath(dir), { withFileTypes: true, encoding: 'buffer' });
  for (const e of entries) /** @type {{ name: unknown }} */ (e).name = decodeName(/** @type {Buffer} */ (/** @type {unknown} */ (e.name)));
  return /** @type {import('node:fs').Dirent[]} */ (/** @type {unknown} */ (entries));
}
