import {
  isMysqlInstancePhase,
  MysqlInstanceListQuery,
  MysqlInstancePhase,
} from '@mysql-portal/plugin-mysql-common';

/** Rows per page unless the address says otherwise. */
export const DEFAULT_PAGE_SIZE = 25;
/** The page sizes offered. */
export const PAGE_SIZES = [25, 50, 100];

/** The fleet page's filters and page, as its address holds them. */
export interface FleetFilters {
  owner: string;
  cluster: string;
  phase?: MysqlInstancePhase;
  needsAttention: boolean;
  q: string;
  /** Zero-based. */
  page: number;
  pageSize: number;
}

function wholeNumber(text: string | null, fallback: number, min: number) {
  const value = Number(text);
  return text && Number.isInteger(value) && value >= min ? value : fallback;
}

/** The filters in the page's address; anything unknown or malformed is left out. */
export function filtersFromSearch(params: URLSearchParams): FleetFilters {
  const phase = params.get('phase');
  const pageSize = wholeNumber(params.get('pageSize'), DEFAULT_PAGE_SIZE, 1);
  return {
    owner: params.get('owner') ?? '',
    cluster: params.get('cluster') ?? '',
    phase: isMysqlInstancePhase(phase) ? phase : undefined,
    needsAttention: params.get('needsAttention') === 'true',
    q: params.get('q') ?? '',
    page: wholeNumber(params.get('page'), 1, 1) - 1,
    pageSize: PAGE_SIZES.includes(pageSize) ? pageSize : DEFAULT_PAGE_SIZE,
  };
}

/**
 * The address of these filters: only what differs from the defaults, so
 * that `/mysql?needsAttention=true` is the whole link to share. Pages count
 * from 1 there.
 */
export function filtersToSearch(filters: FleetFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.owner.trim()) params.set('owner', filters.owner.trim());
  if (filters.cluster.trim()) params.set('cluster', filters.cluster.trim());
  if (filters.phase) params.set('phase', filters.phase);
  if (filters.needsAttention) params.set('needsAttention', 'true');
  if (filters.q.trim()) params.set('q', filters.q.trim());
  if (filters.page > 0) params.set('page', String(filters.page + 1));
  if (filters.pageSize !== DEFAULT_PAGE_SIZE) {
    params.set('pageSize', String(filters.pageSize));
  }
  return params;
}

/** The `GET /instances` query of these filters: always one page. */
export function listQueryOf(filters: FleetFilters): MysqlInstanceListQuery {
  return {
    owner: filters.owner.trim() || undefined,
    cluster: filters.cluster.trim() || undefined,
    phase: filters.phase,
    needsAttention: filters.needsAttention || undefined,
    q: filters.q.trim() || undefined,
    limit: filters.pageSize,
    offset: filters.page * filters.pageSize,
  };
}
