// The shape a translation must have: every key of the English catalog, nested alike. Plural forms other than
// `_other` are optional (Chinese has one form; English adds `_one`).
type PluralExtra = `${string}_${'zero' | 'one' | 'two' | 'few' | 'many'}`;

export type Translation<T> = {
  [K in keyof T as K extends PluralExtra ? never : K]: T[K] extends string ? string : Translation<T[K]>;
} & {
  [K in keyof T as K extends PluralExtra ? K : never]?: string;
};

/** One area's messages in both languages, side by side: `zh-CN` must have every key `en` has. */
export function area<T extends object>(en: T, zh: Translation<T>): { en: T; 'zh-CN': Translation<T> } {
  return { en, 'zh-CN': zh };
}
