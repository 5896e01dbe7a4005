import { Box, Button, Checkbox, FormControlLabel, IconButton, Paper, Stack, TextField, Typography } from '@mui/material';
import { useTranslation } from 'react-i18next';
import { DAYS, type Day, type Hours, type Range } from '../api/knowledge';
import { copyToWeekdays, nextRange, validateDay } from '../lib/hours';

const X = (
  <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M19 6.4 17.6 5 12 10.6 6.4 5 5 6.4 10.6 12 5 17.6 6.4 19 12 13.4 17.6 19 19 17.6 13.4 12z" /></svg>
);

// A weekly editor: per day closed, or up to four time ranges (the gaps
// between them are breaks); holidays below. Errors show beside the range.
export function HoursEditor({ value, onChange }: { value: Hours; onChange: (h: Hours) => void }) {
  const { t } = useTranslation();
  const setDay = (d: Day, ranges: Range[]) => onChange({ ...value, weekly: { ...value.weekly, [d]: ranges } });
  return (
    <Stack spacing={1.5} data-testid="hours-editor">
      {DAYS.map((d) => {
        const ranges = value.weekly[d];
        const errs = validateDay(d, ranges);
        const closed = ranges.length === 0;
        return (
          <Paper key={d} variant="outlined" sx={{ p: 1.5 }} data-testid={`hours-${d}`}>
            <Stack direction={{ xs: 'column', sm: 'row' }} spacing={1} sx={{ alignItems: { sm: 'center' } }}>
              <Typography sx={{ fontWeight: 600, width: 110 }} id={`day-${d}`}>{t(`knowledge.days.${d}`)}</Typography>
              <FormControlLabel
                control={<Checkbox checked={closed} onChange={(e) => setDay(d, e.target.checked ? [] : [{ open: '08:00', close: '18:00' }])}
                  slotProps={{ input: { 'data-testid': `hours-${d}-closed`, 'aria-describedby': `day-${d}` } as object }} />}
                label={t('knowledge.closed')}
              />
              {d === 'monday' && !closed && (
                <Button size="small" onClick={() => onChange(copyToWeekdays(value, 'monday'))} data-testid="hours-copy-weekdays">Mo → Fr</Button>
              )}
            </Stack>
            {ranges.map((r, i) => {
              const err = errs.find((e) => e.path.startsWith(`${d}[${i}]`));
              return (
                <Stack key={i} direction="row" spacing={1} sx={{ alignItems: 'flex-start', mt: 1 }}>
                  <TextField
                    type="time" size="small" label={t('knowledge.open')} value={r.open}
                    onChange={(e) => setDay(d, ranges.map((x, j) => (j === i ? { ...x, open: e.target.value } : x)))}
                    error={!!err} slotProps={{ inputLabel: { shrink: true }, htmlInput: { step: 300, 'data-testid': `hours-${d}-${i}-open`, 'aria-label': `${t(`knowledge.days.${d}`)} ${i + 1} ${t('knowledge.open')}` } }}
                  />
                  <TextField
                    type="time" size="small" label={t('knowledge.close')} value={r.close}
                    onChange={(e) => setDay(d, ranges.map((x, j) => (j === i ? { ...x, close: e.target.value } : x)))}
                    error={!!err} helperText={err ? t(err.key) : undefined}
                    slotProps={{ inputLabel: { shrink: true }, htmlInput: { step: 300, 'data-testid': `hours-${d}-${i}-close`, 'aria-label': `${t(`knowledge.days.${d}`)} ${i + 1} ${t('knowledge.close')}` } }}
                  />
                  <IconButton aria-label={`${t('common.remove')} ${t(`knowledge.days.${d}`)} ${i + 1}`} onClick={() => setDay(d, ranges.filter((_, j) => j !== i))}>{X}</IconButton>
                </Stack>
              );
            })}
            {!closed && ranges.length < 4 && (
              <Button size="small" sx={{ mt: 1 }} onClick={() => setDay(d, [...ranges, nextRange(ranges)])} data-testid={`hours-${d}-add`}>
                {t('knowledge.addBreak')}
              </Button>
            )}
          </Paper>
        );
      })}
      <Box>
        <Typography sx={{ fontWeight: 600, my: 1 }}>{t('knowledge.holidays')}</Typography>
        <Stack spacing={1}>
          {value.holidays.map((h, i) => (
            <Stack key={i} direction="row" spacing={1} sx={{ alignItems: 'center' }}>
              <TextField type="date" size="small" label={t('knowledge.date')} value={h.date} slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': `holiday-${i}-date` } }}
                onChange={(e) => onChange({ ...value, holidays: value.holidays.map((x, j) => (j === i ? { ...x, date: e.target.value } : x)) })} />
              <TextField size="small" label={t('knowledge.holidayName')} value={h.name} slotProps={{ htmlInput: { maxLength: 100 } }}
                onChange={(e) => onChange({ ...value, holidays: value.holidays.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)) })} />
              <IconButton aria-label={`${t('common.remove')} ${h.name || h.date}`} onClick={() => onChange({ ...value, holidays: value.holidays.filter((_, j) => j !== i) })}>{X}</IconButton>
            </Stack>
          ))}
          <Box>
            <Button size="small" onClick={() => onChange({ ...value, holidays: [...value.holidays, { date: '', name: '' }] })} data-testid="holiday-add">{t('knowledge.addHoliday')}</Button>
          </Box>
        </Stack>
      </Box>
    </Stack>
  );
}
