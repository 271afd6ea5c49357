export type { AccountStore, Page } from './account-store.js';
export type { IdentityProvider } from './identity-provider.js';
export { GROUPS, hasGroup, normalizeEmail } from './model.js';
export type { Account, AccountView, Group, Principal, Session, Tokens } from './model.js';
export { LocalIdentity } from './local/local-identity.js';
export { SigningKeys } from './local/signing-keys.js';
export { SqliteAccountStore } from './stores/sqlite-account-store.js';
export { DynamoAccountStore } from './stores/dynamodb-account-store.js';
export { authRoutes, principalFrom } from './http/auth-routes.js';
