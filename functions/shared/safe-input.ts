/**
 * What a push body must be before anything queues or stores it. A valid push with a 10,000-deep extra field
 * overflowed `JSON.stringify`; a U+FFFF made SQS refuse the message; a lone surrogate made the DynamoDB item
 * unreadable — each answered 500, which Ozon retries and counts toward suspending the push URL (issue 8). Pure.
 */

/** Ozon's pushes are at most four levels deep; anything far deeper is not Ozon's. */
export const MAX_DEPTH = 16;

/** Nesting depth of a JSON text, counted without parsing it (brackets inside strings do not count). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) max = Math.max(max, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}

/**
 * The first character in a string that SQS refuses or that is not a Unicode scalar value (a lone surrogate):
 * controls other than tab/newline/return, U+FFFE/U+FFFF and every other noncharacter. Undefined when all is well.
 */
export function unsafeCharacter(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return describe(c);
      const cp = ((c - 0xd800) << 10) + (next - 0xdc00) + 0x10000;
      if ((cp & 0xfffe) === 0xfffe) return describe(cp);
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return describe(c);
    else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return describe(c);
    else if (c === 0xfffe || c === 0xffff || (c >= 0xfdd0 && c <= 0xfdef)) return describe(c);
  }
  return undefined;
}

const describe = (cp: number) => `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;

/** Where in a parsed value an unsafe character is (a key or a string), as `path: U+XXXX`. */
export function findUnsafe(value: unknown, path = 'body'): string | undefined {
  if (typeof value === 'string') {
    const bad = unsafeCharacter(value);
    return bad ? `${path}: ${bad}` : undefined;
  }
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const bad = findUnsafe(v, `${path}[${i}]`);
      if (bad) return bad;
    }
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const bad =
        (unsafeCharacter(k) ? `${path}: key ${unsafeCharacter(k)}` : undefined) ?? findUnsafe(v, `${path}.${k}`);
      if (bad) return bad;
    }
  }
  return undefined;
}
