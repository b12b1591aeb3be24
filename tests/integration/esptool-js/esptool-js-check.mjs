// esptool-js-check.mjs: drives the real esptool-js (Transport + ESPLoader)
// against an esplash-sim raw TCP port and prints what it saw as one line,
//   ESPTOOL_JS_RESULT {json}
// on stdout (esptool-js's own log goes to stderr). The caller decides what
// is right; this script only records. A failed write is recorded and the
// next one still runs; any other failing step ends the run.
//
// usage: node esptool-js-check.mjs PLAN.json
//   PLAN: {"port": N, "stub": bool, "baudrate": N,
//          "rfc2217": bool, "usb_jtag": bool, "before": "no_reset"|"default_reset", "after": "...",
//          "writes": [{"compress": bool, "verify": bool, "md5": bool,
//                      "files": [{"address": N, "path": "..."}]}],
//          "read_back": [{"address": N, "size": N}]}          (stub only)
//
// SPDX-License-Identifier: GPL-3.0-or-later

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { ESPLoader, Transport } from "esptool-js";
import { TcpSerialPort } from "./tcp-serial.mjs";

// Transport.trace() prints with console.log even when tracing is off: keep stdout for the result.
console.log = (...args) => process.stderr.write(args.join(" ") + "\n");

const plan = JSON.parse(readFileSync(process.argv[2], "utf8"));
const debug = !!process.env.ESPTOOL_JS_DEBUG;
const result = { steps: [], log: [] };

function finish(code) {
  process.stdout.write("ESPTOOL_JS_RESULT " + JSON.stringify(result) + "\n", () => process.exit(code));
}

// A stray rejection inside esptool-js must end up in the result, not as a bare crash.
process.on("unhandledRejection", (err) => {
  result.error = { step: "unhandled rejection", message: String(err && err.stack ? err.stack : err) };
  finish(1);
});

const log = [];
const terminal = {
  clean() {},
  write(s) {
    process.stderr.write(s);
    log.push(s);
  },
  writeLine(s) {
    process.stderr.write(s + "\n");
    log.push(s);
  },
};
const logCount = (text) => log.filter((line) => line === text).length;

function errorOf(err) {
  if (debug) process.stderr.write(String(err && err.stack) + "\n");
  return { message: String(err && err.message ? err.message : err),
           type: err && err.constructor ? err.constructor.name : typeof err };
}

async function step(name, fn) {
  try {
    await fn();
    result.steps.push(name);
  } catch (err) {
    result.error = { step: name, ...errorOf(err) };
    throw err;
  }
}

const md5 = (data) => createHash("md5").update(data).digest("hex");

// Espressif's USB-Serial/JTAG identity (VID 0x303a, PID 0x1001) makes esptool-js
// choose its USB-Serial/JTAG reset sequence over the classic DTR/RTS one.
const info = plan.usb_jtag ? { usbVendorId: 0x303a, usbProductId: 0x1001 } : {};
const port = new TcpSerialPort("127.0.0.1", plan.port, { rfc2217: !!plan.rfc2217, info });
const transport = new Transport(port, !!process.env.ESPTOOL_JS_TRACE);
const before = plan.before || "no_reset";
const loader = new ESPLoader({
  transport,
  baudrate: plan.baudrate || 115200,
  romBaudrate: 115200,
  terminal,
  debugLogging: debug,
});

try {
  await step("connect", async () => {
    if (plan.stub) {
      // What a web flasher calls: detect, describe, upload and run the stub.
      result.description = await loader.main(before);
    } else {
      // esptool-js has no "no stub" switch: main() minus runStub() (esploader.js main()).
      await loader.detectChip(before);
      result.description = await loader.chip.getChipDescription(loader);
      result.features = await loader.chip.getChipFeatures(loader);
      result.crystal = await loader.chip.getCrystalFreq(loader);
      if (typeof loader.chip.postConnect !== "undefined") await loader.chip.postConnect(loader);
    }
    result.chip = loader.chip.CHIP_NAME;
    result.is_stub = loader.IS_STUB;
    // connect() reopens the port and detects again when its first detection threw an ESPError.
    result.detect_retried = log.includes(" Autodetection failed, trying again...");
  });
  await step("read-mac", async () => {
    result.mac = await loader.chip.readMac(loader);
  });
  await step("flash-id", async () => {
    result.flash_id = (await loader.readFlashId()) >>> 0;
    result.flash_size = (await loader.detectFlashSize()) || null;
  });
  // A refused or failed write is recorded and the next one still runs.
  result.writes = [];
  for (const w of plan.writes) {
    const entry = { compress: w.compress, files: w.files.length };
    result.writes.push(entry);
    const fileArray = w.files.map((f) => ({ address: f.address, data: new Uint8Array(readFileSync(f.path)) }));
    try {
      const verifiedBefore = logCount("Hash of data verified.");
      await loader.writeFlash({
        fileArray,
        flashSize: "keep",
        flashMode: "keep",
        flashFreq: "keep",
        eraseAll: false,
        compress: w.compress,
        // esptool-js compares this with the chip's SPI_FLASH_MD5 answer and throws on a mismatch.
        calculateMD5Hash: w.verify ? (image) => md5(image) : undefined,
      });
      entry.verified = logCount("Hash of data verified.") - verifiedBefore;
    } catch (err) {
      entry.error = errorOf(err);
      continue;
    }
    // The chip's MD5 of each written range as esptool-js's flashMd5sum() returns it.
    if (w.md5) {
      entry.md5 = [];
      for (const f of fileArray) {
        try {
          entry.md5.push({ value: await loader.flashMd5sum(f.address, Math.ceil(f.data.length / 4) * 4) });
        } catch (err) {
          entry.md5.push({ error: errorOf(err) });
        }
      }
    }
  }
  result.read_back = [];
  for (const r of plan.read_back || []) {
    await step("read-flash", async () => {
      const data = await loader.readFlash(r.address, r.size);
      result.read_back.push({ address: r.address, size: data.length, md5: md5(data) });
    });
  }
  await step("after", async () => {
    await loader.after(plan.after || (loader.IS_STUB ? "no_reset_stub" : "no_reset"));
    await transport.disconnect();
  });
} catch {
  // recorded by step()
}
result.log_head = log.slice(0, 12);
result.log = log.slice(-40);
finish(0);
