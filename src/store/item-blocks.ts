/**
 * The encoding of one block of a run's items in `run_item_blocks.data`: JSON with the
 * (category, action, reason) triples listed once per block and, per item, its target, bytes
 * and the index of its triple. A block of 1000 items is about half the size of the same items
 * as JSON objects, and one JSON.stringify / JSON.parse instead of a statement per item.
 */
import type { Item } from '../domain/types.js';

interface Block {
  /** Distinct [category, action, reason] triples of the block. */
  keys: [Item['category'], Item['action'], string][];
  /** Targets, bytes and triple index, one entry per item, in order. */
  t: string[];
  b: number[];
  k: number[];
}

/** Encodes items (in order) as one block. */
export function encodeBlock(items: readonly Item[]): string {
  const index = new Map<string, number>();
  const block: Block = { keys: [], t: new Array(items.length), b: new Array(items.length), k: new Array(items.length) };
  let last: Item | null = null;
  let k = 0;
  for (let n = 0; n < items.length; n++) {
    const i = items[n] as Item;
    // Neighbours usually share their triple (a batch of rows, a folder of files): no key to build then.
    if (!last || i.reason !== last.reason || i.category !== last.category || i.action !== last.action) {
      // \u0000 cannot occur in a category or an action, so the key is unambiguous.
      const key = `${i.category}\u0000${i.action}\u0000${i.reason}`;
      let found = index.get(key);
      if (found === undefined) {
        found = block.keys.length;
        index.set(key, found);
        block.keys.push([i.category, i.action, i.reason]);
      }
      k = found;
      last = i;
    }
    block.t[n] = i.target;
    block.b[n] = i.bytes;
    block.k[n] = k;
  }
  return JSON.stringify(block);
}

/** Decodes the items `from` (inclusive) to `to` (exclusive) of a block. */
export function decodeBlock(data: string, from = 0, to = Number.POSITIVE_INFINITY): Item[] {
  const block = JSON.parse(data) as Block;
  const end = Math.min(to, block.t.length);
  const items: Item[] = [];
  for (let n = Math.max(0, from); n < end; n++) {
    const [category, action, reason] = block.keys[block.k[n] as number] as Block['keys'][number];
    items.push({ category, target: block.t[n] as string, bytes: block.b[n] as number, action, reason });
  }
  return items;
}
