/** Builds a tiny, valid one-page-per-posting PDF label (Helvetica text, correct xref table). */
export function labelPdf(postingNumbers: string[], generatedAt: string): Uint8Array {
  const esc = (s: string) => s.replace(/[\\()]/g, (c) => `\\${c}`).replace(/[^\x20-\x7e]/g, '?');
  const objects: string[] = [];
  // 1: catalog, 2: pages, 3: font, then (page, content) pairs
  const pageIds: number[] = [];
  postingNumbers.forEach((pn, i) => {
    const pageId = 4 + i * 2;
    pageIds.push(pageId);
    const text = [
      'BT /F1 14 Tf 20 150 Td (OZON SANDBOX LABEL) Tj ET',
      `BT /F1 18 Tf 20 110 Td (${esc(pn)}) Tj ET`,
      `BT /F1 9 Tf 20 80 Td (generated ${esc(generatedAt)}) Tj ET`,
    ].join('\n');
    objects[pageId - 1] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 283 212] /Resources << /Font << /F1 3 0 R >> >> /Contents ${pageId + 1} 0 R >>`;
    objects[pageId] = `<< /Length ${Buffer.byteLength(text, 'latin1')} >>\nstream\n${text}\nendstream`;
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
