// Paging over the union of two filtered queries of one kind (the grants a member holds or gave), when the store
// pages one `where` at a time. Each side pages with its own store cursor; a page shows the first `limit` items of
// both merged by creation time, and its cursor says where each side stopped, so no page comes out short.
import { StoreCursorError, type Page, type PageRequest, type Repository } from "../store/port";

/** Where a side goes on: after a store cursor, from the start (null), or nowhere (false: it is exhausted). */
type SideCursor = string | null | false;

interface Doc {
  id: string;
  company: string;
  createdAt: string;
}

/** Documents matching `first` or `second`; `inFirst` says which of the second's the first shows already. */
export async function pageOfEither<T extends Doc>(repo: Repository<T>, company: string, first: Partial<T>, second: Partial<T>, inFirst: (doc: T) => boolean, request: PageRequest): Promise<Page<T>> {
  const [cursorA, cursorB] = decode(request.after);
  const [a, b] = await Promise.all([sidePage(repo, company, first, cursorA, request.limit), sidePage(repo, company, second, cursorB, request.limit)]);
  const onlyB = b.items.map((doc, index) => ({ doc, index })).filter(({ doc }) => !inFirst(doc));
  const items: T[] = [];
  let shownA = 0;
  let shownB = 0;
  while (items.length < request.limit && (shownA < a.items.length || shownB < onlyB.length)) {
    const nextA = a.items[shownA];
    const nextB = onlyB[shownB]?.doc;
    if (nextB === undefined || (nextA !== undefined && !isAfter(nextA, nextB))) items.push(a.items[shownA++]);
    else items.push(onlyB[shownB++].doc);
  }
  // Of B's page, what was read: up to the last item shown, or all of it (with duplicates) once every one is shown.
  const readB = shownB === onlyB.length ? b.items.length : onlyB[shownB - 1]?.index + 1 || 0;
  const [afterA, afterB] = await Promise.all([advance(repo, company, first, cursorA, a, shownA), advance(repo, company, second, cursorB, b, readB)]);
  return { items, next: afterA === false && afterB === false ? null : encode([afterA, afterB]) };
}

function isAfter(x: Doc, y: Doc): boolean {
  return x.createdAt > y.createdAt || (x.createdAt === y.createdAt && x.id > y.id);
}

async function sidePage<T extends Doc>(repo: Repository<T>, company: string, where: Partial<T>, cursor: SideCursor, limit: number): Promise<Page<T>> {
  if (cursor === false) return { items: [], next: null };
  return repo.page(company, where, { after: cursor ?? undefined, limit });
}

/** Where a side goes on after showing the first `shown` items of its page. */
async function advance<T extends Doc>(repo: Repository<T>, company: string, where: Partial<T>, cursor: SideCursor, page: Page<T>, shown: number): Promise<SideCursor> {
  if (cursor === false) return false;
  if (shown === page.items.length) return page.next ?? false;
  if (shown === 0) return cursor;
  // The store hands out cursors at page ends only: the shown prefix, read again as a page of its own, ends where we stopped.
  const prefix = await repo.page(company, where, { after: cursor ?? undefined, limit: shown });
  return prefix.next ?? false;
}

function encode(sides: [SideCursor, SideCursor]): string {
  return Buffer.from(JSON.stringify(sides)).toString("base64url");
}

function decode(after: string | undefined): [SideCursor, SideCursor] {
  if (after === undefined) return [null, null];
  let sides: unknown;
  try {
    sides = JSON.parse(Buffer.from(after, "base64url").toString());
  } catch {
    throw new StoreCursorError(after);
  }
  const isSide = (s: unknown): s is SideCursor => s === null || s === false || (typeof s === "string" && s.length > 0);
  if (!Array.isArray(sides) || sides.length !== 2 || !isSide(sides[0]) || !isSide(sides[1])) throw new StoreCursorError(after);
  return [sides[0], sides[1]];
}
