// A small parser combinator for record data: each shape checks an untrusted JSON value and yields a typed one,
// so a record spec is written once and gives both the parser and the TypeScript type. Hand-written rather than
// zod so that the verify page's bundle stays small; extra fields are kept, since they are hashed all the same.
import type { JsonValue } from "./record";

export type Shape<T> = (value: unknown) => { ok: true; value: T } | { ok: false; problem: string };
export type ShapeOf<S> = S extends Shape<infer T> ? T : never;

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (problem: string) => ({ ok: false as const, problem });

export const str: Shape<string> = (v) => (typeof v === "string" ? ok(v) : bad("expected a string"));
export const int: Shape<number> = (v) => (Number.isSafeInteger(v) ? ok(v as number) : bad("expected an integer"));
export const bool: Shape<boolean> = (v) => (typeof v === "boolean" ? ok(v) : bad("expected a boolean"));
export const hex = (bytes: number): Shape<string> => (v) => (typeof v === "string" && v.length === bytes * 2 && /^[0-9a-f]*$/.test(v) ? ok(v) : bad(`expected ${bytes * 2} lowercase hex`));
export const oneOf = <const T extends string>(...values: T[]): Shape<T> => (v) => (values.includes(v as T) ? ok(v as T) : bad(`expected one of ${values.join(", ")}`));
export const nullable = <T>(inner: Shape<T>): Shape<T | null> => (v) => (v === null ? ok(null) : inner(v));
export const list = <T>(inner: Shape<T>): Shape<T[]> => (v) => {
  if (!Array.isArray(v)) return bad("expected an array");
  const out: T[] = [];
  for (const item of v) {
    const parsed = inner(item);
    if (!parsed.ok) return parsed;
    out.push(parsed.value);
  }
  return ok(out);
};

/** Shapes of the fields a record's data must hold; `optional()` marks one that records written earlier lack. */
type Fields = Record<string, Shape<unknown> | Optional<unknown>>;
interface Optional<T> {
  optional: Shape<T>;
}
export const optional = <T>(inner: Shape<T>): Optional<T> => ({ optional: inner });

type Required<F extends Fields> = { [K in keyof F as F[K] extends Optional<unknown> ? never : K]: F[K] extends Shape<infer T> ? T : never };
type Maybe<F extends Fields> = { [K in keyof F as F[K] extends Optional<unknown> ? K : never]?: F[K] extends Optional<infer T> ? T : never };
export type ObjectOf<F extends Fields> = Required<F> & Maybe<F> & { [key: string]: JsonValue | undefined };

export function object<F extends Fields>(fields: F): Shape<ObjectOf<F>> {
  return (v) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return bad("expected an object");
    const record = v as Record<string, unknown>;
    for (const [name, field] of Object.entries(fields)) {
      const isOptional = typeof field === "object";
      if (isOptional && record[name] === undefined) continue;
      const parsed = (isOptional ? field.optional : field)(record[name]);
      if (!parsed.ok) return bad(`${name}: ${parsed.problem}`);
    }
    return ok(v as ObjectOf<F>);
  };
}
