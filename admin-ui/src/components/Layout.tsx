import {
  Alert, AppBar, Box, Button, Drawer, IconButton, List, ListItemButton, ListItemText, MenuItem, Select, Toolbar, Typography, useMediaQuery,
} from '@mui/material';
import { useState } from 'react';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { resendVerification, verifyState } from '../api/account';
import { setLang, type Lang } from '../i18n';

const WIDTH = 232;

// Part 2 (landing pages, billing, account) adds its entries here.
export const NAV = [
  { to: '/', key: 'nav.overview', testid: 'nav-overview' },
  { to: '/keys', key: 'nav.keys', testid: 'nav-keys' },
  { to: '/knowledge', key: 'nav.knowledge', testid: 'nav-knowledge' },
  { to: '/conversations', key: 'nav.conversations', testid: 'nav-conversations' },
  { to: '/leads', key: 'nav.leads', testid: 'nav-leads' },
  // ---- landing pages (issue 18 part A) ----
  { to: '/landing-pages', key: 'landing.nav', testid: 'nav-landing-pages' },
  // ---- end landing pages ----
  // account & billing (issue 18 part B)
  { to: '/billing', key: 'billing.nav', testid: 'nav-billing' },
  { to: '/account', key: 'account.nav', testid: 'nav-account' },
] as const;

export function LangSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <Select
      size="small"
      value={i18n.language.startsWith('en') ? 'en' : 'de'}
      onChange={(e) => setLang(e.target.value as Lang)}
      inputProps={{ 'aria-label': t('app.language') }}
      SelectDisplayProps={{ 'aria-label': t('app.language'), 'data-testid': 'lang-select' } as object}
      sx={{ bgcolor: 'background.paper', minWidth: 72 }}
    >
      <MenuItem value="de">DE</MenuItem>
      <MenuItem value="en">EN</MenuItem>
    </Select>
  );
}

export function Layout({ children, email, onLogout }: { children: ReactNode; email: string; onLogout: () => void }) {
  const { t } = useTranslation();
  const wide = useMediaQuery('(min-width:900px)');
  const [open, setOpen] = useState(false);
  const loc = useLocation();
  const nav = (
    <List component="nav" aria-label={t('app.menu')} sx={{ width: WIDTH }}>
      {NAV.map((n) => (
        <ListItemButton
          key={n.to}
          component={NavLink}
          to={n.to}
          end={n.to === '/'}
          selected={n.to === '/' ? loc.pathname === '/' : loc.pathname.startsWith(n.to)}
          onClick={() => setOpen(false)}
          data-testid={n.testid}
        >
          <ListItemText primary={t(n.key)} />
        </ListItemButton>
      ))}
    </List>
  );
  return (
    <Box sx={{ display: 'flex', minHeight: '100vh' }}>
      <a href="#main" className="skip-link">{t('app.skip')}</a>
      <AppBar position="fixed" sx={{ zIndex: (th) => th.zIndex.drawer + 1 }}>
        <Toolbar sx={{ gap: 1 }}>
          {!wide && (
            <IconButton color="inherit" edge="start" aria-label={t('app.menu')} aria-expanded={open} onClick={() => setOpen(!open)} data-testid="menu-button">
              <svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M3 6h18v2H3zm0 5h18v2H3zm0 5h18v2H3z" /></svg>
            </IconButton>
          )}
          <Typography variant="h6" component="p" sx={{ flexGrow: 1, fontWeight: 700 }}>
            {t('app.title')}
          </Typography>
          {wide && <Typography variant="body2" sx={{ mr: 1 }} data-testid="user-email">{email}</Typography>}
          <LangSwitch />
          <Button color="inherit" onClick={onLogout} data-testid="logout-button">{t('app.logout')}</Button>
        </Toolbar>
      </AppBar>
      {wide ? (
        <Drawer variant="permanent" sx={{ width: WIDTH, flexShrink: 0, '& .MuiDrawer-paper': { width: WIDTH } }}>
          <Toolbar />
          {nav}
        </Drawer>
      ) : (
        <Drawer open={open} onClose={() => setOpen(false)}>
          <Toolbar />
          {nav}
        </Drawer>
      )}
      <Box component="main" id="main" tabIndex={-1} sx={{ flexGrow: 1, p: { xs: 1.5, sm: 3 }, minWidth: 0, outline: 'none' }}>
        <Toolbar />
        <VerifyBanner />
        {children}
      </Box>
    </Box>
  );
}

// An address not confirmed yet: said on every screen, with the mail sent
// again on request (and whether pages may go live meanwhile, by config).
function VerifyBanner() {
  const { t } = useTranslation();
  const [sent, setSent] = useState<string | null>(null);
  const ver = useQuery({ queryKey: ['account', 'verify'], queryFn: verifyState, retry: false, staleTime: 60_000 });
  if (!ver.data || ver.data.email_verified) return null;
  return (
    <Alert
      severity="info"
      data-testid="verify-banner"
      sx={{ mb: 2 }}
      action={
        <Button
          color="inherit"
          size="small"
          data-testid="verify-banner-resend"
          onClick={() => void resendVerification().then(() => setSent(t('account.resent')), () => setSent(t('common.error')))}
        >
          {t('account.verifyBannerResend')}
        </Button>
      }
    >
      {sent ?? (ver.data.may_publish ? t('account.verifyBanner') : t('account.verifyBannerBlocked'))}
    </Alert>
  );
}
