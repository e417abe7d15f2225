const SERVER_IMAGES = new Set([
  'mysql',
  'mysql-server',
  'mariadb',
  'percona',
  'percona-server',
]);

/**
 * Whether a container image is a MySQL-protocol server image that the agent
 * runs as mariadbd: `mysql`, `mariadb` or `percona`, any registry and tag.
 */
export function runsServer(image: string | undefined): boolean {
  if (!image) return false;
  const withoutDigest = image.split('@')[0];
  const lastSegment = withoutDigest.split('/').pop() ?? '';
  return SERVER_IMAGES.has(lastSegment.split(':')[0]);
}
