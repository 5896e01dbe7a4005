import { Box, Button, Card, CardActionArea, CardContent, Chip, Grid, Stack, Typography } from '@mui/material';
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { listTemplates, templateThumb, type Template } from '../api/landing';
import { ErrorState, Loading } from '../components/States';

function Thumb({ id, name }: { id: string; name: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    templateThumb(id).then((s) => live && setSrc(s), () => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [id]);
  return (
    <Box sx={{ aspectRatio: '4 / 3', bgcolor: 'grey.100', borderBottom: 1, borderColor: 'divider', overflow: 'hidden' }}>
      {src && <img src={src} alt={name} data-testid={`template-thumb-${id}`} style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }} />}
    </Box>
  );
}

// The catalogue of the templates plugin: a card per template (its drawn
// thumbnail, category, features); one is chosen, then "use this template".
export function TemplateGallery({ onSelect, initial }: { onSelect: (t: Template) => void; initial?: string }) {
  const { t } = useTranslation();
  const q = useQuery({ queryKey: ['templates'], queryFn: listTemplates });
  const [chosen, setChosen] = useState<string | null>(initial ?? null);
  if (q.isPending) return <Loading />;
  if (q.error) return <ErrorState error={q.error} onRetry={() => void q.refetch()} />;
  const pick = q.data.find((x) => x.id === chosen);
  return (
    <Stack spacing={2}>
      <Typography variant="h5" component="h1">{t('landing.gallery')}</Typography>
      <Typography>{t('landing.galleryHint')}</Typography>
      <Grid container spacing={2} role="radiogroup" aria-label={t('landing.gallery')}>
        {q.data.map((tp) => {
          const on = tp.id === chosen;
          return (
            <Grid key={tp.id} size={{ xs: 12, sm: 6, lg: 4 }}>
              <Card variant="outlined" sx={{ height: '100%', borderWidth: on ? 3 : 1, borderColor: on ? 'primary.main' : 'divider' }}>
                <CardActionArea
                  onClick={() => setChosen(tp.id)}
                  role="radio"
                  aria-checked={on}
                  data-testid={`template-${tp.id}`}
                  sx={{ height: '100%', display: 'flex', flexDirection: 'column', alignItems: 'stretch', justifyContent: 'flex-start' }}
                >
                  <Thumb id={tp.id} name={tp.name} />
                  <CardContent>
                    <Stack direction="row" spacing={1} sx={{ justifyContent: 'space-between', alignItems: 'center' }}>
                      <Typography variant="h6" component="h2">{tp.name}</Typography>
                      {on && <Chip size="small" color="primary" label={t('landing.selected')} />}
                    </Stack>
                    {tp.category && <Typography variant="body2" color="text.secondary">{t('landing.category')}: {tp.category}</Typography>}
                    {tp.description && <Typography variant="body2" sx={{ mt: 1 }}>{tp.description}</Typography>}
                    {!!tp.features?.length && (
                      <Box component="ul" aria-label={t('landing.features')} sx={{ display: 'flex', flexWrap: 'wrap', gap: 0.5, p: 0, m: 0, mt: 1, listStyle: 'none' }}>
                        {tp.features.map((f) => (
                          <li key={f}><Chip size="small" variant="outlined" label={f} /></li>
                        ))}
                      </Box>
                    )}
                  </CardContent>
                </CardActionArea>
              </Card>
            </Grid>
          );
        })}
      </Grid>
      <Box sx={{ position: 'sticky', bottom: 0, py: 1.5, bgcolor: 'background.default', zIndex: 1 }}>
        <Button variant="contained" size="large" disabled={!pick} onClick={() => pick && onSelect(pick)} data-testid="select-template-button">
          {t('landing.select')}
        </Button>
      </Box>
    </Stack>
  );
}
