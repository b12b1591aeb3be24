// tcp-serial.mjs: a Web Serial SerialPort for node, backed by a TCP socket
// to esplash-sim — enough of the interface for esptool-js's Transport
// (open, readable, writable, setSignals, setBaudRate, getInfo, close).
//
// Raw (socket://): no DTR/RTS and no baud rate; setSignals only records the
// request, so use esptool-js's "no_reset" (the sim's raw port starts in
// download mode).
// RFC 2217 (rfc2217://, { rfc2217: true }): the telnet COM-PORT-OPTION
// client side — baud rates and modem lines become SET-BAUDRATE and
// SET-CONTROL commands, so esptool-js's own reset sequences drive the board.
//
// SPDX-License-Identifier: GPL-3.0-or-later

import net from "node:net";

// RFC 854 / RFC 2217 codes.
const IAC = 0xff, SB = 0xfa, SE = 0xf0, WILL = 0xfb, WONT = 0xfc, DO = 0xfd, DONT = 0xfe;
const BINARY = 0, SGA = 3, COM_PORT = 44;
const SET_BAUDRATE = 1, SET_CONTROL = 5;
const DTR_ON = 8, DTR_OFF = 9, RTS_ON = 11, RTS_OFF = 12;
const SUPPORTED = [BINARY, SGA, COM_PORT];

// Splits the server's stream into data and telnet commands, answering option
// negotiation; the server's replies to our COM-PORT-OPTION commands are dropped.
class TelnetReader {
  constructor(send) {
    this.send = send;
    this.state = "data";
    this.verb = 0;
    this.sentWill = new Set();
    this.sentDo = new Set();
  }

  offer() {
    for (const opt of SUPPORTED) {
      this.sentWill.add(opt);
      this.sentDo.add(opt);
      this.send([IAC, WILL, opt, IAC, DO, opt]);
    }
  }

  negotiate(verb, opt) {
    const ok = SUPPORTED.includes(opt);
    if (verb === DO && !this.sentWill.has(opt)) {
      if (ok) this.sentWill.add(opt);
      this.send([IAC, ok ? WILL : WONT, opt]);
    } else if (verb === WILL && !this.sentDo.has(opt)) {
      if (ok) this.sentDo.add(opt);
      this.send([IAC, ok ? DO : DONT, opt]);
    }
  }

  feed(chunk) {
    const data = [];
    for (const b of chunk) {
      switch (this.state) {
        case "data":
          if (b === IAC) this.state = "iac";
          else data.push(b);
          break;
        case "iac":
          if (b === IAC) {
            data.push(IAC);
            this.state = "data";
          } else if (b >= WILL) {
            this.verb = b;
            this.state = "option";
          } else {
            this.state = b === SB ? "sb" : "data";
          }
          break;
        case "option":
          this.negotiate(this.verb, b);
          this.state = "data";
          break;
        case "sb":
          if (b === IAC) this.state = "sb-iac";
          break;
        case "sb-iac":
          this.state = b === SE ? "data" : "sb";
          break;
      }
    }
    return new Uint8Array(data);
  }
}

function escapeIac(bytes) {
  const out = [];
  for (const b of bytes) {
    out.push(b);
    if (b === IAC) out.push(IAC);
  }
  return out;
}

function comPortCommand(command, value) {
  return [IAC, SB, COM_PORT, command, ...escapeIac(value), IAC, SE];
}

export class TcpSerialPort {
  // info: what getInfo() reports, e.g. { usbVendorId: 0x303a, usbProductId: 0x1001 }
  // makes esptool-js pick its USB-Serial/JTAG reset; {} is a plain UART.
  constructor(host, port, { rfc2217 = false, info = {} } = {}) {
    this.host = host;
    this.port = port;
    this.rfc2217 = rfc2217;
    this.info = info;
    this.socket = null;
    this.readable = null;
    this.writable = null;
    this.signals = [];
  }

  getInfo() {
    return { ...this.info };
  }

  send(bytes) {
    if (this.socket !== null && !this.socket.destroyed) this.socket.write(Uint8Array.from(bytes));
  }

  async open(options) {
    if (this.socket !== null) {
      throw new DOMException("The port is already open.", "InvalidStateError");
    }
    if (!options || !options.baudRate) {
      throw new TypeError("open() needs a baudRate");
    }
    const socket = net.connect({ host: this.host, port: this.port });
    socket.setNoDelay(true);
    await new Promise((resolve, reject) => {
      socket.once("connect", resolve);
      socket.once("error", reject);
    });
    this.socket = socket;
    const telnet = this.rfc2217 ? new TelnetReader((bytes) => this.send(bytes)) : null;
    if (telnet) telnet.offer();
    await this.setBaudRate(options.baudRate);

    let closed = false;
    this.readable = new ReadableStream({
      start(controller) {
        socket.on("data", (chunk) => {
          const data = telnet ? telnet.feed(chunk) : new Uint8Array(chunk);
          if (!closed && data.length) controller.enqueue(data);
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
    const rfc2217 = this.rfc2217;
    this.writable = new WritableStream({
      write(chunk) {
        return new Promise((resolve, reject) => {
          const bytes = rfc2217 ? Uint8Array.from(escapeIac(chunk)) : chunk;
          socket.write(bytes, (err) => (err ? reject(err) : resolve()));
        });
      },
    });
  }

  async setSignals(signals) {
    if (this.socket === null) {
      throw new DOMException("The port is closed.", "InvalidStateError");
    }
    this.signals.push(signals);
    if (!this.rfc2217) return;
    if (signals.dataTerminalReady !== undefined) {
      this.send(comPortCommand(SET_CONTROL, [signals.dataTerminalReady ? DTR_ON : DTR_OFF]));
    }
    if (signals.requestToSend !== undefined) {
      this.send(comPortCommand(SET_CONTROL, [signals.requestToSend ? RTS_ON : RTS_OFF]));
    }
  }

  // Transport.changeBaudrate() prefers this to closing and reopening the port.
  // Raw: a socket has no line speed; the change is recorded, the bytes flow on.
  async setBaudRate(baudRate) {
    this.baudRate = baudRate;
    if (this.rfc2217 && this.socket !== null) {
      const b = baudRate >>> 0;
      this.send(comPortCommand(SET_BAUDRATE, [b >>> 24, (b >>> 16) & 0xff, (b >>> 8) & 0xff, b & 0xff]));
    }
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
