/** YAML files that expand or nest far beyond any real config, shared by the config and CLI tests. */

/** Nine levels of nine-fold aliases: 9^9 nodes when expanded (the "billion laughs" file). */
export const BILLION_LAUGHS = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
  .concat('bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array.from({ length: 9 }, () => `*${'abcdefghi'[index]}`).join(',')}]`))
  .join('\n');
