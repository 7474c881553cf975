import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { lazyClient } from '../clients';
import { env } from '../config';

// Path style: the local S3 (fauxqs) serves buckets by path, and real S3 accepts it too.
export const s3Client = lazyClient(() => new S3Client({ forcePathStyle: true }));

/** Stores a file in the labels bucket: packing lists, carriages' labels and act documents, manifests. */
export function putLabelsFile(Key: string, Body: Uint8Array | string, ContentType: string) {
  return s3Client().send(new PutObjectCommand({ Bucket: env('labels').LABELS_BUCKET, Key, Body, ContentType }));
}

/**
 * A link that downloads one object without AWS credentials, for the seller's alert. It is signed with the
 * function's own temporary credentials, so it works for `expiresInSeconds` or until those expire, whichever is first.
 */
export function downloadLink(bucket: string, key: string, expiresInSeconds: number): Promise<string> {
  return getSignedUrl(s3Client(), new GetObjectCommand({ Bucket: bucket, Key: key }), {
    expiresIn: expiresInSeconds,
  });
}
