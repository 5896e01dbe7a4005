// Pages reached from the account e-mails and from the login page, shown
// signed in or not: confirm the address (/verify-email?token=, notify's
// verify_email mail), forgot and reset password (/reset-password?token=,
// the password_reset mail), and an account whose deletion is planned
// (/account-deletion): its state and the way to cancel with e-mail and
// password (gdpr's public cancel route), then signed in. The login page
// offers the same when auth answers 403 account_pending_erasure.
import { Alert, Button, Link, Stack, TextField, Typography } from '@mui/material';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useLocation, useNavigate } from 'react-router-dom';
import { cancelErasure, forgotPassword, resetPassword, verifyEmail, type Erasure } from '../api/account';
import { ApiError, publicPost, session, type TokenReply } from '../api/client';
import { Loading } from '../components/States';
import { accountNotice } from '../lib/accountNotice';
import { daysLeft } from '../lib/billing';
import { queryClient } from '../queryClient';
import { Frame } from './Auth';
import { apiMessage } from '../lib/apiMessage';

function useToken(): string {
  const loc = useLocation();
  return new URLSearchParams(loc.search).get('token') ?? '';
}

function Back() {
  const { t } = useTranslation();
  return (
    <Typography variant="body2">
      <Link component={RouterLink} to={session.user ? '/' : '/login'} data-testid="to-login">{session.user ? t('recovery.toDashboard') : t('recovery.toLogin')}</Link>
    </Typography>
  );
}

export function VerifyEmail() {
  const { t } = useTranslation();
  const token = useToken();
  const [state, setState] = useState<'busy' | 'ok' | 'bad'>('busy');
  const sent = useRef(false);
  useEffect(() => {
    if (sent.current) return; // StrictMode runs effects twice; a token works once
    sent.current = true;
    if (!/^[0-9a-f]{64}$/.test(token)) {
      setState('bad');
      return;
    }
    verifyEmail(token).then(() => setState('ok'), () => setState('bad'));
  }, [token]);
  return (
    <Frame title={t('recovery.verifyTitle')}>
      <Stack spacing={2}>
        {state === 'busy' && <Loading />}
        {state === 'ok' && <Alert severity="success" role="status" data-testid="verify-ok">{t('recovery.verifyOk')}</Alert>}
        {state === 'bad' && <Alert severity="error" role="alert" data-testid="verify-error">{t('recovery.verifyBad')}</Alert>}
        <Back />
      </Stack>
    </Frame>
  );
}

export function ForgotPassword() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [done, setDone] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const valid = /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.trim());
  return (
    <Frame title={t('recovery.forgotTitle')}>
      <form onSubmit={(e) => {
        e.preventDefault();
        setErr(null);
        if (!valid) {
          setErr(t('validation.email'));
          return;
        }
        setBusy(true);
        forgotPassword(email.trim()).then(() => setDone(true), (x: unknown) => setErr(x instanceof ApiError && x.status === 429 ? t('auth.tooMany') : apiMessage(x, t))).finally(() => setBusy(false));
      }} noValidate>
        <Stack spacing={2}>
          {done ? (
            <Alert severity="success" role="status" data-testid="forgot-sent">{t('recovery.forgotSent')}</Alert>
          ) : (
            <>
              <Typography>{t('recovery.forgotHint')}</Typography>
              {err && <Alert severity="error" role="alert" data-testid="forgot-error">{err}</Alert>}
              <TextField label={t('auth.email')} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} autoFocus
                slotProps={{ htmlInput: { 'data-testid': 'forgot-email' } }} />
              <Button type="submit" variant="contained" size="large" disabled={busy} data-testid="forgot-submit">{t('recovery.forgotSubmit')}</Button>
            </>
          )}
          <Back />
        </Stack>
      </form>
    </Frame>
  );
}

export function ResetPassword() {
  const { t } = useTranslation();
  const token = useToken();
  const [pw, setPw] = useState('');
  const [again, setAgain] = useState('');
  const [touched, setTouched] = useState(false);
  const [done, setDone] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const short = pw.length < 8;
  const mismatch = again !== pw;
  return (
    <Frame title={t('recovery.resetTitle')}>
      <form onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        setErr(null);
        if (short || pw.length > 72 || mismatch) return;
        setBusy(true);
        resetPassword(token, pw).then(() => {
          // every session of the account ended, this tab's too
          if (session.user) session.clear();
          setDone(true);
        }, (x: unknown) => setErr(x instanceof ApiError && x.code === 'invalid_token' ? t('recovery.resetBad') : apiMessage(x, t))).finally(() => setBusy(false));
      }} noValidate>
        <Stack spacing={2}>
          {done ? (
            <Alert severity="success" role="status" data-testid="reset-ok">{t('recovery.resetOk')}</Alert>
          ) : !/^[0-9a-f]{64}$/.test(token) ? (
            <Alert severity="error" role="alert" data-testid="reset-error">{t('recovery.resetBad')}</Alert>
          ) : (
            <>
              {err && <Alert severity="error" role="alert" data-testid="reset-error">{err}</Alert>}
              <TextField label={t('account.newPassword')} type="password" autoComplete="new-password" value={pw} onChange={(e) => setPw(e.target.value)} autoFocus
                error={touched && (short || pw.length > 72)} helperText={touched && short ? t('validation.passwordMin') : touched && pw.length > 72 ? t('validation.passwordMax') : ' '}
                slotProps={{ htmlInput: { 'data-testid': 'reset-password' } }} />
              <TextField label={t('account.repeatPassword')} type="password" autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)}
                error={touched && mismatch} helperText={touched && mismatch ? t('account.mismatch') : ' '}
                slotProps={{ htmlInput: { 'data-testid': 'reset-repeat' } }} />
              <Button type="submit" variant="contained" size="large" disabled={busy} data-testid="reset-submit">{t('recovery.resetSubmit')}</Button>
            </>
          )}
          <Back />
        </Stack>
      </form>
    </Frame>
  );
}

export function AccountDeletion() {
  const { t, i18n } = useTranslation();
  const nav = useNavigate();
  const loc = useLocation();
  const st = (loc.state ?? {}) as { erasure?: Erasure; email?: string };
  const [email, setEmail] = useState(st.email ?? '');
  const [pw, setPw] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const e = st.erasure;
  useEffect(() => {
    // arrived from the account page's deletion: every session ended at the server, this one too
    if (st.erasure && session.user) {
      queryClient.clear();
      session.clear();
    }
  }, [st.erasure]);
  const date = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'long' }).format(new Date(iso));
  return (
    <Frame title={t('recovery.deletionTitle')}>
      <form onSubmit={(ev) => {
        ev.preventDefault();
        setErr(null);
        if (!email.trim() || !pw) {
          setErr(t('recovery.deletionNeed'));
          return;
        }
        setBusy(true);
        void (async () => {
          try {
            await cancelErasure(email.trim(), pw);
          } catch (x) {
            const code = x instanceof ApiError ? x.code : '';
            setErr(code === 'no_pending_erasure' || code === 'invalid_password' || code === 'not_found' ? t('recovery.deletionNone')
              : code === 'grace_period_over' ? t('recovery.deletionOver')
              : x instanceof ApiError && x.status === 429 ? t('auth.tooMany') : apiMessage(x, t));
            setBusy(false);
            return;
          }
          accountNotice.setCancelled(true);
          try {
            session.accept(await publicPost<TokenReply>('/api/v1/auth/login', { email: email.trim(), password: pw }));
            nav('/account', { replace: true });
          } catch {
            nav('/login', { replace: true });
          }
        })();
      }} noValidate>
        <Stack spacing={2}>
          {e ? (
            <Alert severity="warning" data-testid="deletion-scheduled">
              {t('recovery.deletionScheduled', { date: date(e.erase_at), count: daysLeft(e.erase_at, new Date()) ?? e.grace_days })}
            </Alert>
          ) : (
            <Typography>{t('recovery.deletionIntro')}</Typography>
          )}
          <Typography>{t('recovery.deletionCancelHint')}</Typography>
          {err && <Alert severity="error" role="alert" data-testid="deletion-error">{err}</Alert>}
          <TextField label={t('auth.email')} type="email" autoComplete="username" value={email} onChange={(x) => setEmail(x.target.value)}
            slotProps={{ htmlInput: { 'data-testid': 'deletion-email' } }} />
          <TextField label={t('auth.password')} type="password" autoComplete="current-password" value={pw} onChange={(x) => setPw(x.target.value)} autoFocus={!!st.email}
            slotProps={{ htmlInput: { 'data-testid': 'deletion-password' } }} />
          <Button type="submit" variant="contained" size="large" disabled={busy} data-testid="deletion-cancel">{t('recovery.deletionCancel')}</Button>
          <Back />
        </Stack>
      </form>
    </Frame>
  );
}
