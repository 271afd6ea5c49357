import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../modules/identity/index.js';
import type { ProfileEvent, ProfilesDeps } from '../modules/profiles/index.js';

/** A live stream of committed profile changes, one iterator per subscriber. */
export interface ProfileEventStream {
  subscribe(): AsyncIterable<ProfileEvent>;
}

/** What every resolver receives: who is calling and the modules' dependencies. */
export interface GraphQLContext {
  principal: Principal | null;
  profiles: ProfilesDeps;
  profileEvents: ProfileEventStream;
  log: FastifyBaseLogger;
}
