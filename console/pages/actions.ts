/**
 * The seller's actions as forms. Each posts to `/act/<seller API action>` (server.ts forwards it to the seller API
 * with the signed-in key); without a key the forms are not shown at all.
 */
import { html } from 'hono/html';
import type { Need } from '../model';
import { backTo, type Html, type PageContext } from './layout';

const signInFirst = (ctx: PageContext) => html`<a class="muted" href="/signin">${ctx.t('signInToAct')}</a>`;

export function restockForm(ctx: PageContext, warehouseId: number, offerId: string, missing: number): Html {
  const { t } = ctx;
  return html`<form class="inline" method="post" action="/act/stock" data-action="restock">
    ${backTo(ctx)}<input type="hidden" name="warehouseId" value="${warehouseId}">
    <input type="hidden" name="offerId" value="${offerId}">
    <span>${offerId}</span>
    <input type="number" name="quantity" min="1" max="100000" value="${Math.max(1, missing)}" aria-label="${t('quantity')}">
    <button>${t('restock')}</button></form>`;
}

export function trackingForm(ctx: PageContext, postingNumber: string): Html {
  const { t } = ctx;
  return html`<form class="inline" method="post" action="/act/tracking">
    ${backTo(ctx)}<input type="hidden" name="postingNumber" value="${postingNumber}">
    <input name="trackingNumber" required minlength="3" maxlength="64" placeholder="${t('trackingNumber')}">
    <button>${t('sendTracking')}</button></form>`;
}

export function marksForm(ctx: PageContext, postingNumber: string, offerIds: string[]): Html {
  const { t } = ctx;
  return html`${offerIds.map(
    (offerId) => html`<form class="inline" method="post" action="/act/marks">
    ${backTo(ctx)}<input type="hidden" name="postingNumber" value="${postingNumber}">
    <input type="hidden" name="offerId" value="${offerId}"><span>${offerId}</span>
    <textarea name="codes" rows="2" cols="34" placeholder="${t('markingCodes')}" required></textarea>
    <button>${t('sendCodes')}</button></form>`,
  )}`;
}

export function resumeForm(ctx: PageContext, postingNumber: string): Html {
  return html`<form class="inline" method="post" action="/act/resume">
    ${backTo(ctx)}<input type="hidden" name="postingNumber" value="${postingNumber}">
    <button>${ctx.t('resume')}</button></form>`;
}

export function returnForm(ctx: PageContext, returnId: number): Html {
  const { t } = ctx;
  return html`<form class="inline" method="post" action="/act/returnRequest">
    ${backTo(ctx)}<input type="hidden" name="returnId" value="${returnId}">
    <select name="answer" aria-label="${t('answer')}">
      ${(['approve', 'refund', 'compensate', 'reject'] as const).map((a) => html`<option value="${a}">${t(a)}</option>`)}
    </select>
    <input type="number" name="amount" min="0" step="0.01" placeholder="${t('amount')}">
    <input name="comment" placeholder="${t('comment')}">
    <button>${t('decide')}</button></form>`;
}

export function packedForm(ctx: PageContext, postingNumber: string): Html {
  return html`<form class="inline" method="post" action="/act/packed">
    ${backTo(ctx)}<input type="hidden" name="postingNumber" value="${postingNumber}">
    <button>${ctx.t('confirmPacked')}</button></form>`;
}

/** The warehouse's quality check: passed, or failed with the offer and what is wrong (quality/). */
export function qualityForm(ctx: PageContext, postingNumber: string, offerIds: string[]): Html {
  const { t } = ctx;
  return html`<form class="inline" method="post" action="/act/qualityCheck">
    ${backTo(ctx)}<input type="hidden" name="postingNumber" value="${postingNumber}">
    <input type="hidden" name="passed" value="true"><button>${t('checkPassed')}</button></form>
  <form class="inline" method="post" action="/act/qualityCheck">
    ${backTo(ctx)}<input type="hidden" name="postingNumber" value="${postingNumber}">
    <input type="hidden" name="passed" value="false">
    <select name="offerId">${offerIds.map((o) => html`<option value="${o}">${o}</option>`)}</select>
    <input name="reason" required maxlength="500" placeholder="${t('failReason')}">
    <button>${t('checkFailed')}</button></form>`;
}

/** What the seller can do about a need, right where it is listed. */
export function needActions(ctx: PageContext, need: Need): Html | string {
  if (!ctx.signedIn) return signInFirst(ctx);
  const order = need.order;
  switch (need.kind) {
    case 'short_stock':
      return html`${(need.shortages ?? []).map((s) => restockForm(ctx, order?.warehouseId ?? 0, s.offerId, s.missing))}`;
    case 'tracking':
      return trackingForm(ctx, need.postingNumber);
    case 'marking_codes':
      return marksForm(ctx, need.postingNumber, [...new Set(order?.lines.map((l) => l.offerId) ?? [])]);
    case 'needs_attention':
      return resumeForm(ctx, need.postingNumber);
    case 'packed':
      return packedForm(ctx, need.postingNumber);
    case 'quality_check':
      return qualityForm(ctx, need.postingNumber, [...new Set(order?.lines.map((l) => l.offerId) ?? [])]);
    case 'return_decision':
      return need.returnRecord ? returnForm(ctx, need.returnRecord.returnId) : '';
    default:
      return '';
  }
}
