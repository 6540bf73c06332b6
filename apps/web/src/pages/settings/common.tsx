import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { can, ROLES, type Permission, type Role } from '@parley/core/workspaces/roles';
import { api, isApiError } from '../../api/client.ts';
import { useI18n } from '../../i18n/index.tsx';
import { ErrorAlert, Loading } from '../../ui/components.tsx';
import { ForbiddenPage } from '../Simple.tsx';

export { can, ROLES };
export type { Permission, Role };

/** A GET in the workspace: cached per workspace, sent with X-Workspace-Id. */
export function useWorkspaceQuery<T>(workspaceId: string, name: string, path: string) {
  return useQuery({
    queryKey: [name, workspaceId],
    queryFn: () => api<T>('GET', path, { workspaceId }),
  });
}

/** Loading, or what went wrong (a workspace that is not ours is "not found", never its data). */
export function QueryGate<T>({
  query,
  children,
}: {
  query: UseQueryResult<T>;
  children: (data: T) => React.ReactNode;
}) {
  const { t } = useI18n();
  if (query.isPending) return <Loading />;
  if (query.isError) {
    const e = query.error;
    if (isApiError(e) && e.code === 'not_found')
      return (
        <p className="notice notice-error" role="alert">
          {t('notFound.workspace')}
        </p>
      );
    if (isApiError(e) && e.code === 'forbidden') return <ForbiddenPage />;
    return <ErrorAlert error={e} />;
  }
  return <>{children(query.data)}</>;
}

export const roleLabel = (t: ReturnType<typeof useI18n>['t'], role: Role) => t(`role.${role}`);
