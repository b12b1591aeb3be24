// tcp-serial.mjs: a Web Serial SerialPort for node, backed by a TCP socket
// to esplash-sim's raw port — enough of the interface for esptool-js's
// Transport (open, readable, writable, setSignals, getInfo, close).
//
// A raw socket has no DTR/RTS and no baud rate: setSignals only records the
// request, so a reset sequence would do nothing — use esptool-js's "no_reset"
// (esplash-sim's raw port starts in download mode).
//
// SPDX-License-Identifier: GPL-3.0-or-later

import net from "node:net";

export class TcpSerialPort {
  constructor(host, port) {
    this.host = host;
    this.port = port;
    this.socket = null;
    this.readable = null;
    this.writable = null;
    this.signals = [];
  }

  getInfo() {
    // Not a USB device: no vendor or product id, as for a built-in UART.
    return {};
  }

  async open(options) {
    if (this.socket !== null) {
      throw new DOMException("The port is already open.", "InvalidStateError");
    }
    if (!options || !options.baudRate) {
      throw new TypeError("open() needs a baudRate");
    }
    this.baudRate = options.baudRate;
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    this.socket = socket;

    let closed = false;
    this.readable = new ReadableStream({
      start(controller) {
        socket.on("data", (chunk) => {
          if (!closed) controller.enqueue(new Uint8Array(chunk));
        });
        const end = (err) => {
          if (closed) return;
          closed = true;
          // Web Serial ends the stream with an error when the device goes away.
          if (err) controller.error(new DOMException(err.message, "NetworkError"));
          else controller.close();
        };
        socket.on("error", end);
        socket.on("close", () => end(null));
      },
      cancel() {
        closed = true;
      },
    });
    this.writable = new WritableStream({
      write(chunk) {
        return new Promise((resolve, reject) => {
          socket.write(chunk, (err) => (err ? reject(err) : resolve()));
        });
      },
    });
  }

  async setSignals(signals) {
    if (this.socket === null) {
      throw new DOMException("The port is closed.", "InvalidStateError");
    }
    this.signals.push(signals);
  }

  // Transport.changeBaudrate() prefers this to closing and reopening the port.
  // A socket has no line speed: the baud change is recorded, the bytes flow on.
  async setBaudRate(baudRate) {
    this.baudRate = baudRate;
  }

  async getSignals() {
    return { dataCarrierDetect: false, clearToSend: false, ringIndicator: false, dataSetReady: false };
  }

  async close() {
    // Web Serial refuses to close a port whose streams are still locked.
    if ((this.readable && this.readable.locked) || (this.writable && this.writable.locked)) {
      throw new TypeError("Cannot close a port with locked streams.");
    }
    const socket = this.socket;
    this.socket = null;
    this.readable = null;
    this.writable = null;
    if (socket !== null && !socket.destroyed) {
      await new Promise((resolve) => {
        socket.once("close", resolve);
        socket.destroy();
      });
    }
  }
}
