#!/usr/bin/env node
// Writes docs/schema/config.schema.json from the zod schema (run after `pnpm build`);
// a test fails when the committed copy is out of date.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { configJsonSchema } from '../packages/core/dist/index.js';

const out = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../docs/schema/config.schema.json');
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
