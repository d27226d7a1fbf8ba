// Records keyed by user-chosen names (hosts, networks, roles, students): null-prototype objects, so that a name like
// `constructor` or `toString` looks up only what the file gave, never a built-in of Object.prototype.
import { z } from 'zod';

/** Copy into an object with no prototype: `r[name]` is undefined unless the file gave `name`. */
export function nullProto<T extends object>(r: T): T {
  return Object.assign(Object.create(null) as T, r);
}

/** z.record whose parsed value is a null-prototype object (zod itself drops a `__proto__` key; yaml.ts refuses it first). */
export function namedRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V) {
  return z.record(key, value).transform((r) => nullProto(r));
}
