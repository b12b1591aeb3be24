/* esplash-port-item.h: one entry of the port drop-down — a serial port on
 * this machine or the built-in virtual board.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>
#include "esplash.h"

G_BEGIN_DECLS

/* The id of the in-process simulator; never a real device path. */
#define ESPLASH_PORT_ITEM_VIRTUAL_ID "virtual:esp32s3"
/* The chip it simulates (esplash_chip_from_id()). */
#define ESPLASH_PORT_ITEM_VIRTUAL_CHIP "esp32s3"

#define ESPLASH_TYPE_PORT_ITEM (esplash_port_item_get_type ())
G_DECLARE_FINAL_TYPE (EsplashPortItem, esplash_port_item, ESPLASH, PORT_ITEM, GObject)

EsplashPortItem *esplash_port_item_new_for_port (const EsplashPortInfo *info);
EsplashPortItem *esplash_port_item_new_virtual  (void);
/* Another simulated board (production mode's), with its own @id. */
EsplashPortItem *esplash_port_item_new_virtual_board (const char *id,
                                                      const char *title);

/* The device path, or ESPLASH_PORT_ITEM_VIRTUAL_ID. */
const char *esplash_port_item_get_id            (EsplashPortItem *self);
/* "CP2102 USB-UART bridge — /dev/ttyUSB0", translated for the virtual board. */
const char *esplash_port_item_get_title         (EsplashPortItem *self);
gboolean    esplash_port_item_is_virtual        (EsplashPortItem *self);
const char *esplash_port_item_get_adapter_key   (EsplashPortItem *self);
/* The USB adapter's serial number, %NULL when it has none. */
const char *esplash_port_item_get_usb_serial    (EsplashPortItem *self);
gboolean    esplash_port_item_looks_like_esp    (EsplashPortItem *self);
/* ESPLASH_PORT_KIND_OTHER for the virtual board. */
EsplashPortKind esplash_port_item_get_kind      (EsplashPortItem *self);
gboolean    esplash_port_item_equal             (EsplashPortItem *a,
                                                 EsplashPortItem *b);

G_END_DECLS
