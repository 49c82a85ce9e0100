export * from './git-data.js';
export * from './server.js';
