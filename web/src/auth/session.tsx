import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, accessToken, hasStoredSession, onSessionChange, signOut as clientSignOut, type SignInStep } from '../api/client';

export type Group = 'freelancer' | 'team' | 'admin' | 'partner';
export interface User {
  id: string;
  email: string;
  groups: Group[];
}

export type SessionState =
  { status: 'loading' } | { status: 'signedOut'; ended?: boolean; byUser?: boolean } | { status: 'signedIn'; user: User };

interface Session {
  state: SessionState;
  /** Runs one sign-in step (password, second factor, federated code); signed in, the user is loaded. */
  signIn: (step: () => Promise<SignInStep>) => Promise<SignInOutcome>;
  signOut: () => Promise<void>;
  /** Re-reads who we are (after a password change or a group change). */
  reload: () => Promise<void>;
}

export type SignInOutcome = { status: 'signedIn'; user: User } | Exclude<SignInStep, { status: 'signedIn' }>;

const SessionContext = createContext<Session | null>(null);

const me = () => api<User>('/auth/me');

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>(() => (hasStoredSession() ? { status: 'loading' } : { status: 'signedOut' }));

  const reload = useCallback(async () => {
    try {
      const token = await accessToken();
      setState(token ? { status: 'signedIn', user: await me() } : { status: 'signedOut' });
    } catch {
      // the server is unreachable: stay signed out, the sign-in screen shows why on its next try
      setState({ status: 'signedOut' });
    }
  }, []);

  useEffect(() => {
    if (hasStoredSession()) void reload();
    return onSessionChange((signedIn) => {
      if (!signedIn) setState((s) => ({ status: 'signedOut', ended: s.status === 'signedIn' }));
    });
  }, [reload]);

  const value = useMemo<Session>(
    () => ({
      state,
      async signIn(step) {
        const result = await step();
        if (result.status !== 'signedIn') return result;
        const user = await me();
        setState({ status: 'signedIn', user });
        return { status: 'signedIn', user };
      },
      async signOut() {
        await clientSignOut().catch(() => undefined);
        setState({ status: 'signedOut', byUser: true });
      },
      reload,
    }),
    [state, reload],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}

export const isStaff = (u: User): boolean => u.groups.includes('team') || u.groups.includes('admin');
export const isAdmin = (u: User): boolean => u.groups.includes('admin');
export const isPartner = (u: User): boolean => u.groups.includes('partner');
/** Who may import catalogs: partner accounts (into their own partner), the team and admins. */
export const canImport = (u: User): boolean => isPartner(u) || isStaff(u);
/** Where a user lands after signing in. */
export const homeOf = (u: User): string => (isStaff(u) ? '/freelancers' : isPartner(u) ? '/imports' : '/profile');
