import path from 'node:path';

/**
 * This package's folder. The sandbox is a development tool that always runs
 * from its sources in the repository, never from a build, so `__dirname` is
 * reliable here.
 */
// eslint-disable-next-line no-restricted-syntax
export const PACKAGE_DIR = path.resolve(__dirname, '..');
