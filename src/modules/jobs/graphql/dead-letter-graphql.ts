import type { Resolvers } from '../../../graphql/generated/types.js';
import { discardDeadLetter, listDeadLetters, retryDeadLetter } from './dead-letter-resolvers.js';

export const deadLetterResolvers: Resolvers = {
  Query: {
    listDeadLetters: (_, { limit, nextToken }, ctx) => listDeadLetters(ctx.deadLetters, ctx.principal, limit, nextToken),
  },
  Mutation: {
    retryDeadLetter: (_, { input }, ctx) => retryDeadLetter(ctx.deadLetters, ctx.principal, input.id),
    discardDeadLetter: (_, { input }, ctx) => discardDeadLetter(ctx.deadLetters, ctx.principal, input.id),
  },
};
