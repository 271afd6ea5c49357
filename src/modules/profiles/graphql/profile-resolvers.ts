import { filter, pipe } from 'graphql-yoga';
import { forbidden } from '../../../shared/errors.js';
import type { Principal } from '../../identity/index.js';
import type { Resolvers } from '../../../graphql/generated/types.js';
import type { GraphQLContext } from '../../../graphql/context.js';
import type { Profile } from '../model.js';
import type { ProfileDomainEvent, ProfileEventType } from '../events.js';
import { accessTo, canRead, canSeeContact, canSeeInternal } from '../policy.js';
import { createProfile } from '../operations/create-profile.js';
import { updateProfile } from '../operations/update-profile.js';
import { deleteProfile } from '../operations/delete-profile.js';
import { getMyProfile, getProfile, getProfileByHandle, listProfiles } from '../operations/read-profiles.js';

/** Field-level rules: contact and team-only fields resolve only for callers allowed to see them. */
const guarded =
  <K extends keyof Profile>(allowed: (a: ReturnType<typeof accessTo>) => boolean, field: K) =>
  (p: Profile, _args: unknown, ctx: { principal: Principal | null }): Profile[K] => {
    if (!allowed(accessTo(ctx.principal, p))) throw forbidden(`You may not read ${field} of this profile`);
    return p[field];
  };

/** A subscription to one kind of profile event, filtered to what the subscriber may read. */
const onEvent = (type: ProfileEventType) => ({
  subscribe: (_: unknown, args: { id?: string | null }, ctx: GraphQLContext) =>
    pipe(
      ctx.profileEvents.subscribe(),
      filter(
        (e: ProfileDomainEvent) =>
          e.type === type && (!args.id || e.aggregateId === args.id) && canRead(accessTo(ctx.principal, e.payload.profile)),
      ),
    ),
  resolve: (e: ProfileDomainEvent) => e.payload.profile,
});

export const profileResolvers: Resolvers = {
  Query: {
    getProfile: (_, { id }, ctx) => getProfile(ctx.profiles, ctx.principal, id),
    profileByHandle: (_, { handle }, ctx) => getProfileByHandle(ctx.profiles, ctx.principal, handle),
    myProfile: (_, __, ctx) => getMyProfile(ctx.profiles, ctx.principal),
    listProfiles: (_, { filter: f, limit, nextToken }, ctx) => listProfiles(ctx.profiles, ctx.principal, f, limit, nextToken),
  },
  Mutation: {
    createProfile: (_, { input }, ctx) => createProfile(ctx.profiles, ctx.principal, { ...input }),
    updateProfile: (_, { input }, ctx) => updateProfile(ctx.profiles, ctx.principal, { ...input }),
    deleteProfile: (_, { input }, ctx) => deleteProfile(ctx.profiles, ctx.principal, input),
  },
  Subscription: {
    onCreateProfile: onEvent('profile.created'),
    onUpdateProfile: onEvent('profile.updated'),
    onDeleteProfile: onEvent('profile.deleted'),
  },
  Profile: {
    email: guarded(canSeeContact, 'email'),
    phone: guarded(canSeeContact, 'phone'),
    internalNotes: guarded(canSeeInternal, 'internalNotes'),
    internalRating: guarded(canSeeInternal, 'internalRating'),
    tags: guarded(canSeeInternal, 'tags'),
  },
};
