import { z } from 'zod';

/**
 * The spellings the original Sentry's YAML library (go-yaml v3) reads into a boolean key: YAML
 * 1.2's and, for typed booleans, YAML 1.1's `yes`/`no`/`on`/`off`/`y`/`n`. Its files use them.
 */
const TRUE_SPELLINGS = ['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'y', 'Y', 'on', 'On', 'ON'] as const;
const FALSE_SPELLINGS = ['false', 'False', 'FALSE', 'no', 'No', 'NO', 'n', 'N', 'off', 'Off', 'OFF'] as const;

export function booleanLike() {
  return z.union([
    z.boolean(),
    z
      .enum([...TRUE_SPELLINGS, ...FALSE_SPELLINGS])
      .transform((value) => (TRUE_SPELLINGS as readonly string[]).includes(value)),
  ]);
}
