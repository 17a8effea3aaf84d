import { Field, type FieldOptions } from "type-graphql";
import type { FieldMap, FieldNeeds } from "./selection.js";

/** One item of a Bigin answer (an attachment, a record): field API name → value. */
export type BiginItem = Readonly<Record<string, unknown>>;

type ReturnTypeFunc = NonNullable<Parameters<typeof Field>[0]>;

export interface BiginFieldOptions<V> extends FieldOptions {
  /** The Bigin API names the field is read from (sent in `fields`); `read` gets the first one's value. */
  bigin: readonly [string, ...string[]];
  /** Bigin's value → the GraphQL field's value; `item` holds the other names. Never throws. */
  read: (value: unknown, item: BiginItem) => V;
  /** Further Bigin names needed when a subfield is selected, by subfield name. */
  subfields?: FieldMap;
}

interface Declaration {
  needs: FieldNeeds;
  read?: (value: unknown, item: BiginItem) => unknown;
}

// Per class prototype, its Bigin-backed fields in declaration order.
const declarations = new WeakMap<object, Map<string, Declaration>>();

function declare(prototype: object, key: string, declaration: Declaration): void {
  let table = declarations.get(prototype);
  if (!table) declarations.set(prototype, (table = new Map()));
  table.set(key, declaration);
}

function tableOf(type: abstract new () => unknown): Map<string, Declaration> {
  const table = declarations.get(type.prototype as object);
  if (!table) throw new Error(`${type.name} declares no Bigin fields`);
  return table;
}

/**
 * A GraphQL field read from Bigin: its type-graphql `@Field`, its Bigin API names and its
 * conversion in one declaration. `read` must return what the property holds (checked by tsc).
 */
export function BiginField<V>(type: ReturnTypeFunc, options: BiginFieldOptions<V>) {
  const { bigin, read, subfields, ...fieldOptions } = options;
  return <T extends object, K extends keyof T & string>(
    prototype: T,
    key: K &
      ([V] extends [T[K]] ? unknown : { error: "read returns a type the field cannot hold" }),
  ): void => {
    Field(type, fieldOptions)(prototype, key);
    declare(prototype, key, { needs: { bigin, ...(subfields && { fields: subfields }) }, read });
  };
}

/**
 * A GraphQL field computed by a method of the type (e.g. a signed URL), and the Bigin API names
 * the method reads from the object (sent in `fields` when the field is selected).
 */
export function BiginComputedField(
  type: ReturnTypeFunc,
  options: FieldOptions & { needs: readonly string[] },
): MethodDecorator {
  const { needs, ...fieldOptions } = options;
  return (prototype, key, descriptor) => {
    if (typeof key !== "string") throw new Error("a Bigin field needs a string name");
    Field(type, fieldOptions)(prototype, key, descriptor);
    declare(prototype, key, { needs: { bigin: needs } });
  };
}

/** Which Bigin API names each declared GraphQL field of `type` needs: for `selection.ts`. */
export function biginFieldMap(type: abstract new () => unknown): FieldMap {
  const map: Record<string, FieldNeeds> = {};
  for (const [key, { needs }] of tableOf(type)) map[key] = needs;
  return map;
}

/** A converter from a Bigin item to an instance of `type`, running each field's `read`. */
export function biginReader<T extends object>(type: new () => T): (item: BiginItem) => T {
  const readers = [...tableOf(type)].flatMap(([key, { needs, read }]) =>
    read ? [{ key, name: needs.bigin[0]!, read }] : [],
  );
  return (item) => {
    const out = new type() as Record<string, unknown>;
    for (const { key, name, read } of readers) out[key] = read(item[name], item);
    return out as T;
  };
}
