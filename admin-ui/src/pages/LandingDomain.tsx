import {
  Alert, Box, Button, Chip, FormControl, FormControlLabel, FormLabel, Link, Paper, Radio, RadioGroup, Stack, TextField, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useParams } from 'react-router-dom';
import { ApiError } from '../api/client';
import { getDomain, getPage, removeDomain, setDomain, verifyDomain, type Verification, type VerifyMethod } from '../api/landing';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { CopyField } from '../components/CopyField';
import { ErrorState, Loading } from '../components/States';
import { formatDate } from '../lib/snippet';
import { hostOf } from './LandingPages';

const METHODS: VerifyMethod[] = ['dns', 'file', 'meta'];
const REASONS = ['token_not_found', 'no_record', 'timeout', 'unreachable', 'bad_status', 'too_large', 'dns_error', 'verification_expired', 'no_pending_verification', 'rate_limited'];

/** The reason key of a failed check: the detail's issue (422), else the error code (409, 429). */
export function verifyReason(e: unknown): string | null {
  if (!(e instanceof ApiError)) return null;
  const issue = e.details[0]?.issue;
  if (typeof issue === 'string' && REASONS.includes(issue)) return issue;
  return REASONS.includes(e.code) ? e.code : null;
}

function Instructions({ v, method }: { v: Verification; method: VerifyMethod }) {
  const { t } = useTranslation();
  const i = v.instructions;
  return (
    <Stack spacing={2} data-testid="domain-instructions">
      {method === 'dns' && (
        <>
          <Typography>{t('landing.dnsHow')}</Typography>
          <CopyField label={`${t('landing.recordName')} (TXT)`} value={i.dns.name} testid="dns-name" />
          <CopyField label={t('landing.recordValue')} value={i.dns.value} testid="dns-value" />
        </>
      )}
      {method === 'file' && (
        <>
          <Typography>{t('landing.fileHow')}</Typography>
          <CopyField label={t('landing.fileUrl')} value={i.file.url} testid="file-url" />
          <CopyField label={t('landing.fileContent')} value={i.file.content} testid="file-content" />
        </>
      )}
      {method === 'meta' && (
        <>
          <Typography>{t('landing.metaHow')}</Typography>
          <CopyField label={t('landing.metaUrl')} value={i.meta.url} testid="meta-url" />
          <CopyField label={t('landing.metaTag')} value={i.meta.tag} testid="meta-tag" multiline />
        </>
      )}
      <Typography>{t('landing.routingHow')}</Typography>
      <CopyField label={`${i.routing.type} ${i.routing.name}`} value={i.routing.value} testid="routing-value" />
    </Stack>
  );
}

// A page's own domain: ask for a token (DNS TXT, file or meta tag; the same
// token works with any of them), the copy-ready instructions, the check with
// its reason when it fails, and HTTPS once the domain is verified.
export function LandingDomain() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const qc = useQueryClient();
  const pageQ = useQuery({ queryKey: ['landing-page', id], queryFn: () => getPage(id) });
  const domQ = useQuery({ queryKey: ['landing-domain', id], queryFn: () => getDomain(id) });
  const [domain, setDomainText] = useState('');
  const [method, setMethod] = useState<VerifyMethod | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);

  if (pageQ.isPending || domQ.isPending) return <Loading />;
  if (pageQ.error || domQ.error) return <ErrorState error={pageQ.error ?? domQ.error} onRetry={() => void Promise.all([pageQ.refetch(), domQ.refetch()])} />;
  const page = pageQ.data;
  const state = domQ.data;
  const host = hostOf(page.urls.subdomain);
  const v = state.verification;
  const m: VerifyMethod = method ?? v?.method ?? 'dns';
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: ['landing-domain', id] }), qc.invalidateQueries({ queryKey: ['landing-page', id] }), qc.invalidateQueries({ queryKey: ['landing-pages'] })]);

  async function ask(e: React.FormEvent) {
    e.preventDefault();
    setErr(null);
    setResult(null);
    setBusy(true);
    try {
      await setDomain(id, domain.trim(), m);
      await refresh();
    } catch (x) {
      setErr(x instanceof ApiError ? (x.details.map((d) => d.message).filter(Boolean).join(' ') || x.message) : t('common.error'));
    } finally {
      setBusy(false);
    }
  }

  async function check() {
    setResult(null);
    setBusy(true);
    try {
      const r = await verifyDomain(id, m);
      setResult({ ok: true, text: t('landing.verifiedOk', { domain: r.domain }) });
    } catch (x) {
      const reason = verifyReason(x);
      const why = reason ? t(`landing.verifyReasons.${reason}`) : x instanceof Error ? x.message : t('common.error');
      setResult({ ok: false, text: t('landing.verifyFailed', { reason: why }) });
    } finally {
      setBusy(false);
      await refresh();
    }
  }

  async function remove() {
    setConfirm(false);
    await removeDomain(id);
    setResult(null);
    await refresh();
  }

  const current = page.custom_domain;
  return (
    <Stack spacing={2} sx={{ maxWidth: 900 }}>
      <Box><Link component={RouterLink} to={`/landing-pages/${id}`} data-testid="domain-back">{t('landing.back')}</Link></Box>
      <Box>
        <Typography variant="h5" component="h1">{t('landing.domain')}</Typography>
        <Typography color="text.secondary" sx={{ overflowWrap: 'anywhere' }} data-testid="domain-page-host">{t('landing.domainTitle', { host })}</Typography>
      </Box>
      <Typography>{t('landing.domainHint')}</Typography>

      <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="dom-current">
        <Typography variant="h6" component="h2" id="dom-current">{t('landing.current')}</Typography>
        {current ? (
          <Stack spacing={1} sx={{ mt: 1 }}>
            <Typography sx={{ overflowWrap: 'anywhere' }} data-testid="custom-domain">{current}</Typography>
            <Typography data-testid="tls-state">
              <strong>{t('landing.tls')}:</strong> {page.ssl_enabled ? t('landing.tlsOn') : t('landing.tlsOff')}
            </Typography>
            <Box><Button color="error" variant="outlined" onClick={() => setConfirm(true)} data-testid="domain-remove">{t('landing.removeDomain')}</Button></Box>
          </Stack>
        ) : (
          <Typography sx={{ mt: 1 }} data-testid="custom-domain-none">{t('landing.noDomain')}</Typography>
        )}
      </Paper>

      <Paper variant="outlined" sx={{ p: 2 }} component="form" onSubmit={(e: React.FormEvent) => void ask(e)} noValidate aria-labelledby="dom-ask">
        <Typography variant="h6" component="h2" id="dom-ask" sx={{ mb: 1.5 }}>{t('landing.domainInput')}</Typography>
        <Stack spacing={2}>
          {err && <Alert severity="error" role="alert" data-testid="domain-error">{err}</Alert>}
          <TextField label={t('landing.domainInput')} placeholder="www.werkstatt-muster.de" value={domain} onChange={(e) => setDomainText(e.target.value)}
            slotProps={{ htmlInput: { 'data-testid': 'domain-input', maxLength: 253, spellCheck: false, autoCapitalize: 'none' } }} />
          <FormControl>
            <FormLabel id="dom-method">{t('landing.method')}</FormLabel>
            <RadioGroup aria-labelledby="dom-method" value={m} onChange={(e) => setMethod(e.target.value as VerifyMethod)}>
              {METHODS.map((x) => (
                <FormControlLabel key={x} value={x} control={<Radio slotProps={{ input: { 'data-testid': `method-${x}` } as object }} />} label={t(`landing.methods.${x}`)} />
              ))}
            </RadioGroup>
          </FormControl>
          <Box><Button type="submit" variant="contained" disabled={busy || !domain.trim()} data-testid="domain-submit">{t('landing.domainAsk')}</Button></Box>
        </Stack>
      </Paper>

      {v && v.status !== 'verified' && (
        <Paper variant="outlined" sx={{ p: 2 }} component="section" aria-labelledby="dom-verify">
          <Stack direction="row" spacing={1} sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 1.5 }}>
            <Typography variant="h6" component="h2" id="dom-verify" sx={{ overflowWrap: 'anywhere' }}>{v.domain}</Typography>
            <Chip size="small" label={t(`landing.statuses.${v.status}`)} color={v.status === 'expired' ? 'warning' : 'default'} data-testid="verification-status" />
          </Stack>
          <Instructions v={v} method={m} />
          {v.expires_at && <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>{t('landing.tokenExpires', { date: formatDate(v.expires_at, i18n.language) })}</Typography>}
          <Box sx={{ mt: 2 }}>
            <Button variant="contained" onClick={() => void check()} disabled={busy} data-testid="verify-button">{busy ? t('landing.verifying') : t('landing.verify')}</Button>
          </Box>
        </Paper>
      )}
      {result && (
        <Alert severity={result.ok ? 'success' : 'error'} role={result.ok ? 'status' : 'alert'} data-testid={result.ok ? 'verify-success' : 'verify-error'}>
          {result.text}
        </Alert>
      )}
      <ConfirmDialog
        open={confirm}
        title={t('landing.removeDomain')}
        text={t('landing.confirmRemove', { domain: current ?? '', host })}
        confirmLabel={t('landing.removeDomain')}
        danger
        onClose={() => setConfirm(false)}
        onConfirm={() => void remove()}
      />
    </Stack>
  );
}
