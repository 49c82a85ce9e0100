export * from './fast-import.js';
export * from './forge/index.js';
export * from './git-http-server.js';
export * from './gitdir.js';
export * from './json-schema.js';
export * from './kube/index.js';
export * from './postgres.js';
export * from './process.js';
