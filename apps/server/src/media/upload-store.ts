import type { BlobStorage, FieldCipher, UploadedFile, UploadStore } from '@parley/core';
import { MEDIA_BYTES_CONTEXT } from '../workers/job-runner.ts';

/** The context of an upload's description (conversation, type, size, name), sealed beside its bytes. */
const UPLOAD_META_CONTEXT = 'media_uploads.meta';

/**
 * Uploaded files waiting to be sent, in the media storage (disk or S3), both parts sealed with the
 * workspace key: the bytes at `<workspace>/<id>` (the key and format of every stored media file,
 * so the send turns them into the message's media as they are) and their description at
 * `<workspace>/<id>.meta`. Another workspace looks under its own prefix and finds nothing.
 */
export function uploadStore(storage: BlobStorage, cipher: FieldCipher, workspaceId: string): UploadStore {
  const keyOf = (id: string) => `${workspaceId}/${id}`;
  return {
    async put(file, bytes) {
      const storageKey = keyOf(file.id);
      await storage.put(storageKey, await cipher.encrypt(bytes, MEDIA_BYTES_CONTEXT));
      const meta = JSON.stringify({ ...file, uploadedAt: file.uploadedAt.toISOString() });
      await storage.put(`${storageKey}.meta`, await cipher.encrypt(meta, UPLOAD_META_CONTEXT));
      return { storageKey };
    },
    async get(id) {
      const storageKey = keyOf(id);
      let sealed: Buffer;
      try {
        sealed = await storage.get(`${storageKey}.meta`);
      } catch {
        return null;
      }
      const raw = JSON.parse((await cipher.decrypt(sealed, UPLOAD_META_CONTEXT)).toString('utf8')) as Omit<
        UploadedFile,
        'uploadedAt'
      > & { uploadedAt: string };
      if (raw.id !== id) return null;
      return { ...raw, uploadedAt: new Date(raw.uploadedAt), storageKey };
    },
  };
}
