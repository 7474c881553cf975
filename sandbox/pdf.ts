/**
 * Tiny, valid PDFs (Helvetica text, correct xref table): labels (one page per posting) and the carriage's shipping
 * list (/v2/posting/fbs/act/get-pdf).
 */

const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?');

interface Page {
  width: number;
  height: number;
  /** content stream */
  text: string;
}

function pdfOf(pages: Page[]): Uint8Array {
  const objects: string[] = [];
  // 1: catalog, 2: pages, 3: font, then (page, content) pairs
  const pageIds: number[] = [];
  pages.forEach((page, i) => {
    const pageId = 4 + i * 2;
    pageIds.push(pageId);
    objects[pageId - 1] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${page.width} ${page.height}] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId] = `<< /Length ${Buffer.byteLength(page.text, 'latin1')} >>\nstream\n${page.text}\nendstream`;
  });
  objects[0] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[1] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pageIds.length} >>`;
  objects[2] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';

  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((body, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(out, 'latin1'));
}

/** Builds a tiny, valid one-page-per-posting PDF label. */
export function labelPdf(postingNumbers: string[], generatedAt: string): Uint8Array {
  return pdfOf(
    postingNumbers.map((pn) => ({
      width: 283,
      height: 212,
      text: [
        'BT /F1 14 Tf 20 150 Td (OZON SANDBOX LABEL) Tj ET',
        `BT /F1 18 Tf 20 110 Td (${esc(pn)}) Tj ET`,
        `BT /F1 9 Tf 20 80 Td (generated ${esc(generatedAt)}) Tj ET`,
      ].join('\n'),
    })),
  );
}

const LINES_PER_PAGE = 45;

/** An A4 document: a heading, then `lines` (ASCII; anything else prints as '?'), 45 lines a page. */
export function documentPdf(heading: string, lines: string[]): Uint8Array {
  const pages: Page[] = [];
  for (let i = 0; i === 0 || i < lines.length; i += LINES_PER_PAGE) {
    const chunk = lines.slice(i, i + LINES_PER_PAGE);
    const text = [
      `BT /F1 16 Tf 40 790 Td (${esc(heading)}) Tj ET`,
      ...chunk.map((line, j) => `BT /F1 10 Tf 40 ${760 - j * 16} Td (${esc(line)}) Tj ET`),
    ].join('\n');
    pages.push({ width: 595, height: 842, text });
  }
  return pdfOf(pages);
}
