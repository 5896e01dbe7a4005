import { zodResolver } from '@hookform/resolvers/zod';
import { Alert, Box, Button, Checkbox, FormControlLabel, Link, Paper, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useLocation, useNavigate } from 'react-router-dom';
import { ApiError, publicPost, session, type TokenReply } from '../api/client';
import { LangSwitch } from '../components/Layout';
import { accountNotice } from '../lib/accountNotice';
import { apiFieldErrors, loginSchema, registerSchema, type LoginForm, type RegisterForm } from '../lib/schemas';

export function Frame({ title, children }: { title: string; children: React.ReactNode }) {
  const { t } = useTranslation();
  return (
    <Box component="main" sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2, bgcolor: 'grey.100' }}>
      <Paper sx={{ p: { xs: 2.5, sm: 4 }, width: '100%', maxWidth: 420 }}>
        <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', mb: 1 }}>
          <Typography variant="h5" component="p" sx={{ fontWeight: 700, color: 'primary.main' }}>CarBot</Typography>
          <LangSwitch />
        </Stack>
        <Typography variant="body2" sx={{ mb: 2, color: 'text.secondary' }}>{t('auth.welcome')}</Typography>
        <Typography variant="h1" sx={{ fontSize: 24, fontWeight: 600, mb: 2 }}>{title}</Typography>
        {children}
      </Paper>
    </Box>
  );
}

function errorText(e: unknown, t: (k: string) => string): string {
  if (!(e instanceof ApiError)) return t('common.error');
  if (e.code === 'invalid_credentials') return t('auth.invalid');
  if (e.code === 'too_many_attempts' || e.code === 'rate_limited') return t('auth.tooMany');
  if (e.code === 'email_taken') return t('auth.taken');
  return e.message;
}

export function Login({ notice }: { notice: string | null }) {
  const { t } = useTranslation();
  const nav = useNavigate();
  const loc = useLocation();
  const [err, setErr] = useState<string | null>(null);
  // account & billing (issue 18 part B): the right password for an account whose deletion waits
  const [pending, setPending] = useState<string | null>(null);
  const shown = notice ?? accountNotice.notice;
  const f = useForm<LoginForm>({ resolver: zodResolver(loginSchema), defaultValues: { email: '', password: '', remember: false } });
  const submit = f.handleSubmit(async (v) => {
    setErr(null);
    setPending(null);
    try {
      session.accept(await publicPost<TokenReply>('/api/v1/auth/login', v));
      accountNotice.setNotice(null);
      nav((loc.state as { from?: string } | null)?.from ?? '/', { replace: true });
    } catch (e) {
      if (e instanceof ApiError && e.details.length) {
        for (const [k, m] of Object.entries(apiFieldErrors(e.details, ['email', 'password']))) f.setError(k as 'email', { message: m });
      }
      if (e instanceof ApiError && e.code === 'account_pending_erasure') setPending(v.email);
      else setErr(errorText(e, t));
    }
  });

  const fe = f.formState.errors;
  return (
    <Frame title={t('auth.login')}>
      <form onSubmit={submit} noValidate>
        <Stack spacing={2}>
          {shown && <Alert severity="info" data-testid="session-notice">{t(shown)}</Alert>}
          {err && <Alert severity="error" role="alert" data-testid="login-error">{err}</Alert>}
          {pending && (
            <Alert severity="warning" role="alert" data-testid="login-pending-erasure">
              {t('recovery.pendingLogin')}
              <Box sx={{ mt: 1 }}>
                <Button variant="outlined" color="inherit" size="small" component={RouterLink} to="/account-deletion" state={{ email: pending }} data-testid="login-cancel-deletion">
                  {t('recovery.deletionCancelShort')}
                </Button>
              </Box>
            </Alert>
          )}
          <TextField
            label={t('auth.email')} type="email" autoComplete="username" autoFocus
            {...f.register('email')} error={!!fe.email} helperText={fe.email?.message ? t(fe.email.message) : ' '}
            slotProps={{ htmlInput: { 'data-testid': 'email-input' } }}
          />
          <TextField
            label={t('auth.password')} type="password" autoComplete="current-password"
            {...f.register('password')} error={!!fe.password} helperText={fe.password?.message ? t(fe.password.message) : ' '}
            slotProps={{ htmlInput: { 'data-testid': 'password-input' } }}
          />
          <FormControlLabel control={<Checkbox {...f.register('remember')} slotProps={{ input: { 'data-testid': 'remember-input' } as object }} />} label={t('auth.remember')} />
          <Button type="submit" variant="contained" size="large" disabled={f.formState.isSubmitting} data-testid="login-button">
            {t('auth.login')}
          </Button>
          <Typography variant="body2">
            {t('auth.noAccount')} <Link component={RouterLink} to="/register" data-testid="to-register">{t('auth.register')}</Link>
          </Typography>
          {/* account & billing (issue 18 part B): forgot password */}
          <Typography variant="body2">
            <Link component={RouterLink} to="/forgot-password" data-testid="to-forgot">{t('recovery.forgotLink')}</Link>
          </Typography>

        </Stack>
      </form>
    </Frame>
  );
}

export function Register() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const [err, setErr] = useState<string | null>(null);
  const f = useForm<RegisterForm>({
    resolver: zodResolver(registerSchema),
    defaultValues: { email: '', password: '', firstName: '', lastName: '', companyName: '' },
  });
  const submit = f.handleSubmit(async (v) => {
    setErr(null);
    try {
      const body = Object.fromEntries(Object.entries(v).filter(([, x]) => x !== ''));
      session.accept(await publicPost<TokenReply>('/api/v1/auth/register', body));
      nav('/', { replace: true });
    } catch (e) {
      if (e instanceof ApiError) {
        const map = apiFieldErrors(e.details, ['email', 'password', 'firstName', 'lastName', 'companyName']);
        for (const [k, m] of Object.entries(map)) f.setError(k as 'email', { message: m });
      }
      setErr(errorText(e, t));
    }
  });
  const fe = f.formState.errors;
  const field = (name: keyof RegisterForm, label: string, extra: Record<string, unknown> = {}) => (
    <TextField
      label={label} {...f.register(name)} error={!!fe[name]}
      helperText={fe[name]?.message ? t(fe[name]?.message ?? '') : ' '}
      slotProps={{ htmlInput: { 'data-testid': `register-${name}` } }} {...extra}
    />
  );
  return (
    <Frame title={t('auth.register')}>
      <form onSubmit={submit} noValidate>
        <Stack spacing={1.5}>
          {err && <Alert severity="error" role="alert" data-testid="register-error">{err}</Alert>}
          {field('email', t('auth.email'), { type: 'email', autoComplete: 'username', autoFocus: true })}
          {field('password', t('auth.password'), { type: 'password', autoComplete: 'new-password' })}
          {field('companyName', t('auth.company'), { autoComplete: 'organization' })}
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1.5}>
            {field('firstName', t('auth.firstName'), { autoComplete: 'given-name' })}
            {field('lastName', t('auth.lastName'), { autoComplete: 'family-name' })}
          </Stack>
          <Button type="submit" variant="contained" size="large" disabled={f.formState.isSubmitting} data-testid="register-button">
            {t('auth.register')}
          </Button>
          <Typography variant="body2">
            {t('auth.haveAccount')} <Link component={RouterLink} to="/login" data-testid="to-login">{t('auth.login')}</Link>
          </Typography>
        </Stack>
      </form>
    </Frame>
  );
}
