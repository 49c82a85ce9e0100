export * from './git-data.js';
export * from './gitea.js';
export * from './github.js';
export * from './gitlab.js';
export * from './read-cache.js';
export * from './server.js';
