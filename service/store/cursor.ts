// Page cursors: the sort key of a page's last item, as base64url JSON, so callers pass it back without reading it.
import { StoreCursorError, type Page } from "./port";

type CursorValue = string | number;

export function encodeCursor(key: readonly CursorValue[]): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** The sort key a cursor carries, checked against the types `shape` names; anything else is a StoreCursorError. */
export function decodeCursor<T extends readonly ("string" | "number")[]>(cursor: string, shape: T): { [I in keyof T]: T[I] extends "string" ? string : number } {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString());
  } catch {
    throw new StoreCursorError(cursor);
  }
  if (!Array.isArray(key) || key.length !== shape.length || !key.every((value, i) => typeof value === shape[i] && (typeof value !== "number" || Number.isSafeInteger(value)))) {
    throw new StoreCursorError(cursor);
  }
  return key as { [I in keyof T]: T[I] extends "string" ? string : number };
}

/** A page from up to limit + 1 items read in order: the extra one, when there, says a next page exists. */
export function pageOf<T>(items: T[], limit: number, keyOf: (item: T) => readonly CursorValue[]): Page<T> {
  if (items.length <= limit) return { items, next: null };
  const shown = items.slice(0, limit);
  return { items: shown, next: encodeCursor(keyOf(shown[shown.length - 1])) };
}

/** Refuses a page size that is not a positive integer (a caller's bug: the edge bounds it). */
export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, got ${limit}`);
}
