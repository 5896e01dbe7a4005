import { lazy, Suspense, useEffect, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { logout, session, type User } from './api/client';
import { Layout } from './components/Layout';
import { Loading } from './components/States';
import { Login, Register } from './pages/Auth';
import { queryClient } from './queryClient';
import { AccountDeletion, ForgotPassword, ResetPassword, VerifyEmail } from './pages/Recovery';

// The signed-in screens load when first opened (each its own chunk: the
// charts, the landing editor and billing are not part of the first paint
// on a phone); the sign-in and recovery pages come with the app.
const Overview = lazy(() => import('./pages/Overview').then((m) => ({ default: m.Overview })));
const Keys = lazy(() => import('./pages/Keys').then((m) => ({ default: m.Keys })));
const Knowledge = lazy(() => import('./pages/Knowledge').then((m) => ({ default: m.Knowledge })));
const Conversations = lazy(() => import('./pages/Conversations').then((m) => ({ default: m.Conversations })));
const Leads = lazy(() => import('./pages/Leads').then((m) => ({ default: m.Leads })));
const LandingPages = lazy(() => import('./pages/LandingPages').then((m) => ({ default: m.LandingPages })));
const LandingEditor = lazy(() => import('./pages/LandingEditor').then((m) => ({ default: m.LandingEditor })));
const LandingDomain = lazy(() => import('./pages/LandingDomain').then((m) => ({ default: m.LandingDomain })));
const Billing = lazy(() => import('./pages/Billing').then((m) => ({ default: m.Billing })));
const Account = lazy(() => import('./pages/Account').then((m) => ({ default: m.Account })));

export function App() {
  const nav = useNavigate();
  const loc = useLocation();
  const [user, setUser] = useState<User | null>(session.user);
  // On start the session cookie (if any) gives a new access token.
  const [booting, setBooting] = useState(!session.signedIn);

  // Why the login page is shown (signed out, session over): kept here, not
  // in the history state, so no redirect can lose it.
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    session.onChange = (u) => {
      setUser(u);
      if (u) setNotice(null);
    };
    session.onExpired = () => {
      queryClient.clear();
      setNotice('auth.expired');
      nav('/login', { replace: true, state: { from: location.pathname.replace(/^\/admin/, '') || '/' } });
    };
  }, [nav]);
  useEffect(() => {
    if (!session.signedIn) void session.refresh().finally(() => setBooting(false));
  }, []);

  if (booting) return <Loading />;
  // account & billing (issue 18 part B): the pages the account e-mails link
  // to and the planned-deletion page, signed in or not
  if (['/verify-email', '/reset-password', '/forgot-password', '/account-deletion'].includes(loc.pathname))
    return (
      <Routes>
        <Route path="/verify-email" element={<VerifyEmail />} />
        <Route path="/reset-password" element={<ResetPassword />} />
        <Route path="/forgot-password" element={<ForgotPassword />} />
        <Route path="/account-deletion" element={<AccountDeletion />} />
      </Routes>
    );
  const publicPath = loc.pathname === '/login' || loc.pathname === '/register';
  if (!user && !publicPath) return <Navigate to="/login" replace state={{ from: loc.pathname }} />;
  if (user && publicPath) return <Navigate to="/" replace />;
  if (!user)
    return (
      <Routes>
        <Route path="/login" element={<Login notice={notice} />} />
        <Route path="/register" element={<Register />} />
      </Routes>
    );
  return (
    <Layout
      email={user.email}
      onLogout={() => {
        setNotice('auth.loggedOut');
        void logout().then(() => {
          queryClient.clear();
          nav('/login', { replace: true });
        });
      }}
    >
      <Suspense fallback={<Loading />}>
        <Routes>
          <Route path="/" element={<Overview />} />
          <Route path="/keys" element={<Keys />} />
          <Route path="/knowledge" element={<Knowledge />} />
          <Route path="/conversations" element={<Conversations />} />
          <Route path="/leads" element={<Leads />} />
          {/* ---- landing pages and custom domains (issue 18 part A); "create" is an id the editor knows ---- */}
          <Route path="/landing-pages" element={<LandingPages />} />
          <Route path="/landing-pages/:id" element={<LandingEditor />} />
          <Route path="/landing-pages/:id/domain" element={<LandingDomain />} />
          {/* ---- end landing pages ---- */}
          {/* account & billing (issue 18 part B) */}
          <Route path="/billing" element={<Billing />} />
          <Route path="/account" element={<Account />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Routes>
      </Suspense>
    </Layout>
  );
}
