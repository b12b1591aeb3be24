#!/usr/bin/env python3
# Writes the seed corpora tests/fuzz/corpus/<target>/: valid examples and edge
# cases, a few KB per target. Images are built here; a few seeds are the first
# bytes of the shared test images (cut, never whole files).
#   tests/fuzz/make-corpus.py [--shared DIR]    (default: ../shared next to the tree)
# The files are committed; run this again after changing it. Other files in
# a corpus (regression inputs, named crash-*) are kept.
# SPDX-License-Identifier: GPL-3.0-or-later
import argparse
import hashlib
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.normpath(os.path.join(HERE, '..', '..'))


# ---- images -------------------------------------------------------------

def image(chip_id, segments, hash_appended=True, mode=2, size_freq=0x20,
          entry=0x40080000, min_rev_full=0, max_rev_full=0xFFFF):
    """An ESP32-family image: extended header, segments, checksum, digest."""
    out = bytearray([0xE9, len(segments), mode, size_freq])
    out += struct.pack('<I', entry)
    out += bytes([0xEE, 0, 0, 0])                 # wp pin, drive settings
    out += struct.pack('<HBHH', chip_id, 0, min_rev_full, max_rev_full)
    out += bytes(4) + bytes([1 if hash_appended else 0])
    cks = 0xEF
    for load, data in segments:
        out += struct.pack('<II', load, len(data)) + data
        for b in data:
            cks ^= b
    while len(out) % 16 != 15:
        out.append(0)
    out.append(cks)
    if hash_appended:
        out += hashlib.sha256(out).digest()
    return bytes(out)


def esp8266_v1(segments, entry=0x40100004):
    out = bytearray([0xE9, len(segments), 0, 0x20]) + struct.pack('<I', entry)
    cks = 0xEF
    for load, data in segments:
        out += struct.pack('<II', load, len(data)) + data
        for b in data:
            cks ^= b
    while len(out) % 16 != 15:
        out.append(0)
    out.append(cks)
    return bytes(out)


def app_desc(name=b'fuzz_app', version=b'1.0', idf=b'v5.3'):
    d = bytearray(256)
    d[0:4] = struct.pack('<I', 0xABCD5432)
    d[16:16 + len(version)] = version
    d[48:48 + len(name)] = name
    d[80:80 + 8] = b'12:00:00'
    d[96:96 + 11] = b'Jan  1 2025'
    d[112:112 + len(idf)] = idf
    return bytes(d)


def bootloader_desc(idf=b'v5.2.1', date=b'Apr 25 2023 00:13:32'):
    d = bytearray(96)
    d[0] = 0x50
    d[4] = 1
    d[8:8 + len(idf)] = idf
    d[40:40 + len(date)] = date
    return bytes(d)


def image_corpus(shared):
    c = {
        'esp32s3-app.bin': image(9, [(0x3C000020, app_desc()), (0x40374000, b'\x13\x00\x00\x00' * 4)]),
        'esp32c3-bootloader.bin': image(5, [(0x3FCD5820, bootloader_desc()),
                                            (0x403CE000, b'\x01\x00' * 8)], entry=0x403CE000),
        'esp32-no-digest.bin': image(0, [(0x3FFB0000, b'\x00\x11\x22\x33'), (0x40080000, bytes(8))],
                                     hash_appended=False, min_rev_full=300),
        'esp8266-v1.bin': esp8266_v1([(0x40100000, b'\x01\x02\x03\x04' * 2)]),
        'zero-segments.bin': image(9, []),
        'segment-past-end.bin': image(9, [(0x3FC80000, bytes(16))])[:24] +
                                struct.pack('<II', 0x3FC80000, 0x7FFFFFF0) + bytes(8),
        'esp32-header-only.bin': image(0, [(0x3FFB0000, bytes(4))])[:24],
    }
    # ESP8266 v2: a 0xEA header, then an ESP32-style image and the irom data
    v2 = bytearray([0xEA, 4, 0, 0x20]) + struct.pack('<I', 0x40101004) + bytes(4) + \
        struct.pack('<I', 16) + b'\x5A' * 16
    c['esp8266-v2.bin'] = bytes(v2) + esp8266_v1([(0x40100000, b'\x01\x02\x03\x04')])
    for name in ('bootloader_esp32.bin', 'bootloader_esp32c3.bin', 'bootloader_esp8266.bin'):
        with open(os.path.join(shared, 'testdata', 'images', name), 'rb') as f:
            c[name.replace('.bin', '') + '-head.bin'] = f.read(320)
    return c


# ---- partition tables ---------------------------------------------------

def entry(ptype, subtype, offset, size, label, flags=0):
    lab = label.encode()[:16].ljust(16, b'\0')
    return struct.pack('<2sBBII16sI', b'\xAA\x50', ptype, subtype, offset, size, lab, flags)


def table(entries, md5=True, end=True):
    t = b''.join(entries)
    if md5:
        t += b'\xEB\xEB' + b'\xFF' * 14 + hashlib.md5(t).digest()
    if end:
        t += b'\xFF' * 32
    return t


def partition_corpus():
    ota = [entry(1, 2, 0x9000, 0x4000, 'nvs'), entry(1, 0, 0xD000, 0x2000, 'otadata'),
           entry(1, 1, 0xF000, 0x1000, 'phy_init'), entry(0, 0, 0x10000, 0x100000, 'factory'),
           entry(0, 0x10, 0x110000, 0x100000, 'ota_0'), entry(0, 0x11, 0x210000, 0x100000, 'ota_1')]
    single = [entry(1, 2, 0x9000, 0x6000, 'nvs'), entry(1, 1, 0xF000, 0x1000, 'phy_init'),
              entry(0, 0, 0x10000, 0x100000, 'factory')]
    bad_md5 = bytearray(table(single))
    bad_md5[3 * 32 + 20] ^= 0xFF
    return {
        'ota.bin': table(ota),
        'single-no-md5.bin': table(single, md5=False),
        'flags-long-label.bin': table([entry(1, 0x81, 0x9000, 0x3000, 'fat_storage_0123', flags=3),
                                       entry(0, 0x20, 0x10000, 0x10000, 'test', flags=1),
                                       entry(0x40, 0x7F, 0x20000, 0xFFFE0000, 'custom')]),
        'overlap.bin': table([entry(0, 0, 0x10000, 0x20000, 'a'), entry(0, 0x10, 0x20000, 0x10000, 'b')]),
        'unaligned.bin': table([entry(0, 0, 0x10100, 0x8000, 'app'), entry(1, 2, 0x9001, 3, 'nvs')]),
        'bad-md5.bin': bytes(bad_md5),
        'no-end-marker.bin': table(single, md5=False, end=False),
        'erased.bin': b'\xFF' * 64,
    }


# ---- ESP-IDF flasher_args.json / flash_project_args ---------------------

FLASHER_ARGS = b'''{
    "write_flash_args" : [ "--flash_mode", "dio", "--flash_size", "2MB", "--flash_freq", "80m" ],
    "flash_settings" : { "flash_mode": "dio", "flash_size": "2MB", "flash_freq": "80m" },
    "flash_files" : {
        "0x0" : "bootloader/bootloader.bin",
        "0x10000" : "hello_world.bin",
        "0x8000" : "partition_table/partition-table.bin"
    },
    "bootloader" : { "offset" : "0x0", "file" : "bootloader/bootloader.bin", "encrypted" : "false" },
    "app" : { "offset" : "0x10000", "file" : "hello_world.bin", "encrypted" : "false" },
    "partition-table" : { "offset" : "0x8000", "file" : "partition_table/partition-table.bin", "encrypted" : "false" },
    "extra_esptool_args" : { "after" : "hard_reset", "before" : "default_reset", "stub" : true, "chip" : "esp32c3" }
}
'''


def flasher_args_corpus():
    return {
        'flasher_args.json': FLASHER_ARGS,
        'minimal.json': b'{"flash_files": {"4096": "a.bin"}}',
        'esp8266.json': b'{"write_flash_args": ["-fm", "qio", "-fs", "4MB", "-ff", "40m"],'
                        b' "flash_files": {"0x0": "bootloader.bin", "0x10000": "app.bin"},'
                        b' "extra_esptool_args": {"chip": "esp8266"}}',
        'duplicate-offset.json': b'{"flash_files": {"0x1000": "a.bin", "4096": "b.bin"}}',
        'flash_project_args': b'--flash_mode dio --flash_freq 80m --flash_size 2MB\n'
                              b'0x0 bootloader/bootloader.bin\n0x10000 hello_world.bin\n'
                              b'0x8000 partition_table/partition-table.bin\n',
        'crlf-encrypt.txt': b'--flash-mode qio --flash-size detect\r\n'
                            b'--encrypt 0xd000 ota_data_initial.bin\r\n0x20000 "my app.bin"\r\n',
        'bad-offset.txt': b'0xG000 a.bin\n-1 b.bin\n0x1000\n',
        # regressions: a second value after the first (json-glib took the
        # first and leaked the rest); white space and a comment after it are fine
        'regress-trailing-json.json': FLASHER_ARGS + b'{"flash_files": {"0x1000": "b.bin"}}\n',
        'regress-trailing-space.json': b'\xef\xbb\xbf{"flash_files": {"4096": "a\\"}[.bin"}}'
                                       b' \r\n\t/* } { */\n',
        # json-glib takes '/' to the next '/' as a comment: {/'/} is {}, {/*/} too
        'regress-slash-comment.json': b"{/'/}{/'/}",
        'regress-slash-star.json': b'{/*/}{/*/}/"/\xff/"/}',
    }


# ---- ESP Web Tools manifest ---------------------------------------------

def manifest_corpus():
    return {
        'manifest.json': b'''{
  "name": "ESPHome", "version": "2024.1.0", "new_install_prompt_erase": true,
  "builds": [
    { "chipFamily": "ESP32", "parts": [
        { "path": "bootloader.bin", "offset": 4096 },
        { "path": "partitions.bin", "offset": 32768 },
        { "path": "firmware.bin", "offset": 65536 } ] },
    { "chipFamily": "ESP32-C3", "parts": [ { "path": "c3.bin", "offset": 0 } ] },
    { "chipFamily": "ESP8266", "parts": [ { "path": "8266.bin", "offset": 0 } ] }
  ]
}
''',
        'flash-size.json': b'{"name": "x", "builds": [{"chipFamily": "ESP32-S3", "flashSizeMB": 16,'
                           b' "serialType": "usb-jtag", "parts": [{"path": "big.bin", "offset": 0}]},'
                           b' {"chipFamily": "ESP32-S3", "flashSizeMB": 4, "parts":'
                           b' [{"path": "small.bin", "offset": 0}]}],'
                           b' "new_install_skip_erase": false}',
        'nested-manifest.json': b'{"manifest": {"name": "n", "builds": [{"chipFamily": "ESP32-C6",'
                                b' "parts": [{"path": "../up.bin", "offset": 65536.0}]}]}}',
        'no-builds.json': b'{"name": "empty", "builds": []}',
        'wrong-types.json': b'{"name": 1, "version": [], "builds": [{"chipFamily": 32, "parts": {}}]}',
        # regression: values after the first (json-glib took the first and leaked the rest)
        'regress-trailing-json.json': b'{"builds": [{"chipFamily": "ESP32", "parts": [{"path": "a.bin",'
                                      b' "offset": 0}]}]}"x"{"builds": []} [1, {"a": 2}]',
        # json-glib takes '/' to the next '/' as a comment: {/"/} is {}
        'regress-slash-comment.json': b'{/"/}{/"/}',
    }


# ---- Intel HEX ----------------------------------------------------------

def ihex_record(rtype, address, data=b''):
    body = bytes([len(data), (address >> 8) & 0xFF, address & 0xFF, rtype]) + data
    return ':' + (body + bytes([-sum(body) & 0xFF])).hex().upper() + '\n'


def ihex_corpus():
    linear = (ihex_record(4, 0, b'\x00\x00') + ihex_record(0, 0x1000, bytes(range(16))) +
              ihex_record(0, 0x1010, b'\xAA\xBB\xCC\xDD') + ihex_record(5, 0, b'\x40\x08\x00\x00') +
              ihex_record(1, 0))
    segment = (ihex_record(2, 0, b'\x10\x00') + ihex_record(0, 0xFFF8, bytes(16)) +
               ihex_record(3, 0, b'\x00\x00\x10\x00') + ihex_record(1, 0))
    crlf = (ihex_record(4, 0, b'\x3F\xF0') + ihex_record(0, 0xFFFE, b'\x01\x02\x03\x04')).lower()
    crlf = crlf.replace('\n', '\r\n') + ':00000001FF\r\n'
    bad = ihex_record(0, 0, b'\x01\x02')[:-3] + '00\n:00000001FF\n'
    overlap = ihex_record(0, 0, b'\x01\x02\x03\x04') + ihex_record(0, 2, b'\x05\x06') + ihex_record(1, 0)
    return {
        'linear.hex': linear.encode(),
        'segment-wrap.hex': segment.encode(),
        'crlf-lower.hex': crlf.encode(),
        'bad-checksum.hex': bad.encode(),
        'overlap.hex': overlap.encode(),
        'no-eof.hex': ihex_record(0, 0, b'\x01').encode(),
    }


# ---- SLIP (byte 0: decoder limits, see fuzz-slip.c) -----------------------

def slip(data):
    return b'\xC0' + data.replace(b'\xDB', b'\xDB\xDD').replace(b'\xC0', b'\xDB\xDC') + b'\xC0'


SYNC_REPLY = bytes([0x01, 0x08, 0x04, 0x00, 0x07, 0x07, 0x12, 0x20, 0, 0, 0, 0])


def slip_corpus():
    return {
        'boot-log-then-sync.bin': b'\x80rst:0x1 (POWERON_RESET),boot:0x3 (DOWNLOAD_BOOT(UART0))\r\n'
                                  b'waiting for download\r\n' + slip(SYNC_REPLY) * 2,
        'escapes.bin': b'\x80' + slip(b'\xC0\xDB\xC0\xDBx') + b'\xC0\xC0' + slip(b'\x01'),
        'bad-escape-reset.bin': b'\x7F\xC0\x01\xDB\x02\x03\xC0' + slip(b'ok') + b'\xC0\xDB\xC0noise',
        'oversize-small-limit.bin': b'\x03' + slip(b'12345678') + slip(b'1234') + slip(b'12'),
        'limit-one.bin': b'\x00' + slip(b'a') + slip(b'ab') + slip(b'\xC0'),
        'unterminated.bin': b'\x80\xC0\x01\x02\x03\xDB',
    }


# ---- responses (unframed packets) ---------------------------------------

def response(opcode, data, value=0):
    return struct.pack('<BBHI', 1, opcode, len(data), value) + data


def response_corpus():
    return {
        'sync-rom.bin': SYNC_REPLY,
        'read-reg-stub.bin': response(0x0A, b'\x00\x00', value=0x00F01D83),
        'md5-stub.bin': response(0x13, hashlib.md5(b'').digest() + b'\x00\x00'),
        'md5-rom.bin': response(0x13, hashlib.md5(b'').hexdigest().encode() + b'\x00\x00\x00\x00'),
        'security-info.bin': response(0x14, bytes(range(20)) + b'\x00\x00\x00\x00'),
        'rom-invalid-message.bin': response(0x00, b'\x01\x05\x00\x00'),
        'stub-error-detail.bin': response(0xD0, b'\xC1\xEE'),
        'size-mismatch.bin': SYNC_REPLY[:2] + b'\xFF\xFF' + SYNC_REPLY[4:],
        'request.bin': b'\x00' + SYNC_REPLY[1:],
    }


# ---- RFC 2217 (byte 0: chunk size and client state, see fuzz-rfc2217.c) ---

IAC, SB, SE, WILL, WONT, DO, DONT = 0xFF, 0xFA, 0xF0, 0xFB, 0xFC, 0xFD, 0xFE


def sb(cmd, value):
    return bytes([IAC, SB, 44, cmd]) + value.replace(b'\xFF', b'\xFF\xFF') + bytes([IAC, SE])


def rfc2217_corpus():
    greeting = bytes([IAC, WILL, 0, IAC, DO, 0, IAC, WILL, 3, IAC, DO, 3, IAC, WILL, 44])
    return {
        'server-greeting-and-acks.bin': b'\x85' + greeting + bytes([IAC, DO, 44]) +
                                        sb(101, struct.pack('>I', 115200)) + sb(102, b'\x08') +
                                        sb(103, b'\x01') + sb(104, b'\x01') + sb(105, b'\x01'),
        'data-with-iac.bin': b'\x80' + slip(SYNC_REPLY).replace(b'\x00', b'\xFF\xFF') +
                             bytes([IAC, 0xF1, IAC, 0xF9]) + b'tail',
        'refused.bin': b'\x8F' + bytes([IAC, DONT, 44, IAC, WONT, 0, IAC, DO, 1, IAC, WILL, 24]),
        'client-requests.bin': b'\x02' + greeting + sb(1, struct.pack('>I', 921600)) +
                               sb(5, b'\x08') + sb(5, b'\x0B') + sb(5, b'\x09') + sb(5, b'\x0C') +
                               sb(12, b'\x01') + sb(6, b'') + sb(8, b'') + sb(9, b'') +
                               sb(10, b'\xFF') + sb(11, b'\x00') + sb(0, b'esplash'),
        'sb-overflow.bin': b'\x0F' + bytes([IAC, SB, 44, 101]) + b'\x01' * 80 + bytes([IAC, SE]) +
                           bytes([IAC, SB, 44, 105, IAC, WILL, 0]) + b'x',
    }


# ---- boot logs --------------------------------------------------------------

def bootlog_corpus():
    return {
        'esp32-flash-boot.txt': b'ets Jun  8 2016 00:22:57\r\n\r\n'
                                b'rst:0x1 (POWERON_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n'
                                b'configsip: 0, SPIWP:0xee\r\nmode:DIO, clock div:2\r\n'
                                b'load:0x3fff0030,len:7132\r\nentry 0x400805e4\r\n',
        'esp32c3-download.txt': b'ESP-ROM:esp32c3-api1-20210207\r\nBuild:Feb  7 2021\r\n'
                                b'rst:0x1 (POWERON),boot:0x4 (DOWNLOAD(USB/UART0/1))\r\n'
                                b'waiting for download\r\n',
        'esp32s3-usb-jtag.txt': b'ESP-ROM:esp32s3-20210327\r\nBuild:Mar 27 2021\r\n'
                                b'rst:0x15 (USB_UART_CHIP_RESET),boot:0x0 (DOWNLOAD(USB/UART0))\r\n'
                                b'Saved PC:0x40041a79\r\nwaiting for download\r\n',
        'esp32-invalid-straps.txt': b'rst:0x10 (RTCWDT_RTC_RESET),boot:0x33 (SPI_FAST_FLASH_BOOT)\r\n'
                                    b'rst:0x1 (POWERON_RESET),boot:0x17 (SPI_FLASH_BOOT)\r\n',
        'esp8266-boot-mode.txt': b'\r\n ets Jan  8 2013,rst cause:2, boot mode:(3,6)\r\n\r\n'
                                 b'load 0x4010f000, len 3460, room 16 \r\ntail 4\r\n',
        'crash-loop.txt': b'Guru Meditation Error: Core  0 panic\'ed (LoadProhibited).\r\n'
                          b'Rebooting...\r\nets Jun  8 2016 00:22:57\r\n\r\n'
                          b'rst:0xc (SW_CPU_RESET),boot:0x13 (SPI_FAST_FLASH_BOOT)\r\n' * 2,
        # the ESP8266 ROM at 74880 baud read at 115200, then the same text
        'wrong-baud.bin': bytes.fromhex('e0e0fc9e1c8c0ce0fc1c0c9cf0e3e0e28e00e0fc8c6e0c9e0e1c'
                                        'e0e01c0c8cf3e0e0fc1c8ce0') +
                          b'\x00 ets Jan  8 2013,rst cause:2, boot mode:(1,7)\r\n',
        # regressions: values that wrapped to negative numbers, bytes in a mode name
        'regress-boot-value-hex.txt': b'rst:0x1 (POWERON_RESET),boot:0x80000013 (SPI_FAST_FLASH_BOOT)\r\n',
        'regress-boot-value-dec.txt': b'ets Jan  8 2013,rst cause:2, boot mode:(2147483648,6)\r\n',
        'regress-mode-name-bytes.txt': b'rst:0x1 (POWERON),boot:0x1 (SPI_DOWNLOAD_BOOT(\xff\xfe\x01))\r\n',
        'big-values.txt': b'rst:0xffffffffff (X),boot:0xfffffffff (DOWNLOAD(UART0))\r\n'
                          b'boot mode:(99999999999,1)\r\nwaiting for download',
    }


TARGETS = {
    'fuzz-image': None,   # needs the shared dir
    'fuzz-partition': partition_corpus,
    'fuzz-flasher-args': flasher_args_corpus,
    'fuzz-manifest': manifest_corpus,
    'fuzz-ihex': ihex_corpus,
    'fuzz-slip': slip_corpus,
    'fuzz-response': response_corpus,
    'fuzz-rfc2217': rfc2217_corpus,
    'fuzz-bootlog': bootlog_corpus,
}


def main():
    ap = argparse.ArgumentParser(description='Writes the seed corpora tests/fuzz/corpus/<target>/.')
    ap.add_argument('--shared', default=os.path.join(TOP, '..', 'shared'))
    args = ap.parse_args()
    for target, make in TARGETS.items():
        files = image_corpus(args.shared) if make is None else make()
        out = os.path.join(HERE, 'corpus', target)
        os.makedirs(out, exist_ok=True)
        for name, data in sorted(files.items()):
            with open(os.path.join(out, name), 'wb') as f:
                f.write(data)
        print(f'{target}: {len(files)} files, {sum(len(d) for d in files.values())} bytes')


if __name__ == '__main__':
    main()
