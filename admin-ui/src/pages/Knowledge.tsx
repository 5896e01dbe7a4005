import {
  Alert, Box, Button, Card, CardContent, Grid, IconButton, List, ListItem, ListItemText, MenuItem, Paper, Snackbar, Stack, TextField, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';
import { allKeys } from '../api/keys';
import { normalise, openKnowledge, type FallbackTurn, type KnowledgeBase, type KnowledgeStore, type PriceKind, type Service } from '../api/knowledge';
import { previewState } from '../api/preview';
import { HoursEditor } from '../components/HoursEditor';
import { ErrorState, Loading } from '../components/States';
import { validateHours } from '../lib/hours';

const X = (
  <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z" /></svg>
);

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <Card variant="outlined" component="section">
      <CardContent>
        <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600, mb: 1.5 }}>{title}</Typography>
        {children}
      </CardContent>
    </Card>
  );
}

function Services({ value, onChange }: { value: Service[]; onChange: (s: Service[]) => void }) {
  const { t } = useTranslation();
  const set = (i: number, p: Partial<Service>) => onChange(value.map((s, j) => (j === i ? { ...s, ...p } : s)));
  return (
    <Stack spacing={1.5} data-testid="services-editor">
      {value.map((s, i) => (
        <Paper key={i} variant="outlined" sx={{ p: 1.5 }} data-testid="service-row">
          <Stack direction="row" spacing={1} useFlexGap sx={{ flexWrap: 'wrap', '& > .MuiTextField-root': { flex: '1 1 140px' } }}>
            <TextField size="small" label={t('knowledge.service')} value={s.name} onChange={(e) => set(i, { name: e.target.value })}
              slotProps={{ htmlInput: { maxLength: 200, 'data-testid': `service-${i}-name` } }} sx={{ '&&': { flex: '2 1 220px' } }} />
            <TextField select size="small" label={t('knowledge.priceKind')} value={s.price_kind}
              onChange={(e) => { const k = e.target.value as PriceKind; set(i, k === 'on_request' ? { price_kind: k, price: undefined } : { price_kind: k, price: s.price ?? 0 }); }}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': `service-${i}-kind` } as object } }}>
              <MenuItem value="fixed">{t('knowledge.fixed')}</MenuItem>
              <MenuItem value="from">{t('knowledge.from')}</MenuItem>
              <MenuItem value="on_request">{t('knowledge.onRequest')}</MenuItem>
            </TextField>
            {s.price_kind !== 'on_request' && (
              <TextField size="small" type="number" label={t('knowledge.price')} value={s.price ?? ''}
                onChange={(e) => set(i, { price: e.target.value === '' ? undefined : Number(e.target.value) })}
                error={s.price === undefined || Number.isNaN(s.price) || s.price < 0} sx={{ '&&': { flex: '0 1 120px' } }}
                slotProps={{ htmlInput: { min: 0, max: 1000000, step: 0.01, 'data-testid': `service-${i}-price` } }} />
            )}
            <TextField size="small" label={t('knowledge.note')} value={s.note ?? ''} onChange={(e) => set(i, { note: e.target.value || undefined })}
              slotProps={{ htmlInput: { maxLength: 300 } }} sx={{ '&&': { flex: '1 1 70%' } }} />
            <IconButton aria-label={`${t('common.remove')} ${s.name}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>{X}</IconButton>
          </Stack>
        </Paper>
      ))}
      <Box><Button onClick={() => onChange([...value, { name: '', price_kind: 'fixed', price: 0 }])} data-testid="service-add">{t('knowledge.addService')}</Button></Box>
    </Stack>
  );
}

function FaqEditor({ kb, onChange, lang }: { kb: KnowledgeBase; onChange: (kb: KnowledgeBase) => void; lang: 'de' | 'en' }) {
  const { t } = useTranslation();
  const set = (i: number, field: 'question' | 'answer', v: string) =>
    onChange({ ...kb, faq: kb.faq.map((f, j) => (j === i ? { ...f, [field]: { ...f[field], [lang]: v } } : f)) });
  return (
    <Stack spacing={1.5} data-testid="faq-editor">
      {kb.faq.map((f, i) => (
        <Paper key={i} variant="outlined" sx={{ p: 1.5 }} data-testid="faq-row">
          <Stack spacing={1}>
            <Stack direction="row" spacing={1}>
              <TextField size="small" fullWidth label={`${t('knowledge.question')} (${lang.toUpperCase()})`} value={f.question[lang] ?? ''}
                onChange={(e) => set(i, 'question', e.target.value)} slotProps={{ htmlInput: { maxLength: 300, 'data-testid': `faq-${i}-question` } }} />
              <IconButton aria-label={`${t('common.remove')} ${f.question[lang] ?? ''}`} onClick={() => onChange({ ...kb, faq: kb.faq.filter((_, j) => j !== i) })}>{X}</IconButton>
            </Stack>
            <TextField size="small" fullWidth multiline minRows={2} label={`${t('knowledge.answer')} (${lang.toUpperCase()})`} value={f.answer[lang] ?? ''}
              onChange={(e) => set(i, 'answer', e.target.value)} slotProps={{ htmlInput: { maxLength: 2000, 'data-testid': `faq-${i}-answer` } }} />
          </Stack>
        </Paper>
      ))}
      <Box><Button onClick={() => onChange({ ...kb, faq: [...kb.faq, { question: {}, answer: {} }] })} data-testid="faq-add">{t('knowledge.addFaq')}</Button></Box>
    </Stack>
  );
}

function Preview({ reloadTick }: { reloadTick: number }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const host = location.hostname;
  const lang = i18n.language.startsWith('en') ? 'en' : 'de';
  const [action, setAction] = useState<'look' | 'create' | 'rotate'>('look');
  const q = useQuery({ queryKey: ['preview-key', host, action], queryFn: () => previewState(host, action), retry: false });
  useEffect(() => {
    if (action !== 'look' && q.isSuccess) void qc.invalidateQueries({ queryKey: ['keys'] });
  }, [action, q.isSuccess, qc]);
  return (
    <Card variant="outlined" sx={{ position: { md: 'sticky' }, top: { md: 80 } }}>
      <CardContent>
        <Typography variant="h2" sx={{ fontSize: 18, fontWeight: 600 }}>{t('knowledge.preview')}</Typography>
        <Typography variant="body2" sx={{ mb: 1, color: 'text.secondary' }}>{t('knowledge.previewHint')}</Typography>
        {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : q.data.kind === 'none' ? (
          <Stack spacing={1}>
            <Alert severity="info">{t('knowledge.noPreviewKey', { host })}</Alert>
            <Button variant="contained" onClick={() => setAction('create')} data-testid="preview-key-create">{t('knowledge.createPreviewKey')}</Button>
          </Stack>
        ) : q.data.kind === 'unknown' ? (
          <Stack spacing={1}>
            <Alert severity="info">{t('knowledge.previewKeyHidden', { host })}</Alert>
            <Button variant="outlined" onClick={() => setAction('rotate')} data-testid="preview-key-rotate">{t('knowledge.rotatePreviewKey')}</Button>
          </Stack>
        ) : (
          <Box
            component="iframe"
            key={`${reloadTick}-${lang}`}
            title={t('knowledge.preview')}
            src={`/admin/preview.html#key=${encodeURIComponent(q.data.key)}&lang=${lang}&t=${reloadTick}`}
            data-testid="preview-iframe"
            sx={{ width: '100%', height: { xs: 560, md: 640 }, border: 1, borderColor: 'grey.300', borderRadius: 1 }}
          />
        )}
      </CardContent>
    </Card>
  );
}

export function Knowledge() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language.startsWith('en') ? 'en' : 'de';
  const [store, setStore] = useState<KnowledgeStore | null>(null);
  const [kb, setKb] = useState<KnowledgeBase | null>(null);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const faqRef = useRef<HTMLDivElement>(null);
  const init = useQuery({
    queryKey: ['knowledge-init'],
    queryFn: async () => {
      const keys = (await allKeys()).filter((k) => k.status !== 'revoked');
      const s = await openKnowledge(keys.map((k) => k.id));
      return { store: s, kb: await s.load(), keys };
    },
    staleTime: 0,
    gcTime: 0,
  });
  const fallbacks = useQuery({
    queryKey: ['fallbacks', store?.mode],
    queryFn: () => (store ? store.fallbacks() : Promise.resolve([] as FallbackTurn[])),
    enabled: store?.mode === 'business',
    staleTime: 0, // read afresh whenever the screen opens: a visitor may just have asked
  });
  useEffect(() => {
    if (init.data) {
      setStore(init.data.store);
      setKb(init.data.kb);
    }
  }, [init.data]);
  if (init.isPending || (init.isSuccess && !kb)) return <Loading />;
  if (init.isError) return <ErrorState error={init.error} onRetry={() => void init.refetch()} />;
  if (!kb || !store) return <Loading />;
  const hourErrors = validateHours(kb.hours);
  const badPrice = kb.services.some((s) => !s.name.trim() || (s.price_kind !== 'on_request' && (s.price === undefined || Number.isNaN(s.price) || s.price < 0)));

  async function save() {
    if (!kb || !store) return;
    setSaving(true);
    setErr(null);
    try {
      const out = await store.save(kb);
      setKb(normalise(out));
      setSaved(true);
      setTick((x) => x + 1);
    } catch (e) {
      if (e instanceof ApiError && e.code === 'version_conflict') setErr(t('knowledge.conflict'));
      else if (e instanceof ApiError && e.details.length) setErr(e.details.map((d) => `${d.field ?? ''}: ${d.message ?? d.issue ?? ''}`).join('; '));
      else setErr(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setSaving(false);
    }
  }

  function toFaq(f: FallbackTurn) {
    if (!kb) return;
    setKb({ ...kb, faq: [...kb.faq, { question: { [f.lang]: f.example.slice(0, 300) }, answer: {} }] });
    setTimeout(() => faqRef.current?.querySelector<HTMLElement>(`[data-testid="faq-${kb.faq.length}-answer"]`)?.focus(), 50);
  }

  return (
    <Stack spacing={2}>
      <Stack direction="row" useFlexGap spacing={1} sx={{ alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' }}>
        <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('knowledge.title')}</Typography>
        <Button variant="contained" onClick={() => void save()} disabled={saving || hourErrors.length > 0 || badPrice} data-testid="knowledge-save">{t('common.save')}</Button>
      </Stack>
      {store.mode === 'key' && <Alert severity="info" data-testid="knowledge-legacy">{t('knowledge.legacy', { domain: init.data?.keys.map((k) => k.domain).join(', ') ?? '' })}</Alert>}
      {err && <Alert severity="error" role="alert" data-testid="knowledge-error">{err}</Alert>}
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, md: 7 }}>
          <Stack spacing={2}>
            <Section title={t('knowledge.services')}><Services value={kb.services} onChange={(services) => setKb({ ...kb, services })} /></Section>
            <div ref={faqRef}><Section title={t('knowledge.faq')}><FaqEditor kb={kb} onChange={setKb} lang={lang} /></Section></div>
            {store.mode === 'business' && (
              <Section title={t('knowledge.unanswered')}>
                {fallbacks.isPending ? <Loading /> : fallbacks.isError ? <ErrorState error={fallbacks.error} /> : fallbacks.data.length === 0 ? (
                  <Typography>{t('knowledge.unansweredEmpty')}</Typography>
                ) : (
                  <List dense data-testid="fallback-list">
                    {fallbacks.data.map((f) => (
                      <ListItem key={f.text} secondaryAction={<Button size="small" onClick={() => toFaq(f)} data-testid="fallback-to-faq">{t('knowledge.toFaq')}</Button>}>
                        <ListItemText primary={f.example} secondary={t('knowledge.times', { count: f.count })} />
                      </ListItem>
                    ))}
                  </List>
                )}
              </Section>
            )}
            {store.mode === 'business' && (
              <>
                <Section title={t('knowledge.hours')}><HoursEditor value={kb.hours} onChange={(hours) => setKb({ ...kb, hours })} /></Section>
                <Section title={t('knowledge.greeting')}>
                  <Stack spacing={1.5}>
                    <TextField label={t('knowledge.greetingDe')} value={kb.greeting.de ?? ''} onChange={(e) => setKb({ ...kb, greeting: { ...kb.greeting, de: e.target.value } })} slotProps={{ htmlInput: { maxLength: 500 } }} />
                    <TextField label={t('knowledge.greetingEn')} value={kb.greeting.en ?? ''} onChange={(e) => setKb({ ...kb, greeting: { ...kb.greeting, en: e.target.value } })} slotProps={{ htmlInput: { maxLength: 500 } }} />
                    <TextField label={`${t('knowledge.quickReplies')} (${lang.toUpperCase()})`} value={(kb.quick_replies[lang] ?? []).join(', ')}
                      onChange={(e) => setKb({ ...kb, quick_replies: { ...kb.quick_replies, [lang]: e.target.value.split(',').map((x) => x.trim()).filter(Boolean).slice(0, 6) } })} />
                  </Stack>
                </Section>
              </>
            )}
          </Stack>
        </Grid>
        <Grid size={{ xs: 12, md: 5 }}><Preview reloadTick={tick} /></Grid>
      </Grid>
      <Snackbar open={saved} autoHideDuration={3000} onClose={() => setSaved(false)} message={t('common.saved')} />
    </Stack>
  );
}
