import { AppError, ErrorCode, badInput, forbidden } from '../../shared/errors.js';
import { GROUPS, hasGroup, type Group, type Principal } from './model.js';

/**
 * What an admin may do to accounts, whichever identity provider keeps them (LocalIdentity, CognitoIdentity):
 * checked before the provider is asked to change anything.
 */
export function assertCanSetGroups(actor: Principal, userId: string, groups: readonly Group[]): void {
  if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can change groups');
  const bad = groups.filter((g) => !(GROUPS as readonly string[]).includes(g));
  if (bad.length || groups.length === 0) {
    throw badInput([{ path: 'groups', message: `must be a non-empty list of ${GROUPS.join(', ')}` }]);
  }
  if (actor.sub === userId && !groups.includes('admin')) {
    throw new AppError(ErrorCode.BAD_USER_INPUT, 'An admin cannot remove their own admin group', {
      fields: [{ path: 'groups', message: 'would remove your own admin rights' }],
    });
  }
}

export function assertCanSetDisabled(actor: Principal, userId: string, disabled: boolean): void {
  if (!hasGroup(actor, 'admin')) throw forbidden('Only an admin can disable accounts');
  if (actor.sub === userId && disabled)
    throw badInput([{ path: 'disabled', message: 'an admin cannot disable their own account' }]);
}
