// Billing: the plan and its status, usage against its limits, the trial or
// grace countdown, plans to change to (Stripe Checkout, or the local
// stand-in in test mode), the billing portal, invoices. A downgrade says
// first what it would switch off. Back from Checkout (?checkout=success)
// the screen polls the subscription until the webhook has landed.
import {
  Alert, Box, Button, Card, CardActions, CardContent, Chip, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle,
  Grid, LinearProgress, Link, List, ListItem, ListItemText, Paper, Stack, ToggleButton, ToggleButtonGroup, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation, useNavigate } from 'react-router-dom';
import {
  checkout, getInvoices, getPlans, getSubscription, landingPages, portal, type Interval, type Plan, type Subscription,
} from '../api/account';
import { ApiError } from '../api/client';
import { allKeys } from '../api/keys';
import { ErrorState, Loading } from '../components/States';
import { countdown, direction, downgradeEffects, money, priceOf, usage, type Effects } from '../lib/billing';

const PENDING = 'carbot.checkout.plan';

function useDate() {
  const { i18n } = useTranslation();
  return (iso: string) => new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium' }).format(new Date(iso));
}

function billingError(e: unknown, t: (k: string) => string): string {
  if (e instanceof ApiError) {
    const k = `billing.errors.${e.code}`;
    const s = t(k);
    return s === k ? `${t('common.error')} ${e.message}` : s;
  }
  return t('common.error');
}

function Section({ title, children, testid }: { title: string; children: React.ReactNode; testid?: string }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 } }} component="section" aria-label={title} data-testid={testid}>
      <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 1.5 }}>{title}</Typography>
      {children}
    </Paper>
  );
}

async function loadUsage() {
  const [keys, pages] = await Promise.all([allKeys().catch(() => []), landingPages().catch(() => null)]);
  return { keys, pages };
}

function Current({ sub, plan, testMode }: { sub: Subscription; plan: Plan | undefined; testMode: boolean }) {
  const { t } = useTranslation();
  const date = useDate();
  const c = countdown(sub, new Date());
  return (
    <Section title={t('billing.current')} testid="billing-current">
      <Stack direction="row" spacing={1} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap', mb: 1 }}>
        <Typography variant="h3" component="p" sx={{ fontSize: 26, fontWeight: 700 }} data-testid="current-plan" data-plan={sub.plan}>
          {plan?.name ?? sub.plan}
        </Typography>
        <Chip label={t(`billing.status.${sub.status}`, { defaultValue: sub.status })} color={sub.status === 'active' ? 'success' : sub.status === 'past_due' ? 'error' : 'default'} data-testid="current-status" />
        {testMode && <Chip label={t('billing.testMode')} variant="outlined" sx={{ color: '#8a4b00', borderColor: '#8a4b00' }} data-testid="test-mode" />}
      </Stack>
      {sub.interval && <Typography>{t(`billing.per.${sub.interval}`)}{sub.current_period_end ? ' · ' + t('billing.renews', { date: date(sub.current_period_end) }) : ''}</Typography>}
      {c?.kind === 'trial' && (
        <Alert severity="info" sx={{ mt: 1.5 }} data-testid="trial-countdown">{t('billing.trialLeft', { count: c.days, date: date(c.end) })}</Alert>
      )}
      {c?.kind === 'grace' && (
        <Alert severity="error" sx={{ mt: 1.5 }} data-testid="grace-countdown">{t('billing.graceLeft', { count: c.days, date: date(c.end) })}</Alert>
      )}
      {c?.kind === 'ends' && (
        <Alert severity="warning" sx={{ mt: 1.5 }} data-testid="ends-countdown">{t('billing.endsLeft', { count: c.days, date: date(c.end) })}</Alert>
      )}
      {sub.switched_off.length > 0 && (
        <Alert severity="warning" sx={{ mt: 1.5 }} data-testid="switched-off">
          {t('billing.switchedOff', {
            keys: sub.switched_off.filter((x) => x.kind === 'client_key').length,
            pages: sub.switched_off.filter((x) => x.kind !== 'client_key').length,
          })}
        </Alert>
      )}
    </Section>
  );
}

function Usage({ plan, keys, pages }: { plan: Plan; keys: Awaited<ReturnType<typeof loadUsage>>['keys']; pages: Awaited<ReturnType<typeof loadUsage>>['pages'] }) {
  const { t } = useTranslation();
  const rows = usage(plan.limits, keys, pages);
  return (
    <Section title={t('billing.usage')} testid="billing-usage">
      <Stack spacing={2}>
        {rows.map((r) => (
          <Box key={r.what} data-testid={`usage-${r.what}`} data-used={r.used} data-limit={r.limit ?? 'unlimited'}>
            <Stack direction="row" sx={{ justifyContent: 'space-between', gap: 1, flexWrap: 'wrap' }}>
              <Typography id={`usage-${r.what}-label`}>{t(`billing.limits.${r.what}`)}</Typography>
              <Typography sx={{ fontWeight: 600 }} data-testid={`usage-${r.what}-text`}>
                {r.limit === null ? t('billing.ofUnlimited', { used: r.used }) : t('billing.of', { used: r.used, limit: r.limit })}
              </Typography>
            </Stack>
            {r.percent !== null && (
              <LinearProgress variant="determinate" value={r.percent} color={r.over ? 'error' : r.percent >= 80 ? 'warning' : 'primary'}
                aria-labelledby={`usage-${r.what}-label`} sx={{ height: 8, borderRadius: 4, mt: 0.5 }} />
            )}
            {r.what === 'conversations' && <Typography variant="body2" sx={{ color: 'text.secondary' }}>{t('billing.perKey')}</Typography>}
          </Box>
        ))}
      </Stack>
    </Section>
  );
}

function limitText(v: number | null, t: (k: string, o?: Record<string, unknown>) => string): string {
  return v === null ? t('billing.unlimited') : String(v);
}

function PlanCard({ plan, current, trialing, interval, onChoose, busy }: { plan: Plan; current: string; trialing: boolean; interval: Interval; onChoose: (p: Plan) => void; busy: boolean }) {
  const { t, i18n } = useTranslation();
  const amount = priceOf(plan, interval);
  const dir = direction(current, plan.id);
  const isCurrent = dir === 0;
  // a trial is the plan without a subscription: buying it keeps it
  const keep = isCurrent && trialing && plan.purchase === 'checkout';
  return (
    <Card variant="outlined" sx={{ height: '100%', display: 'flex', flexDirection: 'column', borderColor: isCurrent ? 'primary.main' : undefined, borderWidth: isCurrent ? 2 : 1 }} data-testid={`plan-${plan.id}`}>
      <CardContent sx={{ flexGrow: 1 }}>
        <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', gap: 1 }}>
          <Typography variant="h3" sx={{ fontSize: 20, fontWeight: 700 }}>{plan.name}</Typography>
          {isCurrent && <Chip size="small" color="primary" label={t('billing.yourPlan')} />}
        </Stack>
        <Typography sx={{ fontSize: 22, fontWeight: 600, my: 1 }}>
          {plan.purchase === 'contact' ? t('billing.onRequest') : amount === null || amount === 0 ? t('billing.free') : `${money(amount, plan.prices[0]?.currency ?? 'EUR', i18n.language)} ${t(`billing.per.${interval}`)}`}
        </Typography>
        <List dense disablePadding>
          {(['client_keys', 'landing_pages', 'conversations', 'custom_domains'] as const).map((k) => (
            <ListItem key={k} disableGutters data-testid={`plan-${plan.id}-${k}`}>
              <ListItemText primary={`${t(`billing.limits.${k}`)}: ${limitText(plan.limits[k], t)}`} />
            </ListItem>
          ))}
        </List>
      </CardContent>
      <CardActions sx={{ p: 2, pt: 0 }}>
        {keep ? (
          <Button variant="contained" disabled={busy} onClick={() => onChoose(plan)} data-testid={`choose-${plan.id}`}>{t('billing.keep', { plan: plan.name })}</Button>
        ) : isCurrent ? null : plan.purchase === 'contact' ? (
          <Button variant="outlined" href={plan.contact_url} data-testid={`contact-${plan.id}`}>{t('billing.contact')}</Button>
        ) : (
          <Button variant={dir > 0 ? 'contained' : 'outlined'} disabled={busy} onClick={() => onChoose(plan)} data-testid={`choose-${plan.id}`}>
            {dir > 0 ? t('billing.upgrade', { plan: plan.name }) : t('billing.downgrade', { plan: plan.name })}
          </Button>
        )}
      </CardActions>
    </Card>
  );
}

function EffectsDialog({ plan, effects, onConfirm, onClose, busy }: { plan: Plan | null; effects: Effects; onConfirm: () => void; onClose: () => void; busy: boolean }) {
  const { t } = useTranslation();
  const nothing = effects.keys.length === 0 && effects.pages.length === 0;
  return (
    <Dialog open={!!plan} onClose={onClose} aria-labelledby="downgrade-title" data-testid="downgrade-dialog">
      <DialogTitle id="downgrade-title">{t('billing.downgradeTitle', { plan: plan?.name ?? '' })}</DialogTitle>
      <DialogContent>
        {nothing ? (
          <DialogContentText data-testid="downgrade-nothing">{t('billing.downgradeNothing')}</DialogContentText>
        ) : (
          <>
            <DialogContentText>{t('billing.downgradeIntro')}</DialogContentText>
            {effects.keys.length > 0 && (
              <>
                <Typography sx={{ mt: 1.5, fontWeight: 600 }}>{t('billing.keysOff', { count: effects.keys.length })}</Typography>
                <List dense data-testid="downgrade-keys">
                  {effects.keys.map((k) => <ListItem key={k.id} disableGutters><ListItemText primary={k.domain} secondary={k.environment === 'test' ? t('keys.test') : undefined} /></ListItem>)}
                </List>
              </>
            )}
            {effects.pages.length > 0 && (
              <>
                <Typography sx={{ mt: 1.5, fontWeight: 600 }}>{t('billing.pagesOff', { count: effects.pages.length })}</Typography>
                <List dense data-testid="downgrade-pages">
                  {effects.pages.map((p) => <ListItem key={p.id} disableGutters><ListItemText primary={p.subdomain} /></ListItem>)}
                </List>
              </>
            )}
            <DialogContentText sx={{ mt: 1 }}>{t('billing.downgradeKept')}</DialogContentText>
          </>
        )}
        {plan?.purchase === 'free' && <DialogContentText sx={{ mt: 1 }}>{t('billing.downgradePortal')}</DialogContentText>}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus data-testid="downgrade-cancel">{t('common.cancel')}</Button>
        <Button onClick={onConfirm} color="error" variant="contained" disabled={busy} data-testid="downgrade-confirm">
          {t('billing.downgrade', { plan: plan?.name ?? '' })}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function Invoices() {
  const { t, i18n } = useTranslation();
  const date = useDate();
  const q = useQuery({ queryKey: ['billing', 'invoices'], queryFn: getInvoices });
  return (
    <Section title={t('billing.invoices')} testid="billing-invoices">
      {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.length === 0 ? (
        <Typography data-testid="invoices-empty">{t('billing.noInvoices')}</Typography>
      ) : (
        <List disablePadding>
          {q.data.map((inv) => (
            <ListItem key={inv.id} disableGutters divider data-testid="invoice-row" sx={{ flexWrap: 'wrap', gap: 1 }}>
              <ListItemText
                primary={`${inv.number ?? inv.id} · ${money(inv.amount, inv.currency, i18n.language)}`}
                secondary={`${inv.date ? `${date(inv.date)} · ` : ''}${t(`billing.invoiceStatus.${inv.status ?? 'draft'}`, { defaultValue: inv.status ?? '' })}`}
              />
              {inv.hosted_url && <Link href={inv.hosted_url} target="_blank" rel="noopener" data-testid="invoice-link">{t('billing.viewInvoice', { number: inv.number ?? '' })}</Link>}
            </ListItem>
          ))}
        </List>
      )}
    </Section>
  );
}

export function Billing() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const loc = useLocation();
  const nav = useNavigate();
  const plans = useQuery({ queryKey: ['billing', 'plans'], queryFn: getPlans });
  // changed outside the dashboard (webhooks, the portal): asked anew on every visit
  const sub = useQuery({ queryKey: ['billing', 'subscription'], queryFn: getSubscription, staleTime: 0 });
  const use = useQuery({ queryKey: ['billing', 'usage'], queryFn: loadUsage });
  const [interval, setInterval_] = useState<Interval>('month');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [down, setDown] = useState<Plan | null>(null);
  // back from Checkout: 'waiting' until the webhook made the plan the one bought
  const [back, setBack] = useState<{ state: 'waiting' | 'done' | 'slow' | 'declined'; plan?: string } | null>(null);
  const handled = useRef(false);

  useEffect(() => {
    if (handled.current) return;
    const r = new URLSearchParams(loc.search).get('checkout');
    if (!r) return;
    handled.current = true;
    let want: string | null = null;
    try {
      want = sessionStorage.getItem(PENDING);
      sessionStorage.removeItem(PENDING);
    } catch {
      /* private mode */
    }
    nav('/billing', { replace: true });
    if (r !== 'success') {
      setBack({ state: 'declined' });
      return;
    }
    setBack({ state: 'waiting', plan: want ?? undefined });
    let stop = false;
    void (async () => {
      for (let i = 0; i < 40 && !stop; i++) {
        const s = await getSubscription().catch(() => null);
        if (s && (want ? s.plan === want : true) && s.status === 'active') {
          qc.setQueryData(['billing', 'subscription'], s);
          void qc.invalidateQueries({ queryKey: ['billing'] });
          setBack({ state: 'done', plan: s.plan });
          return;
        }
        await new Promise((ok) => setTimeout(ok, 750));
      }
      if (!stop) setBack({ state: 'slow' });
    })();
    return () => {
      stop = true;
    };
  }, [loc.search, nav, qc]);

  if (plans.isPending || sub.isPending) return <Loading />;
  if (plans.isError) return <ErrorState error={plans.error} onRetry={() => void plans.refetch()} />;
  if (sub.isError) return <ErrorState error={sub.error} onRetry={() => void sub.refetch()} />;
  const s = sub.data;
  const current = plans.data.plans.find((p) => p.id === s.plan);
  const testMode = plans.data.test_mode || s.test_mode;
  const effects: Effects = down && use.data ? downgradeEffects(down.limits, use.data.keys, use.data.pages) : { keys: [], pages: [] };

  const go = async (p: Plan) => {
    setErr(null);
    setBusy(true);
    try {
      if (p.purchase === 'free') {
        // basic is no purchase: the subscription is ended in the portal
        window.location.assign((await portal()).url);
        return;
      }
      const r = await checkout(p.id, interval);
      if ('changed' in r) {
        setDown(null);
        setBack({ state: 'done', plan: r.plan });
        await qc.invalidateQueries({ queryKey: ['billing'] });
        setBusy(false);
        return;
      }
      try {
        sessionStorage.setItem(PENDING, p.id);
      } catch {
        /* private mode: the poll then takes any active plan */
      }
      window.location.assign(r.url);
    } catch (e) {
      setDown(null);
      setErr(billingError(e, t));
      setBusy(false);
    }
  };
  const choose = (p: Plan) => (direction(s.plan, p.id) < 0 ? setDown(p) : void go(p));
  const manage = async () => {
    setErr(null);
    setBusy(true);
    try {
      window.location.assign((await portal()).url);
    } catch (e) {
      setErr(billingError(e, t));
      setBusy(false);
    }
  };
  const boughtName = plans.data.plans.find((p) => p.id === back?.plan)?.name ?? back?.plan ?? '';

  return (
    <Stack spacing={2.5}>
      <Stack direction="row" sx={{ alignItems: 'center', justifyContent: 'space-between', gap: 1, flexWrap: 'wrap' }}>
        <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('billing.title')}</Typography>
        <Button variant="outlined" onClick={() => void manage()} disabled={busy} data-testid="billing-portal">{t('billing.manage')}</Button>
      </Stack>
      {testMode && <Alert severity="warning" data-testid="test-mode-banner">{t('billing.testModeHint')}</Alert>}
      {back?.state === 'waiting' && <Alert severity="info" role="status" data-testid="checkout-waiting">{t('billing.waiting')}</Alert>}
      {back?.state === 'done' && <Alert severity="success" role="status" data-testid="checkout-success">{t('billing.nowOn', { plan: boughtName })}</Alert>}
      {back?.state === 'slow' && <Alert severity="warning" role="status" data-testid="checkout-slow">{t('billing.slow')}</Alert>}
      {back?.state === 'declined' && <Alert severity="error" role="alert" data-testid="checkout-error">{t('billing.declined')}</Alert>}
      {err && <Alert severity="error" role="alert" data-testid="billing-error">{err}</Alert>}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 6 }}><Current sub={s} plan={current} testMode={testMode} /></Grid>
        <Grid size={{ xs: 12, md: 6 }}>
          {current && use.data ? <Usage plan={current} keys={use.data.keys} pages={use.data.pages} /> : use.isError ? <ErrorState error={use.error} /> : <Loading />}
        </Grid>
      </Grid>
      <Section title={t('billing.plans')} testid="billing-plans">
        <ToggleButtonGroup exclusive size="small" value={interval} onChange={(_, v: Interval | null) => v && setInterval_(v)} aria-label={t('billing.interval')} sx={{ mb: 2 }}>
          <ToggleButton value="month" data-testid="interval-month">{t('billing.monthly')}</ToggleButton>
          <ToggleButton value="year" data-testid="interval-year">{t('billing.yearly')}</ToggleButton>
        </ToggleButtonGroup>
        <Grid container spacing={2}>
          {plans.data.plans.map((p) => (
            <Grid key={p.id} size={{ xs: 12, md: 4 }}>
              <PlanCard plan={p} current={s.plan} trialing={s.status === 'trialing'} interval={interval} onChoose={choose} busy={busy} />
            </Grid>
          ))}
        </Grid>
        {testMode && <Typography variant="body2" sx={{ mt: 1.5, color: 'text.secondary' }}>{t('billing.testModeCheckout')}</Typography>}
      </Section>
      <Invoices />
      <EffectsDialog plan={down} effects={effects} busy={busy} onClose={() => setDown(null)} onConfirm={() => down && void go(down)} />
    </Stack>
  );
}
