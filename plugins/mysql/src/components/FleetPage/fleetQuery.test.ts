import {
  DEFAULT_PAGE_SIZE,
  filtersFromSearch,
  filtersToSearch,
  listQueryOf,
} from './fleetQuery';

const search = (text: string) => new URLSearchParams(text);

describe('fleet filters', () => {
  it('reads nothing from an empty address: the first page of everything', () => {
    const filters = filtersFromSearch(search(''));
    expect(filters).toEqual({
      owner: '',
      cluster: '',
      phase: undefined,
      needsAttention: false,
      q: '',
      page: 0,
      pageSize: DEFAULT_PAGE_SIZE,
    });
    expect(listQueryOf(filters)).toEqual({ limit: 25, offset: 0 });
    expect(filtersToSearch(filters).toString()).toBe('');
  });

  it('maps every filter to its query parameter, and pages to limit and offset', () => {
    const filters = filtersFromSearch(
      search(
        'owner=team-a&cluster=prod&phase=Degraded&needsAttention=true&q=orders&page=3&pageSize=50',
      ),
    );
    expect(listQueryOf(filters)).toEqual({
      owner: 'team-a',
      cluster: 'prod',
      phase: 'Degraded',
      needsAttention: true,
      q: 'orders',
      limit: 50,
      offset: 100,
    });
  });

  it('round-trips through the address, pages counting from 1 there', () => {
    const text =
      'owner=team-a&cluster=prod&phase=Running&needsAttention=true&q=orders&page=2&pageSize=100';
    expect(filtersToSearch(filtersFromSearch(search(text))).toString()).toBe(
      text,
    );
  });

  it('leaves out what is malformed or unknown', () => {
    const filters = filtersFromSearch(
      search('phase=Failed&needsAttention=yes&page=-2&pageSize=7&q=%20%20'),
    );
    expect(listQueryOf(filters)).toEqual({ limit: 25, offset: 0 });
  });
});
