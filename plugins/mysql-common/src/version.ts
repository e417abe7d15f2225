/**
 * Which server family a version string comes from.
 *
 * @public
 */
export type MysqlFlavor = 'mysql' | 'percona' | 'mariadb';

/**
 * A server version as read from `VERSION()` and `@@version_comment`.
 * `version` is `major.minor.patch`; `raw` is the string as the server
 * reported it.
 *
 * @public
 */
export interface MysqlServerVersion {
  flavor: MysqlFlavor;
  major: number;
  minor: number;
  patch: number;
  version: string;
  raw: string;
}

const SERVER_VERSION =
  /^(\d{1,4})\.(\d{1,4})\.(\d{1,4})((?:[-+_~.][0-9A-Za-z.+_~:-]*)?)$/;

// MariaDB prefixes its version with 5.5.5- in the protocol handshake, so
// that old clients do not take 10.x for a newer MySQL.
const MARIADB_HANDSHAKE_PREFIX = /^5\.5\.5-(?=\d+\.\d+\.\d+.*mariadb)/i;

// Percona Server appends its build number: 8.0.36-28, 8.4.2-2, 5.7.44-48.
// Distribution builds such as 8.0.36-0ubuntu0.22.04.1 do not match.
const PERCONA_BUILD = /^-\d+(?:\.\d+)?(?:-|$)/;

/**
 * Parses a server version such as `8.4.3`, `8.0.36-28` (Percona) or
 * `10.11.19-MariaDB-0+deb12u1`. The flavor comes from the version string
 * and `versionComment` (`@@version_comment`). Returns undefined for
 * anything that is not `major.minor.patch` with an optional suffix.
 *
 * @public
 */
export function parseServerVersion(
  version: string,
  versionComment?: string,
): MysqlServerVersion | undefined {
  if (typeof version !== 'string') {
    return undefined;
  }
  const raw = version;
  const match = SERVER_VERSION.exec(
    version.replace(/^ +| +$/g, '').replace(MARIADB_HANDSHAKE_PREFIX, ''),
  );
  if (!match) {
    return undefined;
  }
  const [, major, minor, patch, suffix] = match;
  const comment = typeof versionComment === 'string' ? versionComment : '';
  let flavor: MysqlFlavor = 'mysql';
  if (/mariadb/i.test(suffix) || /mariadb/i.test(comment)) {
    flavor = 'mariadb';
  } else if (/percona/i.test(comment) || PERCONA_BUILD.test(suffix)) {
    flavor = 'percona';
  }
  return {
    flavor,
    major: Number(major),
    minor: Number(minor),
    patch: Number(patch),
    version: `${Number(major)}.${Number(minor)}.${Number(patch)}`,
    raw,
  };
}

/**
 * Splits a container image reference into repository and tag:
 * `mysql:8.4` gives `mysql` and `8.4`; a registry port stays in the
 * repository; a missing tag is `latest`; a digest stays in the tag
 * (`8.4@sha256:…`, or `@sha256:…` without a tag).
 *
 * @public
 */
export function parseImageVersion(image: string): {
  repository: string;
  tag: string;
} {
  const trimmed = typeof image === 'string' ? image.trim() : '';
  const at = trimmed.indexOf('@');
  const name = at >= 0 ? trimmed.slice(0, at) : trimmed;
  const digest = at >= 0 ? trimmed.slice(at) : '';
  const colon = name.lastIndexOf(':');
  if (colon > name.lastIndexOf('/')) {
    return {
      repository: name.slice(0, colon),
      tag: `${name.slice(colon + 1)}${digest}`,
    };
  }
  return { repository: name, tag: digest || 'latest' };
}

type ImageFamily = 'mysql' | 'mariadb' | undefined;

/**
 * The server family an image runs: `mysql` for MySQL and Percona images,
 * `mariadb` for MariaDB ones, undefined when its name says neither.
 *
 * @public
 */
export function imageServerFamily(
  image: string,
): 'mysql' | 'mariadb' | undefined {
  return imageFamily(parseImageVersion(image).repository);
}

function imageFamily(repository: string): ImageFamily {
  const lastSegment = repository.slice(repository.lastIndexOf('/') + 1);
  const lower = lastSegment.toLowerCase();
  if (lower.includes('mariadb')) {
    return 'mariadb';
  }
  if (lower.includes('mysql') || lower.includes('percona')) {
    return 'mysql';
  }
  return undefined;
}

/**
 * Whether the server version is what the image promises. `mysql:8.4`
 * matches MySQL and Percona 8.4.x, `mysql:8` any 8.x, `mariadb:10.11`
 * MariaDB 10.11.x. A tag without a version (`latest`, `lts`, a digest)
 * matches any version of the image's family. MySQL and Percona images are
 * one family; an image whose name names no family is compared by version
 * only.
 *
 * @public
 */
export function versionMatchesImage(
  server: MysqlServerVersion,
  image: string,
): boolean {
  const { repository, tag } = parseImageVersion(image);
  const family = imageFamily(repository);
  const serverFamily = server.flavor === 'mariadb' ? 'mariadb' : 'mysql';
  if (family !== undefined && family !== serverFamily) {
    return false;
  }
  const wanted = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(tag);
  if (!wanted) {
    return true;
  }
  const actual = [server.major, server.minor, server.patch];
  return wanted
    .slice(1)
    .every(
      (part, index) => part === undefined || Number(part) === actual[index],
    );
}
