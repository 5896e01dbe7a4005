import { zodResolver } from '@hookform/resolvers/zod';
import {
  Alert, Button, Card, CardActions, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogTitle, Grid, MenuItem, Stack, TextField, Typography,
} from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Controller, useForm } from 'react-hook-form';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { createKey, listKeys, revokeKey, rotateKey, setActive, verifyDomain, type ClientKey } from '../api/keys';
import { rememberKey } from '../api/preview';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyField } from '../components/CopyField';
import { Empty, ErrorState, Loading, Pager } from '../components/States';
import { apiFieldErrors, keySchema, type KeyForm } from '../lib/schemas';
import { embedSnippet, formatDate } from '../lib/snippet';

function statusColor(s: string): 'success' | 'default' | 'error' | 'warning' {
  return s === 'active' ? 'success' : s === 'revoked' ? 'error' : s === 'expired' ? 'warning' : 'default';
}

function CreateDialog({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (k: ClientKey) => void }) {
  const { t } = useTranslation();
  const [err, setErr] = useState<string | null>(null);
  const f = useForm<KeyForm>({ resolver: zodResolver(keySchema), defaultValues: { domain: '', environment: 'prod', description: '' } });
  const submit = f.handleSubmit(async (v) => {
    setErr(null);
    try {
      const k = await createKey({ domain: v.domain, environment: v.environment, ...(v.description ? { description: v.description } : {}) });
      f.reset();
      onCreated(k);
    } catch (e) {
      if (e instanceof ApiError) {
        for (const [k, m] of Object.entries(apiFieldErrors(e.details, ['domain', 'environment', 'description']))) f.setError(k as 'domain', { message: m });
        setErr(e.message);
      } else setErr(t('common.error'));
    }
  });
  const fe = f.formState.errors;
  return (
    <Dialog open={open} onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="create-key-title">
      <form onSubmit={submit} noValidate>
        <DialogTitle id="create-key-title">{t('keys.create')}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            {err && <Alert severity="error" role="alert" data-testid="key-create-error">{err}</Alert>}
            <TextField
              label={t('keys.domain')} placeholder="werkstatt-beispiel.de" autoFocus {...f.register('domain')}
              error={!!fe.domain} helperText={fe.domain?.message ? t(fe.domain.message, { defaultValue: fe.domain.message }) : ' '}
              slotProps={{ htmlInput: { 'data-testid': 'key-domain-input' } }}
            />
            <Controller
              control={f.control} name="environment"
              render={({ field }) => (
                <TextField select label={t('keys.environment')} {...field} slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'key-env-select' } as object } }}>
                  <MenuItem value="prod" data-testid="key-env-prod">{t('keys.prod')}</MenuItem>
                  <MenuItem value="test" data-testid="key-env-test">{t('keys.test')}</MenuItem>
                </TextField>
              )}
            />
            <TextField label={t('keys.description')} {...f.register('description')} error={!!fe.description}
              helperText={fe.description?.message ? t(fe.description.message) : ' '} slotProps={{ htmlInput: { 'data-testid': 'key-description-input' } }} />
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="submit" variant="contained" disabled={f.formState.isSubmitting} data-testid="key-create-submit">{t('keys.create')}</Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}

function RevealDialog({ k, onClose }: { k: ClientKey | null; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  if (!k?.key) return null;
  const lang = i18n.language.startsWith('en') ? 'en' : 'de';
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md" aria-labelledby="reveal-title">
      <DialogTitle id="reveal-title">{t('keys.revealTitle')}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Alert severity="warning">{t('keys.revealOnce')}</Alert>
          <CopyField label={`${k.domain} · ${k.environment}`} value={k.key} testid="revealed-key" />
          <CopyField label={t('keys.snippet')} value={embedSnippet(location.origin, k.key, lang)} testid="embed-snippet" multiline />
        </Stack>
      </DialogContent>
      <DialogActions><Button variant="contained" onClick={onClose} data-testid="reveal-close">{t('common.close')}</Button></DialogActions>
    </Dialog>
  );
}

function VerifyDialog({ k, onClose, onDone }: { k: ClientKey | null; onClose: () => void; onDone: () => void }) {
  const { t } = useTranslation();
  const m = useMutation({ mutationFn: (id: string) => verifyDomain(id), onSuccess: onDone });
  if (!k) return null;
  const reason = m.error instanceof ApiError ? String(m.error.details[0]?.reason ?? m.error.message) : m.error ? t('common.error') : '';
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm" aria-labelledby="verify-title">
      <DialogTitle id="verify-title">{t('keys.verifyTitle', { domain: k.domain })}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <Typography>{t('keys.verifyHow')}</Typography>
          <CopyField label={t('keys.verifyUrl')} value={k.verification_url} testid="verify-url" />
          <CopyField label={t('keys.verifyToken')} value={k.verification_token} testid="verify-token" />
          {m.isSuccess && <Alert severity="success" data-testid="verify-result">{t('keys.verifyOk')}</Alert>}
          {m.isError && <Alert severity="error" role="alert" data-testid="verify-result">{t('keys.verifyFailed', { reason })}</Alert>}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>{t('common.close')}</Button>
        <Button variant="contained" disabled={m.isPending} onClick={() => m.mutate(k.id)} data-testid="verify-now">{t('keys.verifyNow')}</Button>
      </DialogActions>
    </Dialog>
  );
}

export function Keys() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [page, setPage] = useState(1);
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<ClientKey | null>(null);
  const [confirm, setConfirm] = useState<{ kind: 'revoke' | 'rotate'; k: ClientKey } | null>(null);
  const [verify, setVerify] = useState<ClientKey | null>(null);
  const [actionErr, setActionErr] = useState<string | null>(null);
  const q = useQuery({ queryKey: ['keys', page], queryFn: () => listKeys(page, 20) });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['keys'] });
  const act = useMutation({
    mutationFn: async (a: { kind: 'revoke' | 'rotate' | 'toggle'; k: ClientKey }) => {
      if (a.kind === 'revoke') return revokeKey(a.k.id);
      if (a.kind === 'rotate') return rotateKey(a.k.id);
      return setActive(a.k.id, !a.k.is_active);
    },
    onSuccess: (r, a) => {
      setConfirm(null);
      setActionErr(null);
      if (a.kind === 'rotate' && r) {
        rememberKey(r);
        setRevealed(r);
      }
      refresh();
    },
    onError: (e) => {
      setConfirm(null);
      setActionErr(e instanceof Error ? e.message : t('common.error'));
    },
  });
  return (
    <Stack spacing={2}>
      <Stack direction="row" useFlexGap spacing={1} sx={{ alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' }}>
        <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('keys.title')}</Typography>
        <Button variant="contained" onClick={() => setCreating(true)} data-testid="create-key-button">{t('keys.create')}</Button>
      </Stack>
      {actionErr && <Alert severity="error" role="alert" onClose={() => setActionErr(null)}>{actionErr}</Alert>}
      {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.keys.length === 0 ? (
        <Empty action={<Button variant="contained" onClick={() => setCreating(true)}>{t('keys.create')}</Button>}>{t('keys.empty')}</Empty>
      ) : (
        <Grid container spacing={2} component="ul" sx={{ listStyle: 'none', p: 0, m: 0 }} data-testid="key-list">
          {q.data.keys.map((k) => (
            <Grid key={k.id} size={{ xs: 12, md: 6 }} component="li" data-testid="key-row" data-domain={k.domain} data-status={k.status}>
              <Card variant="outlined" sx={{ height: '100%' }}>
                <CardContent>
                  <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, overflowWrap: 'anywhere' }}>{k.domain}</Typography>
                  <Stack direction="row" spacing={1} sx={{ flexWrap: 'wrap', my: 1 }} useFlexGap>
                    <Chip size="small" label={k.environment === 'test' ? t('keys.test') : t('keys.prod')} />
                    <Chip size="small" color={statusColor(k.status)} label={t(`keys.${k.status}`, { defaultValue: k.status })} data-testid="key-status" />
                    <Chip size="small" variant="outlined" color={k.domain_verified ? 'success' : 'default'} label={k.domain_verified ? t('keys.verified') : t('keys.unverified')} />
                  </Stack>
                  <Typography variant="body2" sx={{ fontFamily: 'monospace' }}>{k.masked_key}</Typography>
                  {k.description && <Typography variant="body2">{k.description}</Typography>}
                  <Typography variant="body2">{t('keys.usage')}: {k.usage.messages.used} / {k.usage.messages.limit ?? '∞'} {t('overview.messages')}</Typography>
                  <Typography variant="body2">{t('keys.lastUsed')}: {k.last_used_at ? formatDate(k.last_used_at, i18n.language) : t('keys.never')}</Typography>
                </CardContent>
                {k.status !== 'revoked' && (
                  <CardActions sx={{ flexWrap: 'wrap', gap: 1 }} aria-label={t('keys.actions', { domain: k.domain })}>
                    <Button size="small" onClick={() => act.mutate({ kind: 'toggle', k })} data-testid="key-toggle">{k.is_active ? t('keys.switchOff') : t('keys.switchOn')}</Button>
                    <Button size="small" onClick={() => setConfirm({ kind: 'rotate', k })} data-testid="key-rotate">{t('keys.rotate')}</Button>
                    {!k.domain_verified && k.environment === 'prod' && <Button size="small" onClick={() => setVerify(k)} data-testid="key-verify">{t('keys.verify')}</Button>}
                    <Button size="small" color="error" onClick={() => setConfirm({ kind: 'revoke', k })} data-testid="key-revoke">{t('keys.revoke')}</Button>
                  </CardActions>
                )}
              </Card>
            </Grid>
          ))}
        </Grid>
      )}
      {q.data && <Pager page={page} hasPrev={page > 1} hasNext={q.data.pagination.has_more} onPrev={() => setPage(page - 1)} onNext={() => setPage(page + 1)} />}
      <CreateDialog open={creating} onClose={() => setCreating(false)} onCreated={(k) => { rememberKey(k); setCreating(false); setRevealed(k); refresh(); }} />
      <RevealDialog k={revealed} onClose={() => setRevealed(null)} />
      <VerifyDialog k={verify} onClose={() => setVerify(null)} onDone={refresh} />
      <ConfirmDialog
        open={!!confirm}
        title={confirm?.kind === 'revoke' ? t('keys.revoke') : t('keys.rotate')}
        text={confirm ? t(confirm.kind === 'revoke' ? 'keys.confirmRevoke' : 'keys.confirmRotate', { domain: confirm.k.domain }) : ''}
        confirmLabel={confirm?.kind === 'revoke' ? t('keys.revoke') : t('keys.rotate')}
        danger busy={act.isPending}
        onConfirm={() => confirm && act.mutate(confirm)}
        onClose={() => setConfirm(null)}
      />
    </Stack>
  );
}
