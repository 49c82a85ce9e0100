export { deliverEvent } from './deliver.js';
export { deliveryIdFor } from './delivery-id.js';
export { describeRepository, type RepositoryFacts, type RepositoryProvider } from './repository.js';
export { buildEventRequest } from './request.js';
export type { BuildEventRequestOptions, DeliverEventOptions, DeliveryResult, EventRequest } from './types.js';
