/**
 * A tiny, valid PNG with bars drawn from a text (/v2/posting/fbs/act/get-barcode). It is a picture of the text's
 * bits, not a barcode a scanner reads: the value itself is served by /v2/posting/fbs/act/get-barcode/text.
 */
import { deflateSync } from 'node:zlib';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

const MODULE = 2;
const HEIGHT = 60;
const QUIET = 10;

/** 8-bit greyscale: a guard bar, then per character its 8 bits (1 = black module), each followed by a gap */
export function barcodePng(text: string): Uint8Array {
  const modules: boolean[] = [true, false, true, false];
  for (const ch of Buffer.from(text, 'latin1')) {
    for (let bit = 7; bit >= 0; bit--) modules.push(((ch >> bit) & 1) === 1, false);
  }
  modules.push(true, false, true);
  const width = QUIET * 2 + modules.length * MODULE;
  const row = Buffer.alloc(1 + width, 0xff);
  row[0] = 0; // filter: none
  modules.forEach((black, i) => {
    if (black) row.fill(0x00, 1 + QUIET + i * MODULE, 1 + QUIET + (i + 1) * MODULE);
  });
  const raw = Buffer.concat(Array.from({ length: HEIGHT }, () => row));
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(HEIGHT, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  ihdr[10] = 0; // deflate
  ihdr[11] = 0; // adaptive filtering
  ihdr[12] = 0; // no interlace
  const png = Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
  return new Uint8Array(png);
}
