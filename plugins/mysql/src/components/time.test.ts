import { formatAgo, formatDuration } from './time';

describe('time', () => {
  it('formats durations with their two largest units', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(45)).toBe('45s');
    expect(formatDuration(3 * 3600 + 5 * 60 + 7)).toBe('3h 5m');
    expect(formatDuration(2 * 86400 + 30)).toBe('2d');
  });

  it('formats ages', () => {
    const now = new Date('2025-01-01T12:00:00Z');
    const ago = (seconds: number) =>
      formatAgo(new Date(now.getTime() - seconds * 1000), now);
    expect(ago(12)).toBe('12 s ago');
    expect(ago(180)).toBe('3 min ago');
    expect(ago(7200)).toBe('2 h ago');
    expect(ago(3 * 86400)).toBe('3 d ago');
    expect(ago(-5)).toBe('0 s ago');
  });
});
