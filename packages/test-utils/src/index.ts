export * from './gitdir.js';
export * from './git-http-server.js';
export * from './process.js';
