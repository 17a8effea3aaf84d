import { randomUUID } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { demoBytes } from "./demo-bytes.js";

const PAD_CHUNK = Buffer.alloc(64 * 1024);

/**
 * Where the sandbox keeps file bytes: a temp folder on disk, removed by remove(). Seeded files
 * are written on first download (the template of their type, padded to the seed's size), so
 * start-up stays fast and memory holds no file bytes.
 */
export class FileFolder {
  private readonly pending = new Map<string, Promise<string>>();

  private constructor(readonly dir: string) {}

  static async create(): Promise<FileFolder> {
    return new FileFolder(await mkdtemp(join(tmpdir(), "bigin-sandbox-")));
  }

  /** A fresh path inside the folder for a new file. */
  newPath(): string {
    return join(this.dir, randomUUID());
  }

  async write(bytes: Buffer): Promise<string> {
    const path = this.newPath();
    await writeFile(path, bytes);
    return path;
  }

  /** Writes a demo file of `contentType`, at least `size` bytes long; resolves with its path and real size. */
  async materialise(
    key: string,
    contentType: string,
    name: string,
    size: number,
  ): Promise<{ path: string; size: number }> {
    const head = demoBytes(contentType, name);
    const total = Math.max(size, head.length);
    let promise = this.pending.get(key);
    if (promise === undefined) {
      promise = this.writePadded(head, total);
      this.pending.set(key, promise);
      promise.catch(() => this.pending.delete(key));
    }
    return { path: await promise, size: total };
  }

  private writePadded(head: Buffer, total: number): Promise<string> {
    const path = this.newPath();
    return new Promise<string>((resolve, reject) => {
      const out = createWriteStream(path);
      out.on("error", reject);
      out.on("finish", () => resolve(path));
      let left = total - head.length;
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, PAD_CHUNK.length);
          left -= n;
          if (!out.write(PAD_CHUNK.subarray(0, n))) return void out.once("drain", pump);
        }
        out.end();
      };
      out.write(head);
      pump();
    });
  }

  read(path: string): Readable {
    return createReadStream(path);
  }

  /** Removes a file this folder holds; never throws. */
  async discard(path: string | undefined): Promise<void> {
    if (path === undefined || !path.startsWith(this.dir)) return;
    await unlink(path).catch(() => undefined);
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
