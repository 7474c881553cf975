/**
 * The console's words in the seller's languages (the alerts' languages: functions/shared/alert-text.ts), one file
 * each in words/. What to do about a posting is the product's own alert text where one was sent; these are the
 * page's own words.
 */
import type { Language } from '#shared/alert-text';
import { en } from './words/en';
import { ru } from './words/ru';
import { zh } from './words/zh';

export type Key = keyof typeof en;

const WORDS: Record<Language, Record<Key, string>> = { en, ru, zh };
export const LANGUAGES: readonly Language[] = ['en', 'ru', 'zh'];

export type Translate = (key: Key, vars?: Record<string, string | number>) => string;

export function translator(language: Language): Translate {
  return (key, vars = {}) =>
    Object.entries(vars).reduce((text, [k, v]) => text.replaceAll(`{${k}}`, String(v)), WORDS[language][key]);
}

/** Dates in the product's time, as the seller reads them: `2026-11-30 14:05 UTC`. */
export const formatTime = (at: number | string | undefined) =>
  at === undefined || at === '' ? '' : `${new Date(at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
