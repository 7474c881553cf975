/** The handover day's rules: which carriages are due, names, Ozon's answers about an act, the files it sends. */
import { describe, expect, it } from 'vitest';
import {
  actFiles,
  actProgress,
  actRefusal,
  carriagesDue,
  documentBytes,
  fileBytes,
  handoverName,
  LABELS_PER_TASK,
  labelChunks,
  labelProgress,
  labelTaskFiles,
  planDays,
} from '#handover/rules';

const NOW = Date.parse('2026-11-30T09:00:00.000Z');
const HOUR = 3600_000;
const method = (patch: Record<string, unknown> = {}) => ({
  delivery_method_id: 77,
  delivery_method_name: 'Drop-off Moscow',
  warehouse_id: 1020000075732000,
  departure_date: '2026-11-30T00:00:00Z',
  cutoff_at: '2026-11-30T10:00:00.000Z',
  mandatory_postings_count: 12,
  mandatory_packaged_count: 10,
  ...patch,
});

describe('planDays', () => {
  it("lists today's carriages every run, tomorrow's from six hours before midnight, the lead's far days when ahead", () => {
    // 09:00: only today's on an hourly run.
    expect(planDays(NOW, 24 * HOUR, false)).toEqual(['2026-11-30']);
    // 19:00: tomorrow's too, so a carriage that gets its first posting late is planned before its act's time.
    expect(planDays(NOW + 10 * HOUR, 24 * HOUR, false)).toEqual(['2026-11-30', '2026-12-01']);
    // An ahead run reaches every day of the lead: 48 h from 09:00 is through 2 December.
    expect(planDays(NOW, 48 * HOUR, true)).toEqual(['2026-11-30', '2026-12-01', '2026-12-02']);
    // A lead shorter than the near window: no further than the lead.
    expect(planDays(NOW + 10 * HOUR, 2 * HOUR, false)).toEqual(['2026-11-30']);
  });
});

describe('carriagesDue', () => {
  it('a carriage with postings whose cutoff is within the lead and not passed', () => {
    expect(carriagesDue([method()], NOW, 2 * HOUR)).toEqual([
      {
        warehouseId: 1020000075732000,
        deliveryMethodId: 77,
        deliveryMethodName: 'Drop-off Moscow',
        departureDate: '2026-11-30',
        cutoffAt: '2026-11-30T10:00:00.000Z',
        mandatory: 12,
        packaged: 10,
      },
    ]);
  });

  it('not yet, already past, nothing to hand over, or rFBS: none', () => {
    expect(carriagesDue([method()], NOW, 0.5 * HOUR)).toEqual([]);
    expect(carriagesDue([method()], NOW + 2 * HOUR, 2 * HOUR)).toEqual([]);
    expect(carriagesDue([method({ mandatory_postings_count: 0 })], NOW, 2 * HOUR)).toEqual([]);
    expect(carriagesDue([method({ is_rfbs: true })], NOW, 2 * HOUR)).toEqual([]);
    expect(carriagesDue([method({ cutoff_at: null })], NOW, 2 * HOUR)).toEqual([]);
  });

  it('names an execution by warehouse, method and date: the same carriage is one execution', () => {
    const [c] = carriagesDue([method()], NOW, 2 * HOUR);
    expect(handoverName(c as NonNullable<typeof c>)).toBe('1020000075732000-77-2026-11-30');
    expect(handoverName(c as NonNullable<typeof c>)).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe("Ozon's answers about an act", () => {
  it('refusals: nothing to hand over, not yet, or refused', () => {
    expect(actRefusal('no_postings')).toBe('nothing');
    expect(actRefusal('not_packaged')).toBe('not_yet');
    expect(actRefusal('new_postings_are_possible')).toBe('not_yet');
    expect(actRefusal('has_postings_with_registration_error')).toBe('refused');
  });

  it('statuses: ready, forming, or failed', () => {
    expect(actProgress('ready')).toBe('ready');
    expect(actProgress('formed')).toBe('ready');
    expect(actProgress('in_process')).toBe('forming');
    expect(actProgress('error')).toBe('failed');
    expect(actProgress('cancelled')).toBe('failed');
  });

  it('files: base64 as swagger says, or the raw bytes some answers carry', () => {
    expect(Buffer.from(fileBytes(Buffer.from('%PDF-1.4 x').toString('base64'))).toString('latin1')).toBe('%PDF-1.4 x');
    expect(Buffer.from(fileBytes('%PDF-1.4\n%âã')).toString('latin1')).toBe('%PDF-1.4\n%âã');
    // A document answer (the act, the one-call labels): the PDF as served, or the swagger's JSON with file_content.
    const pdf = new TextEncoder().encode('%PDF-1.7 labels');
    expect(documentBytes(pdf)).toBe(pdf);
    const json = { content_type: 'application/pdf', file_name: 'ticket.pdf', file_content: '%PDF-1.7 labels' };
    expect(Buffer.from(documentBytes(new TextEncoder().encode(JSON.stringify(json)))).toString('latin1')).toBe(
      '%PDF-1.7 labels',
    );
    expect(actFiles({ warehouseId: 5, departureDate: '2026-11-30' }, 42)).toEqual({
      act: 'labels/5/2026-11-30/act-42.pdf',
      barcode: 'labels/5/2026-11-30/act-42-barcode.png',
    });
  });
});

describe("the carriage's labels", () => {
  it('label tasks of at most 20 parcels, in the act order, none empty', () => {
    const postings = Array.from({ length: 45 }, (_, i) => `1000-${i}-1`);
    const chunks = labelChunks(postings);
    expect(chunks.map((c) => c.length)).toEqual([LABELS_PER_TASK, LABELS_PER_TASK, 5]);
    expect(chunks.flat()).toEqual(postings);
    expect(labelChunks([])).toEqual([]);
  });

  it("reads the label task's status: completed is ready, pending and in_progress form, anything else failed", () => {
    expect(labelProgress('completed')).toBe('ready');
    expect(labelProgress('pending')).toBe('forming');
    expect(labelProgress('in_progress')).toBe('forming');
    expect(labelProgress('error')).toBe('failed');
    expect(labelProgress('something_new')).toBe('failed');
  });

  it('stores the labels beside the act: a PDF per task and one manifest', () => {
    const files = labelTaskFiles({ warehouseId: 7, departureDate: '2026-12-01' }, 42);
    expect(files.pdf(0)).toBe('labels/7/2026-12-01/act-42-labels-1.pdf');
    expect(files.pdf(2)).toBe('labels/7/2026-12-01/act-42-labels-3.pdf');
    expect(files.manifest).toBe('labels/7/2026-12-01/act-42-labels.json');
    expect(actFiles({ warehouseId: 7, departureDate: '2026-12-01' }, 42).act.startsWith('labels/7/2026-12-01/')).toBe(
      true,
    );
  });
});
