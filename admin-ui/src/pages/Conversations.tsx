import {
  Alert, Box, Button, Checkbox, Dialog, DialogActions, DialogContent, DialogTitle, FormControlLabel, List, ListItem, ListItemButton, ListItemText, MenuItem, Paper, Stack, TextField, Typography,
} from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INTENTS, getConversation, listConversations, type Conversation, type ConversationFilter } from '../api/chat';
import { allKeys } from '../api/keys';
import { Empty, ErrorState, Loading, Pager } from '../components/States';
import { download, toCsv } from '../lib/csv';
import { formatDate } from '../lib/snippet';

function Transcript({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: ['conversation', id], queryFn: () => getConversation(id) });
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="md" aria-labelledby="transcript-title" scroll="paper">
      <DialogTitle id="transcript-title">{t('conversations.transcript')}</DialogTitle>
      <DialogContent dividers>
        {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} /> : (
          <Stack spacing={1} component="ol" sx={{ listStyle: 'none', p: 0, m: 0 }} data-testid="transcript">
            {q.data.messages.map((m) => (
              <Box
                component="li" key={m.id} data-testid="transcript-message" data-role={m.role}
                sx={{
                  alignSelf: m.role === 'user' ? 'flex-end' : 'flex-start', maxWidth: '85%', p: 1.25, borderRadius: 2,
                  bgcolor: m.role === 'user' ? 'primary.main' : 'grey.200', color: m.role === 'user' ? 'primary.contrastText' : 'text.primary',
                }}
              >
                <Typography variant="caption" component="p" sx={{ opacity: 0.9 }}>
                  {m.role === 'user' ? t('conversations.visitor') : t('conversations.bot')} · {formatDate(m.created_at, i18n.language)}
                  {m.metadata.intent ? ` · ${t(`intents.${m.metadata.intent}`, { defaultValue: m.metadata.intent })}` : ''}
                </Typography>
                <Typography sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{m.content}</Typography>
              </Box>
            ))}
          </Stack>
        )}
      </DialogContent>
      <DialogActions><Button onClick={onClose} data-testid="transcript-close">{t('common.close')}</Button></DialogActions>
    </Dialog>
  );
}

export function Conversations() {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<ConversationFilter>({});
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [open, setOpen] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [exportErr, setExportErr] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];
  const keys = useQuery({ queryKey: ['keys', 'all'], queryFn: allKeys });
  const q = useQuery({ queryKey: ['conversations', filter, cursor], queryFn: () => listConversations(filter, cursor, 20) });
  const keyName = useMemo(() => new Map((keys.data ?? []).map((k) => [k.id, `${k.domain} (${k.environment})`])), [keys.data]);
  const setF = (f: ConversationFilter) => {
    setFilter(f);
    setCursors([undefined]);
  };
  const rows = q.data?.conversations ?? [];

  async function exportCsv() {
    setExporting(true);
    setExportErr(null);
    try {
      const all: Conversation[] = [];
      let c: string | undefined;
      for (let i = 0; i < 100; i++) {
        const p = await listConversations(filter, c, 100);
        all.push(...p.conversations);
        if (!p.next_cursor) break;
        c = p.next_cursor;
      }
      const csv = toCsv(
        ['id', 'key', 'started_at', 'last_message_at', 'ended_at', 'messages', 'lang', 'has_lead'],
        all.map((x) => [x.id, keyName.get(x.client_key_id) ?? x.client_key_id, x.started_at, x.last_message_at, x.ended_at ?? '', x.message_count, x.metadata.lang ?? '', x.has_lead ? 'yes' : 'no']),
      );
      download(`conversations-${new Date().toISOString().slice(0, 10)}.csv`, csv);
    } catch (e) {
      setExportErr(e instanceof Error ? e.message : t('common.error'));
    } finally {
      setExporting(false);
    }
  }

  return (
    <Stack spacing={2}>
      <Stack direction="row" useFlexGap spacing={1} sx={{ alignItems: 'center', justifyContent: 'space-between', flexWrap: 'wrap' }}>
        <Typography variant="h1" sx={{ fontSize: 28, fontWeight: 600 }}>{t('conversations.title')}</Typography>
        <Button variant="outlined" onClick={() => void exportCsv()} disabled={exporting} data-testid="export-csv">{t('conversations.export')}</Button>
      </Stack>
      {exportErr && <Alert severity="error" role="alert">{exportErr}</Alert>}
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ alignItems: { md: 'center' } }}>
          <TextField
            select label={t('conversations.key')} value={filter.key ?? ''} onChange={(e) => setF({ ...filter, key: e.target.value || undefined })}
            sx={{ minWidth: 220 }} slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true, SelectDisplayProps: { 'data-testid': 'filter-key' } as object } }}
          >
            <MenuItem value="">{t('common.all')}</MenuItem>
            {(keys.data ?? []).map((k) => <MenuItem key={k.id} value={k.id}>{keyName.get(k.id)}</MenuItem>)}
          </TextField>
          <TextField type="date" label={t('conversations.from')} value={filter.from ?? ''} onChange={(e) => setF({ ...filter, from: e.target.value || undefined })}
            slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'filter-from' } }} />
          <TextField type="date" label={t('conversations.to')} value={filter.to ?? ''} onChange={(e) => setF({ ...filter, to: e.target.value || undefined })}
            slotProps={{ inputLabel: { shrink: true }, htmlInput: { 'data-testid': 'filter-to' } }} />
          <TextField
            select label={t('conversations.intent')} value={filter.intent ?? ''} onChange={(e) => setF({ ...filter, intent: e.target.value || undefined })}
            sx={{ minWidth: 180 }} slotProps={{ inputLabel: { shrink: true }, select: { displayEmpty: true, SelectDisplayProps: { 'data-testid': 'filter-intent' } as object } }}
          >
            <MenuItem value="">{t('common.all')}</MenuItem>
            {INTENTS.map((i) => <MenuItem key={i} value={i} data-testid={`filter-intent-${i}`}>{t(`intents.${i}`)}</MenuItem>)}
          </TextField>
          <FormControlLabel
            control={<Checkbox checked={!!filter.has_lead} onChange={(e) => setF({ ...filter, has_lead: e.target.checked || undefined })} slotProps={{ input: { 'data-testid': 'filter-with-lead' } as object }} />}
            label={t('conversations.withLead')}
          />
        </Stack>
      </Paper>
      {q.isPending ? <Loading /> : q.isError ? <ErrorState error={q.error} onRetry={() => void q.refetch()} /> : rows.length === 0 ? (
        <Empty>{t('conversations.empty')}</Empty>
      ) : (
        <Paper variant="outlined">
          <List disablePadding data-testid="conversation-list">
            {rows.map((c) => (
              <ListItem key={c.id} disablePadding divider>
              <ListItemButton onClick={() => setOpen(c.id)} data-testid="conversation-row" aria-label={`${t('conversations.open')}: ${formatDate(c.started_at, i18n.language)}`}>
                <ListItemText
                  primary={`${formatDate(c.started_at, i18n.language)} · ${c.message_count} ${t('conversations.messages')}`}
                  secondary={`${keyName.get(c.client_key_id) ?? ''}${c.metadata.lang ? ' · ' + c.metadata.lang.toUpperCase() : ''}${c.has_lead ? ' · ' + t('conversations.lead') : ''}`}
                  slotProps={{ secondary: { sx: { color: 'text.secondary' } } }}
                />
              </ListItemButton>
              </ListItem>
            ))}
          </List>
        </Paper>
      )}
      <Pager
        page={cursors.length}
        hasPrev={cursors.length > 1}
        hasNext={!!q.data?.next_cursor}
        onPrev={() => setCursors(cursors.slice(0, -1))}
        onNext={() => q.data?.next_cursor && setCursors([...cursors, q.data.next_cursor])}
      />
      {open && <Transcript id={open} onClose={() => setOpen(null)} />}
    </Stack>
  );
}
