/**
 * Rendezvous (highest-random-weight) hashing: each key goes to the candidate whose hash with it is
 * highest. Every agent computes the same owner from the same list without talking to the others,
 * the keys spread evenly, and when a candidate leaves only its own keys move (each to its
 * runner-up); when one joins it takes about 1/n of the keys, from everyone.
 */

/** 32-bit FNV-1a, then murmur3's finaliser: FNV alone leaves similar strings with similar high bits. */
export function weight(candidate: string, key: string): number {
  let h = 0x811c9dc5;
  const s = `${candidate}\u0000${key}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The candidate that owns `key`, or undefined when there is none. Ties go to the smaller name. */
export function owner(key: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const c of candidates) {
    const w = weight(c, key);
    if (w > bestWeight || (w === bestWeight && best !== undefined && c < best)) {
      best = c;
      bestWeight = w;
    }
  }
  return best;
}
