/**
 * Test hooks of the archive pipeline: the crash tests set one in a child process to stop it
 * at an exact step (SIGKILL after the upload is verified, before the local delete). Real runs
 * leave them unset; nothing else reads or writes them.
 */
export const archiveHooks: {
  /** Called once an object is proven identical on the target, before the local file is removed. */
  afterVerify?: (key: string) => void | Promise<void>;
  /** Called right before an upload starts (the change-while-uploading test of a backup stored as it is). */
  beforeUpload?: (key: string) => void | Promise<void>;
  /** Called once with the backup's path after its first chunk was read, before the rest (the change-while-compressing tests). */
  whileReading?: (path: string) => void | Promise<void>;
} = {};
