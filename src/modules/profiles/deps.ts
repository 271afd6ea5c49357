import type { Clock, IdGenerator } from '../../shared/clock.js';
import type { ProfileEvent } from './model.js';
import type { ProfileStore } from './profile-store.js';

/** Port: where profile changes go once committed (in-process bus now; the outbox with the events issue). */
export interface ProfileEventPublisher {
  publish(event: ProfileEvent): void;
}

export interface ProfilesDeps {
  store: ProfileStore;
  events: ProfileEventPublisher;
  clock: Clock;
  ids: IdGenerator;
}
