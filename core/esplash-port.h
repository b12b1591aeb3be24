/* esplash-port.h: the serial ports on this machine, with USB identity.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib-object.h>
#include "esplash-chip.h"

G_BEGIN_DECLS

typedef enum {
  ESPLASH_PORT_KIND_OTHER = 0,
  ESPLASH_PORT_KIND_USB_BRIDGE = 1,    /* CP210x, CH34x, FTDI … */
  ESPLASH_PORT_KIND_ESPRESSIF_USB = 2, /* VID 0x303A: the chip's own USB */
  ESPLASH_PORT_KIND_NATIVE = 3,        /* on-board UART */
  ESPLASH_PORT_KIND_BLUETOOTH = 4,
} EsplashPortKind;

typedef struct {
  char            *path;          /* "/dev/ttyUSB0" */
  EsplashPortKind  kind;
  guint16          usb_vid;       /* 0 if not USB */
  guint16          usb_pid;
  char            *serial;        /* nullable */
  char            *manufacturer;  /* nullable */
  char            *product;       /* nullable */
  char            *description;   /* libserialport's description, nullable */
  char            *friendly_name; /* "CP2102 USB-UART bridge", "ESP32-S3 (USB-Serial/JTAG)" */
  gboolean         looks_like_esp;/* Espressif VID or a bridge common on ESP boards */
} EsplashPortInfo;

#define ESPLASH_TYPE_PORT_INFO (esplash_port_info_get_type ())
GType            esplash_port_info_get_type (void) G_GNUC_CONST;
EsplashPortInfo *esplash_port_info_copy     (const EsplashPortInfo *info);
void             esplash_port_info_free     (EsplashPortInfo       *info);

/* "vid:pid:serial" (USB) or the path: the adapter, for remembered settings. */
char            *esplash_port_info_dup_adapter_key (const EsplashPortInfo *info);

/* Fills the derived fields (kind, friendly_name, looks_like_esp) from the ids. */
void             esplash_port_info_classify (EsplashPortInfo *info);

/* Lists local serial ports (libserialport). Element type EsplashPortInfo. */
GPtrArray       *esplash_port_list          (GError **error);

/* The path of the local port with this USB identity (@serial NULL: any
 * serial), or NULL: a port found again after it re-enumerated. */
char            *esplash_port_find_usb      (guint16     usb_vid,
                                             guint16     usb_pid,
                                             const char *serial);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EsplashPortInfo, esplash_port_info_free)

G_END_DECLS
