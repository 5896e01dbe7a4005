// The account: profile, password, sign out everywhere, language and e-mail
// settings; privacy: the data export, conversation retention, deleting the
// account (with the grace period; cancelling is on the public page
// /account-deletion, since the account is switched off at once).
import {
  Alert, Box, Button, Chip, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, FormControlLabel, Grid,
  Link, MenuItem, Paper, Radio, RadioGroup, Stack, Switch, TextField, Typography,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiMessage } from '../lib/apiMessage';
import { useNavigate } from 'react-router-dom';
import {
  changePassword, getExport, getMe, getNotify, getRetention, logoutAll, patchMe, putNotify, putRetention, requestErasure,
  requestExport, resendVerification, verifyState, type Export, type Me, type NotifySettings,
} from '../api/account';
import { ApiError, session } from '../api/client';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { ErrorState, Loading } from '../components/States';
import { setLang, type Lang } from '../i18n';
import { accountNotice } from '../lib/accountNotice';
import { retentionOk } from '../lib/billing';
import { queryClient } from '../queryClient';

const EXPORT_KEY = 'carbot.export';

function Section({ title, children, testid }: { title: string; children: React.ReactNode; testid: string }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }} component="section" aria-label={title} data-testid={testid}>
      <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 1.5 }}>{title}</Typography>
      {children}
    </Paper>
  );
}

function Profile({ me }: { me: Me }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [v, setV] = useState({ firstName: me.first_name ?? '', lastName: me.last_name ?? '', companyName: me.company_name ?? '', phone: me.phone ?? '' });
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const ver = useQuery({ queryKey: ['account', 'verify'], queryFn: verifyState, retry: false });
  const [sent, setSent] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: () => patchMe({ firstName: v.firstName.trim() || null, lastName: v.lastName.trim() || null, companyName: v.companyName.trim() || null, phone: v.phone.trim() || null }),
    onSuccess: (u) => {
      qc.setQueryData(['account', 'me'], u);
      setMsg({ ok: true, text: t('common.saved') });
    },
    onError: (e) => setMsg({ ok: false, text: apiMessage(e, t) }),
  });
  const field = (k: keyof typeof v, label: string, auto: string) => (
    <TextField label={label} value={v[k]} autoComplete={auto} onChange={(e) => setV({ ...v, [k]: e.target.value })}
      slotProps={{ htmlInput: { 'data-testid': `profile-${k}`, maxLength: 200 } }} fullWidth />
  );
  return (
    <Section title={t('account.profile')} testid="account-profile">
      <form onSubmit={(e) => { e.preventDefault(); setMsg(null); save.mutate(); }} noValidate>
        <Stack spacing={2}>
          <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
            <Typography sx={{ overflowWrap: 'anywhere' }} data-testid="profile-email">{me.email}</Typography>
            {ver.data && (ver.data.email_verified
              ? <Chip size="small" color="success" label={t('account.verified')} data-testid="email-verified" />
              : <Chip size="small" color="warning" label={t('account.unverified')} data-testid="email-unverified" />)}
            {ver.data && !ver.data.email_verified && (
              <Button size="small" data-testid="resend-verification" onClick={() => void resendVerification().then(() => setSent(t('account.resent')), (e: unknown) => setSent(apiMessage(e, t)))}>
                {t('account.resend')}
              </Button>
            )}
          </Stack>
          {sent && <Alert severity="info" role="status">{sent}</Alert>}
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            {field('firstName', t('auth.firstName'), 'given-name')}
            {field('lastName', t('auth.lastName'), 'family-name')}
          </Stack>
          {field('companyName', t('auth.company'), 'organization')}
          {field('phone', t('account.phone'), 'tel')}
          {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'} data-testid="profile-message">{msg.text}</Alert>}
          <Box><Button type="submit" variant="contained" disabled={save.isPending} data-testid="profile-save">{t('common.save')}</Button></Box>
        </Stack>
      </form>
    </Section>
  );
}

function Password() {
  const { t } = useTranslation();
  const [cur, setCur] = useState('');
  const [next, setNext] = useState('');
  const [again, setAgain] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [touched, setTouched] = useState(false);
  const tooShort = next.length > 0 && next.length < 8;
  const mismatch = again.length > 0 && again !== next;
  const run = useMutation({
    mutationFn: () => changePassword(cur, next),
    onSuccess: (r) => {
      session.accept(r); // every other session ended; this one goes on with new tokens
      setCur(''); setNext(''); setAgain(''); setTouched(false);
      setMsg({ ok: true, text: t('account.passwordChanged') });
    },
    onError: (e) => setMsg({ ok: false, text: e instanceof ApiError && e.status === 401 ? t('account.currentWrong') : apiMessage(e, t) }),
  });
  return (
    <Section title={t('account.password')} testid="account-password">
      <form onSubmit={(e) => {
        e.preventDefault();
        setTouched(true);
        setMsg(null);
        if (!cur || next.length < 8 || next.length > 72 || next !== again) return;
        run.mutate();
      }} noValidate>
        <Stack spacing={2}>
          <input type="text" name="username" autoComplete="username" value={session.user?.email ?? ''} readOnly hidden />
          <TextField type="password" label={t('account.currentPassword')} autoComplete="current-password" value={cur} onChange={(e) => setCur(e.target.value)}
            error={touched && !cur} helperText={touched && !cur ? t('validation.required') : ' '} slotProps={{ htmlInput: { 'data-testid': 'password-current' } }} />
          <TextField type="password" label={t('account.newPassword')} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)}
            error={tooShort || next.length > 72 || (touched && !next)} helperText={tooShort || (touched && !next) ? t('validation.passwordMin') : next.length > 72 ? t('validation.passwordMax') : ' '}
            slotProps={{ htmlInput: { 'data-testid': 'password-new' } }} />
          <TextField type="password" label={t('account.repeatPassword')} autoComplete="new-password" value={again} onChange={(e) => setAgain(e.target.value)}
            error={mismatch} helperText={mismatch ? t('account.mismatch') : ' '} slotProps={{ htmlInput: { 'data-testid': 'password-repeat' } }} />
          <Typography variant="body2" sx={{ color: 'text.secondary' }}>{t('account.passwordHint')}</Typography>
          {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'} data-testid="password-message">{msg.text}</Alert>}
          <Box><Button type="submit" variant="contained" disabled={run.isPending} data-testid="password-save">{t('account.changePassword')}</Button></Box>
        </Stack>
      </form>
    </Section>
  );
}

function Sessions() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  return (
    <Section title={t('account.sessions')} testid="account-sessions">
      <Typography sx={{ mb: 2 }}>{t('account.sessionsHint')}</Typography>
      {err && <Alert severity="error" role="alert" sx={{ mb: 2 }}>{err}</Alert>}
      <Button variant="outlined" color="error" onClick={() => setOpen(true)} data-testid="logout-all">{t('account.logoutAll')}</Button>
      <ConfirmDialog open={open} title={t('account.logoutAll')} text={t('account.logoutAllConfirm')} confirmLabel={t('account.logoutAll')} danger busy={busy}
        onClose={() => setOpen(false)}
        onConfirm={() => {
          setBusy(true);
          void logoutAll().then(() => {
            accountNotice.setNotice('account.loggedOutAll');
            queryClient.clear();
            session.clear();
          }, (e: unknown) => {
            setBusy(false);
            setOpen(false);
            setErr(apiMessage(e, t));
          });
        }} />
    </Section>
  );
}

function Preferences() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['account', 'notify'], queryFn: getNotify, retry: false });
  const [rcpt, setRcpt] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const lang: Lang = i18n.language.startsWith('en') ? 'en' : 'de';
  const put = useMutation({
    mutationFn: (s: Partial<NotifySettings>) => putNotify(s),
    // the switches move at once; an error puts them back
    onMutate: (s) => {
      const before = qc.getQueryData<NotifySettings>(['account', 'notify']);
      if (before && (s.lead_alerts !== undefined || s.daily_digest !== undefined)) qc.setQueryData(['account', 'notify'], { ...before, ...s });
      return before;
    },
    onSuccess: (s) => {
      qc.setQueryData(['account', 'notify'], s);
      setRcpt(null);
      setMsg({ ok: true, text: t('common.saved') });
    },
    onError: (e, _s, before) => {
      if (before) qc.setQueryData(['account', 'notify'], before);
      setMsg({ ok: false, text: apiMessage(e, t) });
    },
  });
  const available = q.isSuccess;
  const recipients = rcpt ?? (q.data?.lead_recipients ?? []).join(', ');
  return (
    <Section title={t('account.preferences')} testid="account-preferences">
      <Stack spacing={2}>
        <TextField select label={t('app.language')} value={lang} sx={{ maxWidth: 260 }}
          onChange={(e) => {
            const l = e.target.value as Lang;
            setLang(l);
            if (available) put.mutate({ language: l });
          }}
          helperText={available ? t('account.languageHint') : t('account.languageLocal')}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'account-language' } as object } }}>
          <MenuItem value="de" data-testid="account-language-de">Deutsch</MenuItem>
          <MenuItem value="en" data-testid="account-language-en">English</MenuItem>
        </TextField>
        {q.isError && !(q.error instanceof ApiError && q.error.status === 404) && <ErrorState error={q.error} onRetry={() => void q.refetch()} />}
        {q.data && (
          <>
            <Typography sx={{ fontWeight: 600 }}>{t('account.mails')}</Typography>
            <FormControlLabel control={<Switch checked={q.data.lead_alerts} onChange={(e) => put.mutate({ lead_alerts: e.target.checked })} slotProps={{ input: { 'data-testid': 'notify-lead-alerts' } as object }} />} label={t('account.leadAlerts')} />
            <FormControlLabel control={<Switch checked={q.data.daily_digest} onChange={(e) => put.mutate({ daily_digest: e.target.checked })} slotProps={{ input: { 'data-testid': 'notify-digest' } as object }} />} label={t('account.digest')} />
            <Typography variant="body2" sx={{ color: 'text.secondary' }}>{t('account.mandatoryMails')}</Typography>
            <form onSubmit={(e) => {
              e.preventDefault();
              setMsg(null);
              put.mutate({ lead_recipients: recipients.split(/[\s,;]+/).map((x) => x.trim()).filter(Boolean) });
            }}>
              <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
                <TextField label={t('account.recipients')} value={recipients} onChange={(e) => setRcpt(e.target.value)} fullWidth
                  helperText={t('account.recipientsHint')} slotProps={{ htmlInput: { 'data-testid': 'notify-recipients' } }} />
                <Button type="submit" variant="outlined" disabled={put.isPending} data-testid="notify-save" sx={{ mt: { sm: 1 } }}>{t('common.save')}</Button>
              </Stack>
            </form>
          </>
        )}
        {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'} data-testid="notify-message">{msg.text}</Alert>}
      </Stack>
    </Section>
  );
}

function storedExport(): string | null {
  try {
    return localStorage.getItem(EXPORT_KEY);
  } catch {
    return null;
  }
}

function DataExport() {
  const { t, i18n } = useTranslation();
  const [id, setId] = useState<string | null>(storedExport);
  const [err, setErr] = useState<string | null>(null);
  const q = useQuery({
    queryKey: ['account', 'export', id],
    queryFn: () => getExport(id ?? ''),
    enabled: !!id,
    retry: false,
    // poll while it is written; a done export's link expires, so ask again now and then
    refetchInterval: (x) => (x.state.data && (x.state.data.status === 'pending' || x.state.data.status === 'running') ? 1000 : 60000),
  });
  useEffect(() => {
    if (q.error instanceof ApiError && q.error.status === 404) setId(null); // another account's, or gone
  }, [q.error]);
  const start = useMutation({
    mutationFn: requestExport,
    onSuccess: (e: Export) => {
      setErr(null);
      try {
        localStorage.setItem(EXPORT_KEY, e.id);
      } catch {
        /* this tab only */
      }
      setId(e.id);
    },
    onError: (e) => setErr(apiMessage(e, t)),
  });
  const x = q.data;
  const running = x && (x.status === 'pending' || x.status === 'running');
  const time = (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
  return (
    <Box data-testid="privacy-export">
      <Typography variant="h3" sx={{ fontSize: 16, fontWeight: 600, mb: 1 }}>{t('account.export')}</Typography>
      <Typography sx={{ mb: 1.5 }}>{t('account.exportHint')}</Typography>
      {err && <Alert severity="error" role="alert" sx={{ mb: 1.5 }} data-testid="export-error">{err}</Alert>}
      {running && <Alert severity="info" role="status" sx={{ mb: 1.5 }} data-testid="export-running">{t('account.exportRunning')}</Alert>}
      {x?.status === 'failed' && <Alert severity="error" sx={{ mb: 1.5 }} data-testid="export-failed">{t('account.exportFailed')}</Alert>}
      {x?.status === 'done' && x.download_url && (
        <Alert severity="success" sx={{ mb: 1.5 }} data-testid="export-ready">
          {t('account.exportReady', { size: Math.max(1, Math.round((x.bytes ?? 0) / 1024)) })}{' '}
          <Link href={x.download_url} download data-testid="export-download">{t('account.download')}</Link>
          {x.download_expires_at && <> {t('account.linkValid', { time: time(x.download_expires_at) })}</>}
        </Alert>
      )}
      <Button variant="outlined" onClick={() => start.mutate()} disabled={start.isPending || !!running} data-testid="export-request">
        {x?.status === 'done' ? t('account.exportAgain') : t('account.exportRequest')}
      </Button>
    </Box>
  );
}

function RetentionSetting() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['account', 'retention'], queryFn: getRetention, retry: false });
  const [mode, setMode] = useState<'keep' | 'days' | null>(null);
  const [days, setDays] = useState<string | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const save = useMutation({
    mutationFn: (v: number | null) => putRetention(v),
    onSuccess: (r) => {
      qc.setQueryData(['account', 'retention'], r);
      setMode(null); setDays(null);
      setMsg({ ok: true, text: t('common.saved') });
    },
    onError: (e) => setMsg({ ok: false, text: apiMessage(e, t) }),
  });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const m = mode ?? (q.data.conversations_days === null ? 'keep' : 'days');
  const d = days ?? String(q.data.conversations_days ?? 365);
  const n = Number(d);
  const bad = m === 'days' && !retentionOk(Number.isFinite(n) && d.trim() !== '' ? n : NaN);
  return (
    <Box data-testid="privacy-retention">
      <Typography variant="h3" id="retention-title" sx={{ fontSize: 16, fontWeight: 600, mb: 1 }}>{t('account.retention')}</Typography>
      <Typography sx={{ mb: 1 }}>{t('account.retentionHint')}</Typography>
      <form onSubmit={(e) => {
        e.preventDefault();
        setMsg(null);
        if (!bad) save.mutate(m === 'keep' ? null : n);
      }} noValidate>
        <RadioGroup value={m} onChange={(e) => setMode(e.target.value as 'keep' | 'days')} aria-labelledby="retention-title">
          <FormControlLabel value="keep" control={<Radio slotProps={{ input: { 'data-testid': 'retention-keep' } as object }} />} label={t('account.retentionKeep')} />
          <FormControlLabel value="days" control={<Radio slotProps={{ input: { 'data-testid': 'retention-limit' } as object }} />} label={t('account.retentionLimit')} />
        </RadioGroup>
        {m === 'days' && (
          <TextField type="number" label={t('account.retentionDays')} value={d} onChange={(e) => setDays(e.target.value)} sx={{ mt: 1, maxWidth: 260 }}
            error={bad} helperText={bad ? t('account.retentionRange') : t('account.retentionRangeHint')}
            slotProps={{ htmlInput: { min: 30, max: 1095, step: 1, 'data-testid': 'retention-days' } }} />
        )}
        {msg && <Alert severity={msg.ok ? 'success' : 'error'} role={msg.ok ? 'status' : 'alert'} sx={{ mt: 1 }} data-testid="retention-message">{msg.text}</Alert>}
        <Box sx={{ mt: 1.5 }}><Button type="submit" variant="outlined" disabled={save.isPending || bad} data-testid="retention-save">{t('common.save')}</Button></Box>
      </form>
    </Box>
  );
}

function DeleteAccount() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const [open, setOpen] = useState(false);
  const [pw, setPw] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const run = useMutation({
    mutationFn: () => requestErasure(pw),
    onSuccess: (r) => {
      // the account is switched off now and every session ended: the public page shows the state and the way back
      // (that page ends the session here once shown: ended first, the sign-in redirect would win)
      nav('/account-deletion', { replace: true, state: { erasure: r, email: session.user?.email } });
    },
    onError: (e) => setErr(e instanceof ApiError && e.code === 'invalid_password' ? t('account.deleteWrongPassword') : apiMessage(e, t)),
  });
  return (
    <Box data-testid="privacy-delete">
      <Typography variant="h3" sx={{ fontSize: 16, fontWeight: 600, mb: 1 }}>{t('account.delete')}</Typography>
      <Typography sx={{ mb: 1.5 }}>{t('account.deleteHint')}</Typography>
      <Button variant="outlined" color="error" onClick={() => { setErr(null); setPw(''); setOpen(true); }} data-testid="delete-account">{t('account.deleteButton')}</Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby="delete-title">
        <form onSubmit={(e) => { e.preventDefault(); setErr(null); if (pw) run.mutate(); }} noValidate>
          <DialogTitle id="delete-title">{t('account.deleteTitle')}</DialogTitle>
          <DialogContent>
            <DialogContentText sx={{ mb: 2 }}>{t('account.deleteExplain')}</DialogContentText>
            {err && <Alert severity="error" role="alert" sx={{ mb: 2 }} data-testid="delete-error">{err}</Alert>}
            <input type="text" name="username" autoComplete="username" value={session.user?.email ?? ''} readOnly hidden />
            <TextField type="password" label={t('account.deletePassword')} autoComplete="current-password" value={pw} onChange={(e) => setPw(e.target.value)} fullWidth autoFocus
              slotProps={{ htmlInput: { 'data-testid': 'delete-password' } }} />
          </DialogContent>
          <DialogActions>
            <Button onClick={() => setOpen(false)} data-testid="delete-cancel">{t('common.cancel')}</Button>
            <Button type="submit" color="error" variant="contained" disabled={!pw || run.isPending} data-testid="delete-confirm">{t('account.deleteConfirm')}</Button>
          </DialogActions>
        </form>
      </Dialog>
    </Box>
  );
}

export function Account() {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ['account', 'me'], queryFn: getMe });
  const [cancelled, setCancelled] = useState(accountNotice.cancelled);
  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorState error={me.error} onRetry={() => void me.refetch()} />;
  return (
    <Stack spacing={2.5}>
      <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('account.title')}</Typography>
      {cancelled && <Alert severity="success" role="status" data-testid="deletion-cancelled" onClose={() => { accountNotice.setCancelled(false); setCancelled(false); }}>{t('account.deletionCancelled')}</Alert>}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 6 }}><Profile me={me.data} /></Grid>
        <Grid size={{ xs: 12, md: 6 }}><Password /></Grid>
        <Grid size={{ xs: 12, md: 6 }}><Preferences /></Grid>
        <Grid size={{ xs: 12, md: 6 }}><Sessions /></Grid>
      </Grid>
      <Section title={t('account.privacy')} testid="account-privacy">
        <Stack spacing={3}>
          <DataExport />
          <RetentionSetting />
          <DeleteAccount />
        </Stack>
      </Section>
    </Stack>
  );
}
