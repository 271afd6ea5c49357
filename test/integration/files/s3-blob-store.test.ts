import { after, before } from 'node:test';
import { S3BlobStore } from '../../../src/modules/files/stores/s3-blob-store.js';
import { blobStoreSuite } from '../../conformance/blob-store.suite.js';
import { startS3rver } from '../../support/s3rver-local.js';
import { signedPolicyOfS3 } from '../../support/s3-signing.js';

// Started at module load: the suite's own `before` calls the factory below, which awaits it.
const peer = startS3rver('atelier-blobs');
// Reported through `before` (and the factory); this only prevents an early unhandled-rejection crash.
peer.catch(() => {});

before(async () => {
  await peer;
});
after(async () => {
  const instance = await peer.catch(() => null);
  await instance?.stop();
});

blobStoreSuite('s3 (s3rver)', async () => {
  const { endpoint, bucket, credentials } = await peer;
  return {
    store: new S3BlobStore({ bucket, endpoint, region: 'us-east-1', credentials }),
    peer: {
      // s3rver 3.7 reads only `key`, the redirect/status fields and the file from a POST form: it checks
      // neither the policy (expiry, key, Content-Type, content-length-range) nor its signature. Real S3
      // does; test/unit/s3-blob-store-signing.test.ts checks what the adapter signs.
      enforcesUploadPolicy: false,
      // s3rver checks a SigV4 URL's expiry but does not compute its signature ("unimplemented" in its
      // authentication middleware), so a tampered or replayed URL passes there and not on S3.
      verifiesDownloadSignature: false,
      signedPolicyOf: signedPolicyOfS3,
    },
  };
});
