import type { Clock, IdGenerator } from '../../shared/clock.js';
import type { ProfileDomainEvent } from './events.js';
import type { ProfileStore } from './profile-store.js';

/**
 * Where profile changes go once committed, for live subscribers in this process. Durable delivery to
 * handlers goes through the store's outbox instead; this is the low-latency path for subscriptions.
 */
export interface ProfileEventPublisher {
  publish(event: ProfileDomainEvent): void;
}

export interface ProfilesDeps {
  store: ProfileStore;
  events: ProfileEventPublisher;
  clock: Clock;
  ids: IdGenerator;
}
