import { lazy, Suspense, type ReactNode } from 'react';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router';
import { canImport, homeOf, isAdmin, isStaff, useSession, type User } from './auth/session';
import { Layout } from './ui/Layout';
import { Loading } from './ui/ui';
import { NotFound } from './ui/NotFound';

// every screen is its own chunk: the first screen downloads only what it shows
const SignIn = lazy(() => import('./auth/SignIn'));
const SignUp = lazy(() => import('./auth/SignUp'));
const FederatedComplete = lazy(() => import('./auth/FederatedComplete'));
const Verify = lazy(() => import('./auth/Verify'));
const ForgotPassword = lazy(() => import('./auth/ForgotPassword'));
const ResetPassword = lazy(() => import('./auth/ResetPassword'));
const Account = lazy(() => import('./auth/Account'));
const MyProfile = lazy(() => import('./profile/MyProfile'));
const Directory = lazy(() => import('./freelancers/Directory'));
const FreelancerPage = lazy(() => import('./freelancers/FreelancerPage'));
const Users = lazy(() => import('./admin/Users'));
const DeadLetters = lazy(() => import('./admin/DeadLetters'));
const Mailbox = lazy(() => import('./admin/Mailbox'));
const Search = lazy(() => import('./catalog/Search'));
const ProductPage = lazy(() => import('./catalog/ProductPage'));
const Imports = lazy(() => import('./imports/Imports'));
const Partners = lazy(() => import('./admin/Partners'));
const ApiKeys = lazy(() => import('./admin/ApiKeys'));

/** Renders `children` for a signed-in user allowed by `allow`; otherwise sends to sign-in or says why not. */
function Guard({ allow, children }: { allow?: (u: User) => boolean; children: (u: User) => ReactNode }) {
  const { state } = useSession();
  const location = useLocation();
  if (state.status === 'loading') return <Loading />;
  if (state.status === 'signedOut') {
    // after "sign out", back to a plain sign-in page; otherwise come back here once signed in
    if (state.byUser) return <Navigate to="/signin" replace />;
    return <Navigate to={`/signin?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  }
  if (allow && !allow(state.user)) return <NotFound forbidden />;
  return <>{children(state.user)}</>;
}

function Home() {
  const { state } = useSession();
  if (state.status === 'loading') return <Loading />;
  return <Navigate to={state.status === 'signedIn' ? homeOf(state.user) : '/signin'} replace />;
}

export function App() {
  return (
    <BrowserRouter>
      <Layout>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Home />} />
            <Route path="/signin" element={<SignIn />} />
            <Route path="/signin/complete" element={<FederatedComplete />} />
            <Route path="/signup" element={<SignUp />} />
            <Route path="/verify" element={<Verify />} />
            <Route path="/forgot-password" element={<ForgotPassword />} />
            <Route path="/reset-password" element={<ResetPassword />} />
            <Route path="/account" element={<Guard>{(u) => <Account user={u} />}</Guard>} />
            <Route path="/profile" element={<Guard>{(u) => <MyProfile user={u} />}</Guard>} />
            <Route path="/freelancers" element={<Guard allow={isStaff}>{() => <Directory />}</Guard>} />
            <Route path="/freelancers/:id" element={<Guard allow={isStaff}>{() => <FreelancerPage />}</Guard>} />
            <Route path="/admin/users" element={<Guard allow={isAdmin}>{(u) => <Users me={u} />}</Guard>} />
            <Route path="/admin/dead-letters" element={<Guard allow={isStaff}>{() => <DeadLetters />}</Guard>} />
            <Route path="/admin/mailbox" element={<Guard allow={isAdmin}>{() => <Mailbox />}</Guard>} />
            <Route path="/catalog" element={<Guard>{(u) => <Search user={u} />}</Guard>} />
            <Route path="/catalog/products/:id" element={<Guard>{() => <ProductPage />}</Guard>} />
            <Route path="/imports" element={<Guard allow={canImport}>{(u) => <Imports user={u} />}</Guard>} />
            <Route path="/admin/partners" element={<Guard allow={isAdmin}>{() => <Partners />}</Guard>} />
            <Route path="/admin/api-keys" element={<Guard allow={isAdmin}>{() => <ApiKeys />}</Guard>} />
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </Layout>
    </BrowserRouter>
  );
}
