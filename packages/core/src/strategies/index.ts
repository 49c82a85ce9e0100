export { parallelStrategy } from './parallel.js';
export { sequentialStrategy } from './sequential.js';
