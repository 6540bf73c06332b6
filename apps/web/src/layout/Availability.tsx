import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/** "Available for new conversations": whether round-robin auto-assignment gives me work. */
export function AvailabilityToggle({ workspaceId: ws }: { workspaceId: string }) {
  const { t } = useI18n();
  const qc = useQueryClient();
  const key = ['availability', ws];
  const query = useQuery({
    queryKey: key,
    queryFn: () => api<{ available: boolean }>('GET', '/me/availability', { workspaceId: ws, quiet: true }),
    retry: false,
  });
  const save = useMutation({
    mutationFn: (available: boolean) =>
      api<{ available: boolean }>('PUT', '/me/availability', { workspaceId: ws, body: { available } }),
    onSuccess: (a) => qc.setQueryData(key, a),
  });
  if (!query.data) return null;
  return (
    <div className="checkbox-field availability">
      <input
        id="availability"
        type="checkbox"
        checked={query.data.available}
        disabled={save.isPending}
        onChange={(e) => save.mutate(e.target.checked)}
      />
      <label htmlFor="availability">{t('nav.available')}</label>
    </div>
  );
}
