import type { FastifyBaseLogger } from 'fastify';
import type { Principal } from '../modules/identity/index.js';
import type { ProfileDomainEvent, ProfilesDeps } from '../modules/profiles/index.js';
import type { DeadLetterDeps } from '../modules/jobs/graphql/dead-letter-resolvers.js';
import type { FilesDeps } from '../modules/files/deps.js';

/** A live stream of committed profile changes, one iterator per subscriber. */
export interface ProfileEventStream {
  subscribe(): AsyncIterable<ProfileDomainEvent>;
}

/** What every resolver receives: who is calling and the modules' dependencies. */
export interface GraphQLContext {
  principal: Principal | null;
  profiles: ProfilesDeps;
  profileEvents: ProfileEventStream;
  deadLetters: DeadLetterDeps;
  files: FilesDeps;
  log: FastifyBaseLogger;
}
