import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// The card renders after several API answers; on a loaded 2-core machine
// (npm test beside the sandbox) that took over findBy's default 1 s. The
// wait ends as soon as the element is there.
configure({ asyncUtilTimeout: 10_000 });
