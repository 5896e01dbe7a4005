import { Alert, Box, Button, Card, CardContent, Chip, Grid, LinearProgress, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { keyAnalytics, listConversations, listLeads, type Conversation } from '../api/chat';
import { allKeys } from '../api/keys';
import { get } from '../api/client';
import { normalise, type KnowledgeBase } from '../api/knowledge';
import { Empty, ErrorState, Loading } from '../components/States';
import { openNow, perDay, sumHourly, topIntents } from '../lib/overview';

async function loadOverview() {
  const keys = (await allKeys()).filter((k) => k.status !== 'revoked');
  const from = new Date(Date.now() - 14 * 86400000).toISOString().slice(0, 10);
  const [analytics, convs, leads, kb] = await Promise.all([
    Promise.all(keys.map((k) => keyAnalytics(k.id))),
    (async () => {
      const out: Conversation[] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 5; i++) {
        const p = await listConversations({ from }, cursor, 100);
        out.push(...p.conversations);
        if (!p.next_cursor) break;
        cursor = p.next_cursor;
      }
      return out;
    })(),
    listLeads({ status: 'new' }, undefined, 100),
    get<KnowledgeBase>('/api/v1/knowledge').then(normalise, () => null),
  ]);
  return { keys, analytics, convs, leads: leads.leads, kb };
}

function Stat({ label, value, testid }: { label: string; value: React.ReactNode; testid: string }) {
  return (
    <Card variant="outlined" sx={{ height: '100%' }}>
      <CardContent>
        <Typography variant="body2" sx={{ color: 'text.secondary' }}>{label}</Typography>
        <Typography variant="h4" component="p" data-testid={testid}>{value}</Typography>
      </CardContent>
    </Card>
  );
}

export function Overview() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ['overview'], queryFn: loadOverview });
  if (q.isPending) return <Loading />;
  if (q.isError) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const { keys, analytics, convs, leads, kb } = q.data;
  const now = new Date();
  const open = openNow(kb?.hours ?? null, now);
  const hourly = sumHourly(analytics).map((h) => ({ ...h, label: h.hour.slice(11, 13) }));
  const daily = perDay(convs, now).map((d) => ({ ...d, label: d.day.slice(8, 10) + '.' + d.day.slice(5, 7) + '.' }));
  const intents = topIntents(analytics);
  const cur = analytics.reduce((a, x) => ({
    conversations: a.conversations + x.usage_stats.current_period.conversations,
    unique_users: a.unique_users + x.usage_stats.current_period.unique_users,
  }), { conversations: 0, unique_users: 0 });
  const nf = new Intl.NumberFormat(i18n.language);
  return (
    <Stack spacing={3}>
      <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('overview.title')}</Typography>
        <Chip
          data-testid="open-now"
          color={open === null ? 'default' : open ? 'success' : 'warning'}
          label={open === null ? t('overview.hoursUnknown') : open ? t('overview.openNow') : t('overview.closedNow')}
        />
      </Stack>
      {keys.length === 0 && (
        <Empty action={<Button variant="contained" component={RouterLink} to="/keys">{t('overview.toKeys')}</Button>}>{t('overview.noKeys')}</Empty>
      )}
      <Grid container spacing={2}>
        <Grid size={{ xs: 6, md: 3 }}><Stat label={t('overview.conversations')} value={nf.format(cur.conversations)} testid="stat-conversations" /></Grid>
        <Grid size={{ xs: 6, md: 3 }}><Stat label={t('overview.visitors')} value={nf.format(cur.unique_users)} testid="stat-visitors" /></Grid>
        <Grid size={{ xs: 6, md: 3 }}><Stat label={t('overview.newLeads')} value={nf.format(leads.length)} testid="stat-leads" /></Grid>
        <Grid size={{ xs: 6, md: 3 }}><Stat label={t('nav.keys')} value={nf.format(keys.length)} testid="stat-keys" /></Grid>
      </Grid>
      {keys.length > 0 && (
        <Card variant="outlined">
          <CardContent>
            <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 2 }}>{t('overview.usage')}</Typography>
            <Stack spacing={2}>
              {keys.map((k) => (
                <Box key={k.id} data-testid="usage-row">
                  <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{k.domain} · {k.environment === 'test' ? t('keys.test') : t('keys.prod')}</Typography>
                  {(['conversations', 'messages'] as const).map((kind) => {
                    const u = k.usage[kind];
                    const limit = u.limit ?? -1; // null: unlimited
                    const pct = limit > 0 ? Math.min(100, (u.used / limit) * 100) : 0;
                    return (
                      <Box key={kind} sx={{ mt: 0.5 }}>
                        <Typography variant="body2">
                          {t(`overview.${kind}`)}: {limit < 0 ? t('overview.unlimited', { used: nf.format(u.used) }) : t('overview.limit', { used: nf.format(u.used), limit: nf.format(limit) })}
                        </Typography>
                        {limit > 0 && <LinearProgress variant="determinate" value={pct} color={pct > 90 ? 'error' : 'primary'} aria-label={`${k.domain} ${t(`overview.${kind}`)}`} />}
                      </Box>
                    );
                  })}
                </Box>
              ))}
            </Stack>
          </CardContent>
        </Card>
      )}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 6 }}>
          <Card variant="outlined"><CardContent>
            <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 1 }}>{t('overview.perDay')}</Typography>
            <Box sx={{ height: 220 }} data-testid="chart-daily" role="img" aria-label={t('overview.perDay')}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={daily}><CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="label" fontSize={11} /><YAxis allowDecimals={false} width={28} fontSize={11} /><Tooltip /><Bar dataKey="conversations" name={t('overview.conversations')} fill="#0b5cad" /></BarChart>
              </ResponsiveContainer>
            </Box>
          </CardContent></Card>
        </Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          <Card variant="outlined"><CardContent>
            <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 1 }}>{t('overview.perHour')}</Typography>
            <Box sx={{ height: 220 }} data-testid="chart-hourly" role="img" aria-label={t('overview.perHour')}>
              <ResponsiveContainer width="100%" height="100%">
                <BarChart data={hourly}><CartesianGrid strokeDasharray="3 3" /><XAxis dataKey="label" fontSize={11} /><YAxis allowDecimals={false} width={28} fontSize={11} /><Tooltip /><Bar dataKey="conversations" name={t('overview.conversations')} fill="#2e7d32" /></BarChart>
              </ResponsiveContainer>
            </Box>
          </CardContent></Card>
        </Grid>
      </Grid>
      <Card variant="outlined"><CardContent>
        <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 1 }}>{t('overview.topIntents')}</Typography>
        {intents.length === 0 ? <Alert severity="info">{t('overview.noData')}</Alert> : (
          <Stack direction="row" spacing={1} useFlexGap data-testid="top-intents" sx={{ flexWrap: 'wrap' }}>
            {intents.map((x) => <Chip key={x.intent} label={`${t(`intents.${x.intent}`, { defaultValue: x.intent })} · ${x.count}`} />)}
          </Stack>
        )}
      </CardContent></Card>
    </Stack>
  );
}
