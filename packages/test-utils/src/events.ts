/** Anything with a typed `on` that returns an unsubscribe function (a Sentry, an EventBus). */
interface Subscribable<Events> {
  on<K extends keyof Events & string>(name: K, handler: (payload: Events[K]) => void): () => void;
}

/** Resolves with the first payload of `name` that satisfies `predicate`. Subscribe before acting. */
export function nextEvent<Events, K extends keyof Events & string>(
  source: Subscribable<Events>,
  name: K,
  predicate: (payload: Events[K]) => boolean = () => true,
): Promise<Events[K]> {
  return new Promise((resolve) => {
    const off = source.on(name, (payload) => {
      if (!predicate(payload)) return;
      off();
      resolve(payload);
    });
  });
}

/** Collects every payload of the given events, in order, as `[name, payload]`. */
export function recordEvents<Events, K extends keyof Events & string>(source: Subscribable<Events>, names: K[]): Array<[K, Events[K]]> {
  const log: Array<[K, Events[K]]> = [];
  for (const name of names) source.on(name, (payload) => log.push([name, payload]));
  return log;
}
