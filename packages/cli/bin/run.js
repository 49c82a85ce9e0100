#!/usr/bin/env node
// Only this small module is imported before `watch`'s signals are held; see src/boot.ts.
import { boot } from '../dist/boot.js';

await boot(import.meta.url);
