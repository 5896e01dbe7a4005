import { Box, Button, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // not allowed here: the text stays selectable
  }
}

export function CopyField({ label, value, testid, multiline }: { label: string; value: string; testid: string; multiline?: boolean }) {
  const { t } = useTranslation();
  const [done, setDone] = useState(false);
  return (
    <Box>
      <Typography variant="body2" sx={{ fontWeight: 600, mb: 0.5 }} id={`${testid}-label`}>{label}</Typography>
      <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'flex-start' } }}>
        <Box
          component="pre"
          tabIndex={0}
          aria-labelledby={`${testid}-label`}
          data-testid={testid}
          sx={{
            m: 0, p: 1, flexGrow: 1, bgcolor: 'grey.100', border: 1, borderColor: 'grey.400', borderRadius: 1, fontSize: 13,
            whiteSpace: multiline ? 'pre-wrap' : 'pre', overflowX: 'auto', overflowWrap: 'anywhere', userSelect: 'all',
          }}
        >
          {value}
        </Box>
        <Button variant="outlined" onClick={() => void copy(value).then(setDone)} data-testid={`${testid}-copy`} aria-live="polite">
          {done ? t('common.copied') : t('common.copy')}
        </Button>
      </Stack>
    </Box>
  );
}
