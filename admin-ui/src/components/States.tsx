import { Alert, Box, Button, CircularProgress, Paper, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function Loading() {
  const { t } = useTranslation();
  return (
    <Box role="status" data-testid="loading" sx={{ display: 'flex', gap: 2, alignItems: 'center', p: 3 }}>
      <CircularProgress size={24} aria-hidden />
      <Typography>{t('common.loading')}</Typography>
    </Box>
  );
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const msg = error instanceof Error ? error.message : '';
  return (
    <Alert
      severity="error"
      data-testid="error-state"
      action={onRetry ? <Button color="inherit" onClick={onRetry}>{t('common.retry')}</Button> : undefined}
    >
      {t('common.error')} {msg}
    </Alert>
  );
}

export function Empty({ children, action }: { children: ReactNode; action?: ReactNode }) {
  return (
    <Paper variant="outlined" data-testid="empty-state" sx={{ p: 3, textAlign: 'center' }}>
      <Stack spacing={2} sx={{ alignItems: 'center' }}>
        <Typography>{children}</Typography>
        {action}
      </Stack>
    </Paper>
  );
}

export function Pager({ page, hasPrev, hasNext, onPrev, onNext }: { page: number; hasPrev: boolean; hasNext: boolean; onPrev: () => void; onNext: () => void }) {
  const { t } = useTranslation();
  if (!hasPrev && !hasNext) return null;
  return (
    <Stack direction="row" spacing={2} sx={{ alignItems: 'center', justifyContent: 'flex-end', mt: 2 }} component="nav" aria-label={t('common.page', { n: page })}>
      <Button variant="outlined" disabled={!hasPrev} onClick={onPrev} data-testid="page-prev">{t('common.prev')}</Button>
      <Typography>{t('common.page', { n: page })}</Typography>
      <Button variant="outlined" disabled={!hasNext} onClick={onNext} data-testid="page-next">{t('common.next')}</Button>
    </Stack>
  );
}
