import { imageServerFamily, parseImageVersion } from './version';

/**
 * Whether an instance may move from one image to another, and if not why.
 *
 * @public
 */
export type MysqlUpgradeCheck =
  | { allowed: true; kind: 'patch' | 'series' }
  | { allowed: false; reason: string };

// MySQL's long-term support series; each upgrades to the next one only.
const MYSQL_LTS = ['8.0', '8.4', '9.7'];
// MariaDB's long-term support series; mariadb-upgrade takes any older LTS
// to a newer one (Debian took 10.11 to 11.8 in one release).
const MARIADB_LTS = ['10.5', '10.6', '10.11', '11.4', '11.8'];

interface TagVersion {
  series: string;
  major: number;
  minor: number;
  patch?: number;
}

function tagVersion(image: string): TagVersion | undefined {
  const { tag } = parseImageVersion(image);
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(tag);
  if (!match) return undefined;
  const [, major, minor, patch] = match;
  return {
    series: `${Number(major)}.${Number(minor)}`,
    major: Number(major),
    minor: Number(minor),
    patch: patch === undefined ? undefined : Number(patch),
  };
}

function compareSeries(a: TagVersion, b: TagVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

/** Where MySQL goes from a series: the next LTS, or the next release of an innovation series. */
function mysqlNextSeries(from: TagVersion): string[] {
  const lts = MYSQL_LTS.indexOf(from.series);
  if (lts >= 0) return MYSQL_LTS.slice(lts + 1, lts + 2);
  const nextLts = MYSQL_LTS.map(series => tagVersion(`mysql:${series}`)).find(
    v => v && compareSeries(v, from) > 0,
  );
  const next = [`${from.major}.${from.minor + 1}`];
  if (nextLts && !next.includes(nextLts.series)) next.push(nextLts.series);
  return next;
}

/**
 * Checks a version change of an instance's image against the paths the
 * server family supports: a patch update within a series (`mysql:8.4.3` to
 * `mysql:8.4.5`, or to the floating `mysql:8.4`), or for MySQL the next LTS
 * series (8.0 to 8.4, 8.4 to 9.7) and from an innovation release the next
 * release or LTS, for MariaDB any later LTS series. Downgrades, skipped
 * series, another server family and tags without a version (`latest`) are
 * refused, with the reason.
 *
 * @public
 */
export function checkMysqlUpgrade(
  currentImage: string,
  requestedImage: string,
): MysqlUpgradeCheck {
  const family = imageServerFamily(currentImage);
  const requestedFamily = imageServerFamily(requestedImage);
  if (!family || family !== requestedFamily) {
    return {
      allowed: false,
      reason: `image: ${requestedImage} runs ${
        requestedFamily ?? 'an unknown server'
      }, not ${
        family ?? 'the server'
      } of ${currentImage}; data moves between families only through a dump`,
    };
  }
  const from = tagVersion(currentImage);
  const to = tagVersion(requestedImage);
  if (!to) {
    return {
      allowed: false,
      reason: `image: name a version such as ${
        parseImageVersion(requestedImage).repository
      }:${from?.series ?? '9.7'}, not the tag "${
        parseImageVersion(requestedImage).tag
      }", so that the upgrade path can be checked`,
    };
  }
  if (!from) {
    return {
      allowed: false,
      reason: `image: the current image ${currentImage} names no version, so no upgrade path from it can be checked`,
    };
  }
  const order = compareSeries(to, from);
  if (order === 0) {
    if (
      to.patch !== undefined &&
      from.patch !== undefined &&
      to.patch < from.patch
    ) {
      return {
        allowed: false,
        reason: `image: ${requestedImage} is older than ${currentImage}; downgrades are not supported`,
      };
    }
    return { allowed: true, kind: 'patch' };
  }
  if (order < 0) {
    return {
      allowed: false,
      reason: `image: ${requestedImage} is older than ${currentImage}; downgrades are not supported`,
    };
  }
  if (family === 'mariadb') {
    if (MARIADB_LTS.includes(from.series) && MARIADB_LTS.includes(to.series)) {
      return { allowed: true, kind: 'series' };
    }
    return {
      allowed: false,
      reason: `image: MariaDB upgrades go from one long-term series to a later one (${MARIADB_LTS.join(
        ', ',
      )}); ${from.series} to ${to.series} is not such a path`,
    };
  }
  const next = mysqlNextSeries(from);
  if (next.includes(to.series)) return { allowed: true, kind: 'series' };
  if (next.length === 0) {
    return {
      allowed: false,
      reason: `image: no upgrade path from MySQL ${from.series} to ${to.series} is known to this portal`,
    };
  }
  return {
    allowed: false,
    reason: `image: MySQL ${from.series} upgrades to ${next.join(
      ' or ',
    )}, not ${to.series}; go through ${next[0]} first`,
  };
}
