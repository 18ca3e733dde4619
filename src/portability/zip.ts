import { promisify } from 'node:util';
import { crc32, deflateRaw as deflateRawCallback } from 'node:zlib';

export type ZipEntry = { name: string; content: string | Buffer; modified: Date };

/** A zip without ZIP64 holds at most this many files. */
export const MAX_ZIP_ENTRIES = 0xffff;

const UTF8_NAMES = 0x0800;
const DEFLATE = 8;
const VERSION = 20;
const MADE_ON_UNIX = (3 << 8) | VERSION;
const REGULAR_FILE_RW_R_R = (0o100644 << 16) >>> 0;

const deflateRaw = promisify(deflateRawCallback);

/**
 * A zip archive (PKWARE APPNOTE 6.3) of the entries, each deflated, names in UTF-8. Node's zlib gives the deflate
 * and the CRC-32, so the format is all that is written here: local headers, central directory, end record.
 * Without ZIP64: up to 65,535 entries and 4 GB, more than an export held in memory reaches. Entries are taken one
 * at a time and deflated on libuv's thread pool, so a large archive never holds the event loop for long: running
 * token streams go on between entries and while each one is compressed.
 */
export async function zipArchive(entries: Iterable<ZipEntry> | AsyncIterable<ZipEntry>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  for await (const entry of entries) {
    if (++count > MAX_ZIP_ENTRIES) throw new RangeError(`A zip holds at most ${MAX_ZIP_ENTRIES} files`);
    const name = Buffer.from(entry.name, 'utf8');
    const data = Buffer.isBuffer(entry.content) ? entry.content : Buffer.from(entry.content, 'utf8');
    const packed = await deflateRaw(data);
    const checksum = crc32(data);
    const [time, date] = dosTime(entry.modified);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(MADE_ON_UNIX, 4);
    header.writeUInt16LE(VERSION, 6);
    header.writeUInt16LE(UTF8_NAMES, 8);
    header.writeUInt16LE(DEFLATE, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(checksum, 16);
    header.writeUInt32LE(packed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    // Extra field, comment, disk number and internal attributes stay 0.
    header.writeUInt32LE(REGULAR_FILE_RW_R_R, 38);
    header.writeUInt32LE(offset, 42);

    chunks.push(local, name, packed);
    central.push(header, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...chunks, directory, end]);
}

/** MS-DOS time and date fields (2-second precision, years 1980 to 2107), from the UTC clock. */
function dosTime(at: Date): [number, number] {
  const year = Math.min(Math.max(at.getUTCFullYear(), 1980), 2107);
  const time = (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2);
  const date = ((year - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate();
  return [time, date];
}
