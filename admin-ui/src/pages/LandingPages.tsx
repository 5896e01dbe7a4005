import { Alert, Button, Card, CardActions, CardContent, Chip, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link as RouterLink } from 'react-router-dom';
import { ApiError } from '../api/client';
import { listPages } from '../api/landing';
import { Empty, ErrorState, Loading } from '../components/States';
import { pageStatus } from '../lib/landing';
import { formatDate } from '../lib/snippet';

/** The host a page is reached at: its verified domain, else its subdomain's. */
export const hostOf = (url: string) => url.replace(/^https?:\/\//, '').replace(/\/$/, '');

export function LandingPages() {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ['landing-pages'], queryFn: listPages });
  const create = (
    <Button variant="contained" component={RouterLink} to="/landing-pages/create" data-testid="create-landing-page">
      {t('landing.create')}
    </Button>
  );
  return (
    <Stack spacing={2}>
      <Stack direction="row" useFlexGap sx={{ alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap', gap: 1 }}>
        <Typography variant="h5" component="h1">{t('landing.title')}</Typography>
        {create}
      </Stack>
      {q.isPending && <Loading />}
      {q.error instanceof ApiError && q.error.status === 403 && (
        <Alert severity="info" data-testid="landing-premium">{t('landing.premium')}</Alert>
      )}
      {q.error && !(q.error instanceof ApiError && q.error.status === 403) && <ErrorState error={q.error} onRetry={() => void q.refetch()} />}
      {q.data && q.data.length === 0 && <Empty>{t('landing.empty')}</Empty>}
      {q.data?.map((p) => {
        const status = pageStatus(p);
        const host = hostOf(p.urls.subdomain);
        const name = typeof p.configuration.business_name === 'string' ? p.configuration.business_name : p.subdomain;
        return (
          <Card key={p.id} variant="outlined" data-testid="landing-row" data-subdomain={p.subdomain}>
            <CardContent>
              <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ justifyContent: 'space-between', alignItems: { sm: 'center' } }}>
                <Typography variant="h6" component="h2" sx={{ overflowWrap: 'anywhere' }}>{name}</Typography>
                <Chip
                  label={t(`landing.${status}`)}
                  color={status === 'published' ? 'success' : 'default'}
                  variant={status === 'published' ? 'filled' : 'outlined'}
                  data-testid="landing-status"
                  sx={{ alignSelf: { xs: 'flex-start', sm: 'center' } }}
                />
              </Stack>
              <Typography sx={{ mt: 1, overflowWrap: 'anywhere' }}>
                {t('landing.host')}: <span data-testid="landing-host">{host}</span>
              </Typography>
              {p.custom_domain && (
                <Typography sx={{ overflowWrap: 'anywhere' }}>
                  {t('landing.domain')}: <span data-testid="landing-custom-domain">{p.custom_domain}</span>
                </Typography>
              )}
              <Typography color="text.secondary" variant="body2">
                {t('landing.lastPublish')}: {p.published_at ? formatDate(p.published_at, i18n.language) : t('landing.never')}
              </Typography>
            </CardContent>
            <CardActions sx={{ flexWrap: 'wrap', gap: 1 }}>
              <Button component={RouterLink} to={`/landing-pages/${p.id}`} data-testid="landing-edit" aria-label={`${t('landing.edit')}: ${host}`}>
                {t('landing.edit')}
              </Button>
              <Button component={RouterLink} to={`/landing-pages/${p.id}/domain`} data-testid="landing-domain" aria-label={`${t('landing.domain')}: ${host}`}>
                {t('landing.domain')}
              </Button>
              {p.is_published && (
                <Button component="a" href={p.urls.canonical} target="_blank" rel="noopener" data-testid="landing-open" aria-label={`${t('landing.open')}: ${host}`}>
                  {t('landing.open')}
                </Button>
              )}
            </CardActions>
          </Card>
        );
      })}
    </Stack>
  );
}
