import { ConfigReader } from '@backstage/config';
import {
  checkRetention,
  checkSchedule,
  checkTarget,
  readBackupConfig,
} from './backupConfig';

describe('backup config', () => {
  it('has defaults: pvc, daily at 03:00 UTC, keeps 7', () => {
    const config = readBackupConfig(new ConfigReader({}));
    expect(config.defaults).toEqual({
      target: 'pvc',
      schedule: '0 3 * * *',
      retention: 7,
    });
    expect(config.s3.size).toBe(0);
  });

  it('reads each cluster S3 bucket', () => {
    const config = readBackupConfig(
      new ConfigReader({
        mysql: {
          backups: { target: 's3', retention: 3 },
          clusters: [
            {
              name: 'prod',
              backups: {
                s3: {
                  endpoint: 'https://s3.example.com/',
                  bucket: 'b',
                  credentialsSecret: 'creds',
                },
              },
            },
            { name: 'dev' },
          ],
        },
      }),
    );
    expect(config.defaults.target).toBe('s3');
    expect(config.s3.get('prod')).toEqual({
      endpoint: 'https://s3.example.com',
      bucket: 'b',
      region: 'us-east-1',
      prefix: '',
      credentialsSecret: 'creds',
    });
    expect(config.s3.has('dev')).toBe(false);
  });

  it.each(['0 3 * * *', '*/15 * * * *', '0 3 * * 1-5'])(
    'takes the schedule %j',
    schedule => {
      expect(() => checkSchedule(schedule, 'backup.schedule')).not.toThrow();
    },
  );

  it.each([
    ['0 3 * *', 'needs five fields'],
    ['0 0 3 * * *', 'needs five fields'],
    ['61 * * * *', 'is not a cron expression'],
    ['0 3 * * *\n[mysqld]', 'needs five fields'],
  ])('refuses the schedule %j, naming the field', (schedule, problem) => {
    const check = () => checkSchedule(schedule, 'backup.schedule');
    expect(check).toThrow(/^backup\.schedule: /);
    expect(check).toThrow(problem);
  });

  it('checks retention and target, naming the field', () => {
    expect(() => checkRetention(0, 'retention')).toThrow(
      'retention: keep between 1 and 1000 backups, not 0',
    );
    expect(() => checkRetention(2.5, 'retention')).toThrow();
    expect(() => checkRetention(30, 'retention')).not.toThrow();
    expect(() => checkTarget('gcs', 'target')).toThrow(
      'target: the target is pvc or s3, not "gcs"',
    );
  });
});
