import { S3Client } from '@aws-sdk/client-s3';
import { lazyClient } from '../clients';

// Path style: the local S3 (fauxqs) serves buckets by path, and real S3 accepts it too.
export const s3Client = lazyClient(() => new S3Client({ forcePathStyle: true }));
