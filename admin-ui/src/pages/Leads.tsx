import { Alert, Button, Card, CardActions, CardContent, Chip, Grid, MenuItem, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { LEAD_STATUSES, listLeads, setLeadStatus, type Lead, type LeadStatus } from '../api/chat';
import { Empty, ErrorState, Loading, Pager } from '../components/States';
import { formatDate } from '../lib/snippet';

/** tel: or mailto: for a lead's contact, or null. */
export function contactHref(contact: string | null): string | null {
  if (!contact) return null;
  const c = contact.trim();
  if (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c)) return 'mailto:' + c;
  const digits = c.replace(/[^\d+]/g, '');
  if (/^\+?\d{6,20}$/.test(digits)) return 'tel:' + digits;
  return null;
}

const DAY_WORDS = ['today', 'tomorrow', 'day_after_tomorrow', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];

/** The stored preferred day ("thursday", "tomorrow", "2026-08-14") in the owner's language. */
export function dayText(day: string | null, t: (k: string) => string, lang: string): string | null {
  if (!day) return null;
  const w = day.replace(/ /g, '_');
  if (DAY_WORDS.includes(w)) return t(`leads.days.${w}`);
  if (/^\d{4}-\d{2}-\d{2}$/.test(day)) return new Date(day + 'T12:00:00Z').toLocaleDateString(lang === 'en' ? 'en-GB' : 'de-DE', { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' });
  return day;
}

function LeadCard({ l }: { l: Lead }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const m = useMutation({
    mutationFn: (s: LeadStatus) => setLeadStatus(l.id, s),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['leads'] }),
  });
  const href = contactHref(l.contact);
  const rows: [string, string | null][] = [
    [t('leads.contact'), l.contact], [t('leads.vehicle'), l.vehicle], [t('leads.service'), l.service], [t('leads.day'), dayText(l.preferred_day, t, i18n.language)],
  ];
  return (
    <Card variant="outlined" sx={{ height: '100%' }} data-testid="lead-row" data-status={l.status}>
      <CardContent>
        <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start', justifyContent: 'space-between' }}>
          <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, overflowWrap: 'anywhere' }}>{l.name ?? t('common.none')}</Typography>
          <Chip size="small" label={t(`leads.kinds.${l.kind}`, { defaultValue: l.kind })} />
        </Stack>
        <Typography variant="body2" sx={{ color: 'text.secondary', mb: 1 }}>{t('leads.created')}: {formatDate(l.created_at, i18n.language)}</Typography>
        <Stack component="dl" sx={{ m: 0 }} spacing={0.25}>
          {rows.filter(([, v]) => v).map(([k, v]) => (
            <Typography key={k} variant="body2" component="div"><Typography component="dt" variant="body2" sx={{ display: 'inline', fontWeight: 600 }}>{k}: </Typography><Typography component="dd" variant="body2" sx={{ display: 'inline', m: 0, overflowWrap: 'anywhere' }}>{v}</Typography></Typography>
          ))}
        </Stack>
        {m.isError && <Alert severity="error" role="alert" sx={{ mt: 1 }}>{m.error instanceof Error ? m.error.message : t('common.error')}</Alert>}
      </CardContent>
      <CardActions sx={{ flexWrap: 'wrap', gap: 1 }}>
        {href && (
          <Button variant="contained" size="small" href={href} data-testid="lead-contact">{href.startsWith('tel:') ? t('leads.call') : t('leads.mail')}</Button>
        )}
        <TextField
          select size="small" label={t('leads.status')} value={l.status} disabled={m.isPending}
          onChange={(e) => m.mutate(e.target.value as LeadStatus)} sx={{ minWidth: 150 }}
          slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'lead-status-select' } as object } }}
        >
          {LEAD_STATUSES.map((s) => <MenuItem key={s} value={s} data-testid={`lead-status-${s}`}>{t(`leads.statuses.${s}`)}</MenuItem>)}
        </TextField>
      </CardActions>
    </Card>
  );
}

export function Leads() {
  const { t } = useTranslation();
  const [status, setStatus] = useState<LeadStatus | 'all'>('all');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const q = useQuery({
    queryKey: ['leads', status, cursor],
    queryFn: () => listLeads({ status: status === 'all' ? undefined : status }, cursor, 20),
  });
  return (
    <Stack spacing={2}>
      <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('leads.title')}</Typography>
      <ToggleButtonGroup
        value={status} exclusive size="small" aria-label={t('leads.status')}
        onChange={(_, v: LeadStatus | 'all' | null) => { if (v) { setStatus(v); setCursors([undefined]); } }}
        sx={{ flexWrap: 'wrap', '& .MuiToggleButton-root': { color: 'text.primary' }, '& .MuiToggleButton-root.Mui-selected': { color: 'primary.dark', fontWeight: 700 } }}
      >
        <ToggleButton value="all" data-testid="leads-filter-all">{t('common.all')}</ToggleButton>
        {LEAD_STATUSES.map((s) => <ToggleButton key={s} value={s} data-testid={`leads-filter-${s}`}>{t(`leads.statuses.${s}`)}</ToggleButton>)}
      </ToggleButtonGroup>
      {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.leads.length === 0 ? (
        <Empty>{t('leads.empty')}</Empty>
      ) : (
        <Grid container spacing={2} data-testid="lead-list">
          {q.data.leads.map((l) => <Grid key={l.id} size={{ xs: 12, md: 6, lg: 4 }}><LeadCard l={l} /></Grid>)}
        </Grid>
      )}
      <Pager page={cursors.length} hasPrev={cursors.length > 1} hasNext={!!q.data?.next_cursor}
        onPrev={() => setCursors(cursors.slice(0, -1))} onNext={() => q.data?.next_cursor && setCursors([...cursors, q.data.next_cursor])} />
    </Stack>
  );
}
