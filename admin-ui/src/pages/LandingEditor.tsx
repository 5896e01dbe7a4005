import {
  Alert, Box, Button, Link, MenuItem, Paper, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography,
} from '@mui/material';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink, useNavigate, useParams } from 'react-router-dom';
import { ApiError, get, send } from '../api/client';
import { normalise, type Hours, type KnowledgeBase } from '../api/knowledge';
import {
  checkSubdomain, createPage, getPage, listTemplates, patchPage, previewHtml, publishPage, unpublishPage, uploadAsset,
} from '../api/landing';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { HoursEditor } from '../components/HoursEditor';
import { ErrorState, Loading } from '../components/States';
import { validateHours } from '../lib/hours';
import {
  contrastWarnings, emptyForm, FONTS, formFromPage, hoursFromPage, imprintMissing, isHexColor, pageBody, ratioText,
  SCHEMA_TYPES, sameWeekly, subdomainProblem, suggestSubdomain, type LandingForm, type LandingPage,
} from '../lib/landing';
import { formatDate } from '../lib/snippet';
import { hostOf } from './LandingPages';
import { TemplateGallery } from './TemplateGallery';

const MAX_UPLOAD = 2 << 20;
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp'];

function Section({ title, children, id }: { title: string; children: ReactNode; id: string }) {
  return (
    <Paper variant="outlined" sx={{ p: { xs: 1.5, sm: 2 } }} component="section" aria-labelledby={id}>
      <Typography variant="h6" component="h2" id={id} sx={{ mb: 1.5 }}>{title}</Typography>
      <Stack spacing={2}>{children}</Stack>
    </Paper>
  );
}

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const h = setTimeout(() => setV(value), ms);
    return () => clearTimeout(h);
  }, [value, ms]);
  return v;
}

/** The business-wide knowledge base, or null when this server has none (hours then live on the page only). */
async function loadKnowledge(): Promise<KnowledgeBase | null> {
  try {
    return normalise(await get<KnowledgeBase>('/api/v1/knowledge'));
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405 || e.status === 403)) return null;
    throw e;
  }
}

function ColorField({ label, value, onChange, testid }: { label: string; value: string; onChange: (v: string) => void; testid: string }) {
  const { t } = useTranslation();
  const bad = !isHexColor(value);
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'flex-start' }}>
      <Box
        component="input"
        type="color"
        value={bad ? '#000000' : value.toLowerCase()}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.value)}
        aria-label={t('landing.pickColor', { name: label })}
        sx={{ width: 48, height: 40, p: 0, border: 1, borderColor: 'grey.500', borderRadius: 1, bgcolor: 'transparent', cursor: 'pointer', flexShrink: 0 }}
      />
      <TextField
        label={label} value={value} size="small" fullWidth error={bad} helperText={bad ? '#rrggbb' : ' '}
        onChange={(e) => onChange(e.target.value.trim())}
        slotProps={{ htmlInput: { 'data-testid': testid, maxLength: 7, spellCheck: false } }}
      />
    </Stack>
  );
}

type Upload = { file: File; dataUrl: string } | null;

function readDataUrl(f: File): Promise<string> {
  return new Promise((ok, no) => {
    const r = new FileReader();
    r.onload = () => ok(String(r.result));
    r.onerror = () => no(r.error);
    r.readAsDataURL(f);
  });
}

function ImageField({ kind, label, url, pending, onFile, error }: {
  kind: 'logo' | 'favicon'; label: string; url: string; pending: Upload; onFile: (f: File) => void; error: string | null;
}) {
  const { t } = useTranslation();
  const shown = pending?.dataUrl || url;
  const inputId = `${kind}-upload-input`;
  const fileRef = useRef<HTMLInputElement>(null);
  return (
    <Box>
      <Typography sx={{ fontWeight: 600, mb: 0.5 }} id={`${kind}-label`}>{label}</Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2} sx={{ alignItems: { sm: 'center' } }}>
        <Box
          sx={{ width: kind === 'logo' ? 160 : 48, height: kind === 'logo' ? 80 : 48, border: 1, borderColor: 'grey.400', borderRadius: 1, display: 'flex', alignItems: 'center', justifyContent: 'center', bgcolor: 'grey.100', overflow: 'hidden' }}
        >
          {shown && <img src={shown} alt={label} data-testid={`${kind}-preview`} style={{ maxWidth: '100%', maxHeight: '100%', objectFit: 'contain' }} />}
        </Box>
        <Box>
          <Button variant="outlined" onClick={() => fileRef.current?.click()} aria-describedby={`${kind}-hint`}>
            {t('landing.upload', { what: kind === 'logo' ? t('landing.logo') : 'Favicon' })}
          </Button>
          <input
            ref={fileRef}
            id={inputId}
            type="file"
            hidden
            accept="image/png,image/jpeg,image/webp"
            data-testid={`${kind}-upload`}
            onChange={(e) => {
              const f = e.target.files?.[0];
              if (f) onFile(f);
              e.target.value = '';
            }}
          />
          <Typography variant="body2" color="text.secondary" id={`${kind}-hint`} sx={{ mt: 0.5 }}>
            {pending ? t('landing.logoPending') : t('landing.uploadHint')}
          </Typography>
          {error && <Typography variant="body2" color="error" role="alert">{error}</Typography>}
        </Box>
      </Stack>
    </Box>
  );
}

type SaveState = 'idle' | 'dirty' | 'saving' | 'saved' | 'error';

// The editor of one page: /landing-pages/create (the gallery first, the
// page is created by the first save, preview or publish) and
// /landing-pages/{id}. A draft is saved as the owner types (debounced) and
// its preview follows; a published page is saved only by "Save", since
// every save of it is live at once.
export function LandingEditor() {
  const { t, i18n } = useTranslation();
  const { id: routeId } = useParams();
  const nav = useNavigate();
  const qc = useQueryClient();
  const creating = routeId === 'create';
  const [page, setPage] = useState<LandingPage | null>(null);
  const [form, setForm] = useState<LandingForm | null>(null);
  const [hours, setHours] = useState<Hours | null>(null);
  const [hoursDirty, setHoursDirty] = useState(false);
  const [kb, setKb] = useState<KnowledgeBase | null>(null);
  const [subTouched, setSubTouched] = useState(false);
  const [state, setState] = useState<SaveState>('idle');
  const [errors, setErrors] = useState<string[]>([]);
  const [notice, setNotice] = useState<{ kind: 'success' | 'info' | 'warning'; text: string; testid: string } | null>(null);
  const [showPreview, setShowPreview] = useState(false);
  const [width, setWidth] = useState<'desktop' | 'phone'>('desktop');
  const [html, setHtml] = useState<string | null>(null);
  const [pending, setPending] = useState<{ logo: Upload; favicon: Upload }>({ logo: null, favicon: null });
  const [uploadErr, setUploadErr] = useState<{ logo: string | null; favicon: string | null }>({ logo: null, favicon: null });
  const [confirmOff, setConfirmOff] = useState(false);
  const [loadErr, setLoadErr] = useState<unknown>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  const busy = useRef<Promise<LandingPage | null> | null>(null);
  const templates = useQuery({ queryKey: ['templates'], queryFn: listTemplates });

  // load: the page (when editing) and the knowledge base's hours
  useEffect(() => {
    let live = true;
    (async () => {
      const k = await loadKnowledge();
      if (!live) return;
      setKb(k);
      if (creating) {
        setHours(k ? k.hours : { weekly: hoursFromPage({}), holidays: [], closures: [] });
        return;
      }
      if (!routeId) return;
      if (page && page.id === routeId) return; // just created here: keep the state
      const p = await getPage(routeId);
      if (!live) return;
      setPage(p);
      setForm(formFromPage(p));
      const onPage = hoursFromPage((p.configuration.contact_info as Record<string, unknown> | undefined)?.hours);
      // one source of truth: the knowledge base's hours once it has its own
      setHours(k && k.source === 'knowledge' ? k.hours : { weekly: onPage, holidays: k?.hours.holidays ?? [], closures: k?.hours.closures ?? [] });
      setState('idle');
    })().catch((e: unknown) => live && setLoadErr(e));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [routeId]);

  const set = useCallback(<K extends keyof LandingForm>(k: K, v: LandingForm[K]) => {
    setForm((f) => (f ? { ...f, [k]: v } : f));
    setState('dirty');
  }, []);

  const debouncedSub = useDebounced(form?.subdomain.trim().toLowerCase() ?? '', 350);
  const localProblem = form ? subdomainProblem(form.subdomain.trim()) : null;
  const subQ = useQuery({
    queryKey: ['subdomain-check', debouncedSub],
    queryFn: () => checkSubdomain(debouncedSub),
    enabled: !page && !!form && debouncedSub.length > 0 && subdomainProblem(debouncedSub) === null,
    staleTime: 5000,
  });

  const hostFor = (sub: string) => `${sub || '…'}.${page ? hostOf(page.urls.subdomain).split('.').slice(1).join('.') : subQ.data?.host?.split('.').slice(1).join('.') || 'carbot.localhost'}`;

  async function saveKnowledgeHours(): Promise<void> {
    if (!kb || !hours || !hoursDirty) return;
    const out = normalise(await send<KnowledgeBase>('PUT', '/api/v1/knowledge', { version: kb.version, hours }));
    setKb(out);
    setHoursDirty(false);
  }

  async function uploadPending(p: LandingPage): Promise<LandingPage> {
    let cur = p;
    for (const kind of ['logo', 'favicon'] as const) {
      const u = pending[kind];
      if (!u) continue;
      const r = await uploadAsset(cur.id, kind, u.file);
      setForm((f) => (f ? { ...f, [`${kind}_url`]: r.url } : f));
      setPending((x) => ({ ...x, [kind]: null }));
      cur = await getPage(cur.id);
    }
    return cur;
  }

  function explain(e: unknown): string[] {
    if (e instanceof ApiError) {
      if (e.details.length) return e.details.map((d) => String(d.message ?? d.field ?? e.message));
      return [e.message];
    }
    return [t('common.error')];
  }

  /** Saves the form (creating the page the first time); the page, or null when something was wrong. */
  async function save(): Promise<LandingPage | null> {
    if (!form || !hours) return null;
    if (busy.current) await busy.current.catch(() => null);
    const run = (async () => {
      const problems: string[] = [];
      if (!form.business_name.trim()) problems.push(t('landing.required'));
      if (!page) {
        const sp = subdomainProblem(form.subdomain.trim());
        if (sp) problems.push(`${t('landing.subdomain')}: ${t(`landing.reasons.${sp}`)}`);
      }
      if (validateHours(hours).length) problems.push(`${t('landing.hours')}: ${t(validateHours(hours)[0]?.key ?? 'validation.time')}`);
      if (problems.length) {
        setErrors(problems);
        setState('error');
        return null;
      }
      setState('saving');
      try {
        const weekly = hours.weekly;
        let p: LandingPage;
        if (!page) {
          p = await createPage(pageBody(form, weekly, 'create'));
          setPage(p);
          p = await uploadPending(p);
          nav(`/landing-pages/${p.id}`, { replace: true });
        } else {
          p = await patchPage(page.id, pageBody(form, weekly, 'patch'));
        }
        await saveKnowledgeHours();
        setPage(p);
        setErrors([]);
        setState('saved');
        void qc.invalidateQueries({ queryKey: ['landing-pages'] });
        return p;
      } catch (e) {
        setErrors(explain(e));
        setState('error');
        return null;
      }
    })();
    busy.current = run;
    return run;
  }

  const [previewErr, setPreviewErr] = useState<string | null>(null);
  const refreshPreview = useCallback(async (id: string) => {
    try {
      setHtml(await previewHtml(id));
      setPreviewErr(null);
    } catch (e) {
      // the last preview stays, with the reason beside it
      setPreviewErr(e instanceof Error ? e.message : String(e));
    }
  }, []);

  // a draft saves itself as the owner types, and its preview follows
  const snapshot = JSON.stringify([form, hours]);
  const debounced = useDebounced(snapshot, 800);
  useEffect(() => {
    if (state !== 'dirty' || !page || page.is_published || debounced !== snapshot) return;
    void save().then((p) => {
      if (p && showPreview) void refreshPreview(p.id);
    });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [debounced]);

  async function onPreview() {
    if (showPreview) {
      setShowPreview(false);
      return;
    }
    const p = state === 'dirty' || !page ? await save() : page;
    if (!p) return;
    setShowPreview(true);
    await refreshPreview(p.id);
    previewRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }

  async function onSave() {
    const p = await save();
    if (p && showPreview) await refreshPreview(p.id);
  }

  async function onPublish() {
    setNotice(null);
    const p = state === 'dirty' || !page ? await save() : page;
    if (!p) return;
    try {
      const out = await publishPage(p.id);
      setPage(out);
      void qc.invalidateQueries({ queryKey: ['landing-pages'] });
      const warn = out.warnings?.map((w) => w.message).join(' ');
      setNotice({ kind: 'success', text: t('landing.publishedOk') + (warn ? ` ${warn}` : ''), testid: 'success-message' });
    } catch (e) {
      setErrors(explain(e));
    }
  }

  async function onUnpublish() {
    setConfirmOff(false);
    if (!page) return;
    try {
      setPage(await unpublishPage(page.id));
      void qc.invalidateQueries({ queryKey: ['landing-pages'] });
      setNotice({ kind: 'info', text: t('landing.unpublishedOk'), testid: 'unpublished-message' });
    } catch (e) {
      setErrors(explain(e));
    }
  }

  async function onFile(kind: 'logo' | 'favicon', f: File) {
    setUploadErr((x) => ({ ...x, [kind]: null }));
    if (f.size > MAX_UPLOAD) return setUploadErr((x) => ({ ...x, [kind]: t('landing.tooBig') }));
    if (f.type && !IMAGE_TYPES.includes(f.type)) return setUploadErr((x) => ({ ...x, [kind]: t('landing.badType') }));
    const dataUrl = await readDataUrl(f);
    if (!page) {
      setPending((x) => ({ ...x, [kind]: { file: f, dataUrl } }));
      return;
    }
    setPending((x) => ({ ...x, [kind]: { file: f, dataUrl } }));
    try {
      const r = await uploadAsset(page.id, kind, f);
      setForm((x) => (x ? { ...x, [`${kind}_url`]: r.url } : x));
      setPending((x) => ({ ...x, [kind]: null }));
      if (showPreview) void refreshPreview(page.id);
    } catch (e) {
      setPending((x) => ({ ...x, [kind]: null }));
      setUploadErr((x) => ({ ...x, [kind]: explain(e).join(' ') }));
    }
  }

  if (loadErr) return <ErrorState error={loadErr} />;
  if (creating && !form)
    return (
      <TemplateGallery
        onSelect={(tp) => {
          setForm(emptyForm(tp.id));
          setState('idle');
        }}
      />
    );
  if (!form || !hours) return <Loading />;

  const host = page ? hostOf(page.urls.subdomain) : hostFor(form.subdomain.trim().toLowerCase());
  const subStatus = (() => {
    if (page) return { error: false, text: t('landing.fixedSubdomain') };
    if (!form.subdomain) return { error: false, text: t('landing.subdomainHelp', { host }) };
    if (localProblem) return { error: true, text: t(`landing.reasons.${localProblem}`) };
    if (debouncedSub !== form.subdomain.trim().toLowerCase() || subQ.isFetching) return { error: false, text: t('landing.checking') };
    if (subQ.data && !subQ.data.available) return { error: true, text: t(`landing.reasons.${subQ.data.reason ?? 'invalid'}`) };
    if (subQ.data?.available) return { error: false, text: t('landing.available', { host: subQ.data.host ?? host }) };
    return { error: false, text: t('landing.subdomainHelp', { host }) };
  })();
  const warnings = contrastWarnings(form.primary_color, form.secondary_color);
  const imprint = imprintMissing(form);
  const kbShared = kb !== null;
  const stateText = state === 'saving' ? t('landing.saving') : state === 'saved' ? t('landing.saved') : state === 'dirty' ? t('landing.unsaved') : '';

  const previewPanel = showPreview && (
    <Paper variant="outlined" ref={previewRef} sx={{ p: 1.5 }} component="section" aria-labelledby="preview-title">
      <Stack direction="row" sx={{ justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: 1, mb: 1 }}>
        <Typography variant="h6" component="h2" id="preview-title">{t('landing.preview')}</Typography>
        <ToggleButtonGroup size="small" exclusive value={width} onChange={(_, v: 'desktop' | 'phone' | null) => v && setWidth(v)} aria-label={t('landing.preview')}>
          <ToggleButton value="desktop" data-testid="preview-desktop">{t('landing.desktop')}</ToggleButton>
          <ToggleButton value="phone" data-testid="preview-phone">{t('landing.phoneWidth')}</ToggleButton>
        </ToggleButtonGroup>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {page?.is_published ? t('landing.previewSaved') : t('landing.previewLive')}
      </Typography>
      {previewErr && page && (
        <Alert severity="error" data-testid="preview-error" sx={{ mb: 1 }} action={<Button color="inherit" onClick={() => void refreshPreview(page.id)}>{t('common.retry')}</Button>}>
          {t('common.error')} {previewErr}
        </Alert>
      )}
      <Box sx={{ display: 'flex', justifyContent: 'center', bgcolor: 'grey.200', borderRadius: 1, p: width === 'phone' ? 1 : 0, overflowX: 'auto' }}>
        {html === null ? <Loading /> : <iframe
          title={t('landing.previewTitle')}
          data-testid="preview-iframe"
          sandbox=""
          srcDoc={html ?? ''}
          style={{ width: width === 'phone' ? 390 : '100%', maxWidth: width === 'phone' ? 390 : undefined, minWidth: width === 'phone' ? 390 : 0, height: 720, border: 0, background: '#fff', display: 'block' }}
        />}
      </Box>
    </Paper>
  );

  return (
    <Stack spacing={2} sx={{ maxWidth: 1400 }}>
      <Box>
        <Link component={RouterLink} to="/landing-pages" data-testid="landing-back">{t('landing.back')}</Link>
      </Box>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' } }}>
        <Box sx={{ minWidth: 0 }}>
          <Typography variant="h5" component="h1" sx={{ overflowWrap: 'anywhere' }}>
            {page ? t('landing.editorEdit', { host: form.business_name.trim() || page.subdomain }) : t('landing.editorNew')}
          </Typography>
          {page && <Typography color="text.secondary" sx={{ overflowWrap: 'anywhere' }} data-testid="editor-host">{host}</Typography>}
          {page && (
            <Stack direction="row" sx={{ flexWrap: 'wrap', alignItems: 'center', columnGap: 2, rowGap: 0.5, mt: 0.5 }}>
              {page.is_published && page.published_at && (
                <Typography variant="body2" color="text.secondary">{t('landing.publishedAt', { date: formatDate(page.published_at, i18n.language) })}</Typography>
              )}
              {page.is_published && <Link href={page.urls.canonical} target="_blank" rel="noopener" data-testid="open-page">{t('landing.open')}</Link>}
              <Link component={RouterLink} to={`/landing-pages/${page.id}/domain`} data-testid="domain-link">{t('landing.domain')}</Link>
              {page.is_published && (
                <Button size="small" color="error" onClick={() => setConfirmOff(true)} data-testid="unpublish-button" sx={{ px: 0.5, minWidth: 0 }}>{t('landing.unpublish')}</Button>
              )}
            </Stack>
          )}
        </Box>
        <Typography aria-live="polite" color="text.secondary" data-testid="save-state">{stateText}</Typography>
      </Stack>
      {errors.length > 0 && (
        <Alert severity="error" role="alert" data-testid="landing-errors">
          {t('landing.errors', { list: '' })}
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>{errors.map((e, i) => <li key={i}>{e}</li>)}</Box>
        </Alert>
      )}
      {notice && (
        <Alert severity={notice.kind} data-testid={notice.testid} role="status" onClose={() => setNotice(null)}>
          {notice.text}
        </Alert>
      )}
      <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: 'minmax(0, 1fr)', lg: showPreview ? 'minmax(0, 5fr) minmax(0, 6fr)' : 'minmax(0, 1fr)' }, alignItems: 'start' }}>
        <Stack spacing={2} sx={{ minWidth: 0 }}>
          <Section title={t('landing.basics')} id="sec-basics">
            <TextField
              select label={t('landing.template')} value={form.template_id} onChange={(e) => set('template_id', e.target.value)}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'template-select' } as object } }}
            >
              {(templates.data ?? [{ id: form.template_id, name: form.template_id }]).map((tp) => (
                <MenuItem key={tp.id} value={tp.id}>{tp.name}</MenuItem>
              ))}
            </TextField>
            <TextField
              label={t('landing.businessName')} required value={form.business_name}
              onChange={(e) => {
                const v = e.target.value;
                setForm((f) => (f ? { ...f, business_name: v, ...(!page && !subTouched ? { subdomain: suggestSubdomain(v) } : {}) } : f));
                setState('dirty');
              }}
              slotProps={{ htmlInput: { 'data-testid': 'business-name', maxLength: 120 } }}
            />
            <TextField
              label={t('landing.businessDescription')} multiline minRows={3} value={form.business_description}
              onChange={(e) => set('business_description', e.target.value)}
              slotProps={{ htmlInput: { 'data-testid': 'business-description', maxLength: 2000 } }}
            />
            <TextField
              label={t('landing.subdomain')} value={form.subdomain} error={subStatus.error}
              helperText={<span data-testid="subdomain-status">{subStatus.text}</span>}
              onChange={(e) => {
                setSubTouched(true);
                set('subdomain', e.target.value.toLowerCase());
              }}
              slotProps={{ htmlInput: { 'data-testid': 'subdomain', maxLength: 63, spellCheck: false, autoCapitalize: 'none', readOnly: !!page } }}
            />
            <TextField
              select label={t('landing.language')} value={form.locale} onChange={(e) => set('locale', e.target.value as 'de' | 'en')}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'page-locale' } as object } }}
            >
              <MenuItem value="de">Deutsch</MenuItem>
              <MenuItem value="en">English</MenuItem>
            </TextField>
          </Section>

          <Section title={t('landing.contact')} id="sec-contact">
            <TextField label={t('landing.address')} value={form.address} onChange={(e) => set('address', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'contact-address', maxLength: 300 } }} />
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <TextField fullWidth type="tel" label={t('landing.phone')} value={form.phone} onChange={(e) => set('phone', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'contact-phone', maxLength: 40 } }} />
              <TextField fullWidth type="email" label={t('landing.email')} value={form.email} onChange={(e) => set('email', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'contact-email', maxLength: 254 } }} />
            </Stack>
            <TextField label={t('landing.mapUrl')} value={form.map_url} onChange={(e) => set('map_url', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'contact-map-url', maxLength: 500 } }} />
            <Stack direction="row" spacing={2} component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
              <Typography component="legend" variant="body2" sx={{ mb: 1 }}>{t('landing.location')}</Typography>
              <TextField fullWidth label={t('landing.lat')} value={form.lat} onChange={(e) => set('lat', e.target.value)} slotProps={{ htmlInput: { inputMode: 'decimal', 'data-testid': 'contact-lat' } }} />
              <TextField fullWidth label={t('landing.lng')} value={form.lng} onChange={(e) => set('lng', e.target.value)} slotProps={{ htmlInput: { inputMode: 'decimal', 'data-testid': 'contact-lng' } }} />
            </Stack>
          </Section>

          <Section title={t('landing.hours')} id="sec-hours">
            <Typography variant="body2" color="text.secondary" data-testid="hours-source">{kbShared ? t('landing.hoursShared') : t('landing.hoursPageOnly')}</Typography>
            <HoursEditor
              value={hours}
              onChange={(h) => {
                if (!sameWeekly(h.weekly, hours.weekly) || JSON.stringify(h.holidays) !== JSON.stringify(hours.holidays)) setHoursDirty(true);
                setHours(h);
                setState('dirty');
              }}
            />
          </Section>

          <Section title={t('landing.services')} id="sec-services">
            {form.services.map((s, i) => (
              <Paper key={i} variant="outlined" sx={{ p: 1.5 }}>
                <Stack spacing={1.5}>
                  <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1.5}>
                    <TextField fullWidth size="small" label={t('landing.serviceName')} value={s.name}
                      onChange={(e) => set('services', form.services.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))}
                      slotProps={{ htmlInput: { 'data-testid': `page-service-${i}-name`, maxLength: 100 } }} />
                    <TextField size="small" label={t('landing.servicePrice')} value={s.price ?? ''}
                      onChange={(e) => set('services', form.services.map((x, j) => (j === i ? { ...x, price: e.target.value } : x)))}
                      slotProps={{ htmlInput: { 'data-testid': `page-service-${i}-price`, maxLength: 40 } }} />
                  </Stack>
                  <TextField size="small" label={t('landing.serviceDescription')} value={s.description ?? ''}
                    onChange={(e) => set('services', form.services.map((x, j) => (j === i ? { ...x, description: e.target.value } : x)))}
                    slotProps={{ htmlInput: { maxLength: 500 } }} />
                  <Box>
                    <Button size="small" color="error" onClick={() => set('services', form.services.filter((_, j) => j !== i))}>
                      {t('common.remove')}<Box component="span" sx={{ position: 'absolute', width: 1, height: 1, overflow: 'hidden', clip: 'rect(0 0 0 0)' }}>{` ${s.name}`}</Box>
                    </Button>
                  </Box>
                </Stack>
              </Paper>
            ))}
            <Box>
              <Button onClick={() => set('services', [...form.services, { name: '', price: '', description: '' }])} disabled={form.services.length >= 50} data-testid="page-service-add">
                {t('landing.addService')}
              </Button>
            </Box>
          </Section>

          <Section title={t('landing.design')} id="sec-design">
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
              <ColorField label={t('landing.primaryColor')} value={form.primary_color} onChange={(v) => set('primary_color', v)} testid="primary-color" />
              <ColorField label={t('landing.secondaryColor')} value={form.secondary_color} onChange={(v) => set('secondary_color', v)} testid="secondary-color" />
            </Stack>
            {warnings.map((w) => (
              <Alert key={w.key} severity="warning" data-testid="contrast-warning">{t(w.key, { ratio: ratioText(w.ratio) })}</Alert>
            ))}
            <TextField select label={t('landing.font')} value={form.font_family} onChange={(e) => set('font_family', e.target.value as LandingForm['font_family'])}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'font-select' } as object } }}>
              {FONTS.map((f) => <MenuItem key={f} value={f}>{t(`landing.fonts.${f}`)}</MenuItem>)}
            </TextField>
            <ImageField kind="logo" label={t('landing.logo')} url={form.logo_url} pending={pending.logo} onFile={(f) => void onFile('logo', f)} error={uploadErr.logo} />
            <ImageField kind="favicon" label={t('landing.favicon')} url={form.favicon_url} pending={pending.favicon} onFile={(f) => void onFile('favicon', f)} error={uploadErr.favicon} />
          </Section>

          <Section title={t('landing.seo')} id="sec-seo">
            <TextField label={t('landing.metaTitle')} value={form.meta_title} onChange={(e) => set('meta_title', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'seo-title', maxLength: 120 } }} helperText={`${form.meta_title.length}/120`} />
            <TextField label={t('landing.metaDescription')} multiline minRows={2} value={form.meta_description} onChange={(e) => set('meta_description', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'seo-description', maxLength: 320 } }} helperText={`${form.meta_description.length}/320`} />
            <TextField label={t('landing.keywords')} value={form.keywords} onChange={(e) => set('keywords', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'seo-keywords' } }} />
            <TextField select label={t('landing.schemaType')} value={form.schema_type} onChange={(e) => set('schema_type', e.target.value as LandingForm['schema_type'])}
              slotProps={{ select: { SelectDisplayProps: { 'data-testid': 'seo-schema-type' } as object } }}>
              {SCHEMA_TYPES.map((s) => <MenuItem key={s} value={s}>{t(`landing.schema.${s}`)}</MenuItem>)}
            </TextField>
          </Section>

          <Section title={t('landing.legal')} id="sec-legal">
            <Typography variant="body2" color="text.secondary">{t('landing.legalHint')}</Typography>
            {imprint && (
              <Alert severity="warning" data-testid="imprint-warning">
                {t('landing.imprintMissing', { fields: imprint.map((f) => t(`landing.imprintFields.${f}`)).join(', ') })}
              </Alert>
            )}
            <TextField label={t('landing.representative')} value={form.imprint_representative} onChange={(e) => set('imprint_representative', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'imprint-representative', maxLength: 200 } }} />
            <TextField label={t('landing.imprintUrl')} value={form.imprint_url} onChange={(e) => set('imprint_url', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'imprint-url', maxLength: 500 } }} />
            <TextField label={t('landing.privacyUrl')} value={form.privacy_url} onChange={(e) => set('privacy_url', e.target.value)} slotProps={{ htmlInput: { 'data-testid': 'privacy-url', maxLength: 500 } }} />
          </Section>
        </Stack>
        {previewPanel && <Box sx={{ position: { lg: 'sticky' }, top: { lg: 80 }, minWidth: 0 }}>{previewPanel}</Box>}
      </Box>

      <Paper
        elevation={3}
        sx={{ position: 'sticky', bottom: 0, p: 1.5, zIndex: 2, display: 'flex', flexWrap: 'wrap', gap: 1, alignItems: 'center' }}
        component="div"
        role="toolbar"
        aria-label={t('landing.actions')}
      >
        <Button variant="outlined" onClick={() => void onSave()} disabled={state === 'saving'} data-testid="save-button">{t('landing.save')}</Button>
        <Button variant="outlined" onClick={() => void onPreview()} data-testid="preview-button" aria-pressed={showPreview}>
          {showPreview ? t('landing.hidePreview') : t('landing.preview')}
        </Button>
        <Button variant="contained" onClick={() => void onPublish()} data-testid="publish-button">{t('landing.publish')}</Button>
      </Paper>
      <ConfirmDialog
        open={confirmOff}
        title={t('landing.unpublish')}
        text={t('landing.confirmUnpublish', { host })}
        confirmLabel={t('landing.unpublish')}
        danger
        onClose={() => setConfirmOff(false)}
        onConfirm={() => void onUnpublish()}
      />
    </Stack>
  );
}
